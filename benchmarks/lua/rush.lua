-- Release rush: each request books as a different person.
--
-- WRK_RUSH_FILE holds one booking per line: "<session cookie>\t<path>\t<json body>".
-- Thread t of T sends lines t, t+T, t+2T... so no two requests share a line; lines are
-- ordered event by event, so each rush event sees all its accounts try to book at once.
-- Counts statuses (see status_counts.lua).

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
dofile(here .. "status_counts.lua")

local lines = {}
local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
local index

function init(args)
  for line in io.lines(os.getenv("WRK_RUSH_FILE")) do
    lines[#lines + 1] = line
  end
  index = thread_id or 1
end

function request()
  local line = lines[((index - 1) % #lines) + 1]
  index = index + nthreads
  local cookie, path, body = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
  return wrk.format("POST", path, {
    ["Cookie"] = "session=" .. cookie,
    ["Content-Type"] = "application/json",
    ["X-Requested-With"] = "lgcamp",
  }, body)
end
