-- GET a rotating list of paths, one per line, from the file named by WRK_PATHS_FILE.
-- Blank lines and lines starting with '#' are skipped. Each thread starts at a
-- different offset so threads do not request the same path in lockstep.
-- Counts statuses (see status_counts.lua).

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
dofile(here .. "status_counts.lua")

local requests = {}
local index = 0

function init(args)
  local name = os.getenv("WRK_PATHS_FILE")
  if not name then
    error("paths.lua: set WRK_PATHS_FILE to a file of request paths")
  end
  local file = assert(io.open(name, "r"))
  for line in file:lines() do
    line = line:match("^%s*(.-)%s*$")
    if line ~= "" and line:sub(1, 1) ~= "#" then
      table.insert(requests, wrk.format(nil, line))
    end
  end
  file:close()
  if #requests == 0 then
    error("paths.lua: no paths in " .. name)
  end
  index = ((thread_id or 1) - 1) % #requests
end

function request()
  index = index % #requests + 1
  return requests[index]
end
