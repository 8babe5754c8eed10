-- Count responses per HTTP status code across all wrk threads.
--
-- Use on its own (wrk -s status_counts.lua) or include from another script with
--   dofile(<dir> .. "status_counts.lua")
-- before defining request()/init(). It defines setup(), response() and done();
-- done() prints one line per status, "status <code>: <count>", which
-- benchmarks/harness.py parses into Result.status_counts.
-- Each thread also gets a global `thread_id` (1..threads) for scripts to use.
-- Set WRK_COUNT_STATUSES=0 to skip counting (response() stays nil, so wrk does
-- not parse headers/bodies).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

if os.getenv("WRK_COUNT_STATUSES") ~= "0" then
  status_counts = {}

  function response(status, headers, body)
    status_counts[status] = (status_counts[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("status_counts") or {}
    for status, n in pairs(counts) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  local codes = {}
  for status, _ in pairs(totals) do
    table.insert(codes, status)
  end
  table.sort(codes)
  for _, status in ipairs(codes) do
    io.write(string.format("status %d: %d\n", status, totals[status]))
  end
end
