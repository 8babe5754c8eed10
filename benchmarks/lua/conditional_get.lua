-- Conditional GET: send If-None-Match from the ETAG environment variable.
-- Expect 304s when the ETag still matches; the status counts show how many.
-- Counts statuses (see status_counts.lua).

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
dofile(here .. "status_counts.lua")

local fixed_request

function init(args)
  local etag = os.getenv("ETAG")
  if not etag or etag == "" then
    error("conditional_get.lua: set ETAG to the entity tag to send in If-None-Match")
  end
  wrk.headers["If-None-Match"] = etag
  fixed_request = wrk.format()
end

function request()
  return fixed_request
end
