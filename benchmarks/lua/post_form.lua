-- POST a form body to the URL's path.
--
-- The body comes from WRK_BODY (falling back to wrk.body). Every "{n}" in it is
-- replaced per request by a token unique across threads and runs
-- ("<WRK_RUN_ID>-<thread>-<counter>"), e.g. "email=u{n}%40example.test" gives
-- distinct e-mail addresses. Without "{n}" the request is built once and reused.
-- Content-Type defaults to application/x-www-form-urlencoded (override with -H).
-- Optional WRK_METHOD overrides the method (default POST).
-- Counts statuses (see status_counts.lua).

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
dofile(here .. "status_counts.lua")

local template
local fixed_request
local counter = 0
local prefix

function init(args)
  wrk.method = os.getenv("WRK_METHOD") or "POST"
  template = os.getenv("WRK_BODY") or wrk.body or ""
  if not wrk.headers["Content-Type"] then
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  local run_id = os.getenv("WRK_RUN_ID") or tostring(os.time())
  prefix = run_id .. "-" .. tostring(thread_id or 0) .. "-"
  if not template:find("{n}", 1, true) then
    fixed_request = wrk.format(nil, nil, nil, template)
  end
end

function request()
  if fixed_request then
    return fixed_request
  end
  counter = counter + 1
  local token = prefix .. counter
  local body = template:gsub("{n}", function() return token end)
  return wrk.format(nil, nil, nil, body)
end
