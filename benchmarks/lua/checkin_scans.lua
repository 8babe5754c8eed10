-- POST scanner check-ins: {"scan_id": <unique>, "payload": <ticket token>} as JSON.
--
-- Tokens come one per line from WRK_TOKENS_FILE; thread t of WRK_THREADS takes every
-- line i with i % threads == t - 1, so threads redeem distinct tickets (in file order).
-- Scan ids are unique per request and run. Counts statuses (see status_counts.lua) and the
-- scanner's result colours: done() prints "colour <name>: <n>".

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
dofile(here .. "status_counts.lua")

local tokens = {}
local index = 0
local counter = 0
local prefix
local all_threads = {}
colours = {}

local base_setup = setup
function setup(thread)
  base_setup(thread)
  table.insert(all_threads, thread)
end

function init(args)
  local name = os.getenv("WRK_TOKENS_FILE")
  if not name then
    error("checkin_scans.lua: set WRK_TOKENS_FILE to a file of ticket tokens")
  end
  local threads = tonumber(os.getenv("WRK_THREADS") or "2")
  local file = assert(io.open(name, "r"))
  local i = 0
  for line in file:lines() do
    if line ~= "" then
      if i % threads == (thread_id - 1) then
        table.insert(tokens, line)
      end
      i = i + 1
    end
  end
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  prefix = "b" .. (os.getenv("WRK_RUN_ID") or tostring(os.time())) .. "-" .. thread_id .. "-"
end

function request()
  index = index % #tokens + 1
  counter = counter + 1
  local body = string.format('{"scan_id":"%s%d","payload":"%s"}', prefix, counter, tokens[index])
  return wrk.format(nil, nil, nil, body)
end

local count_status = response
function response(status, headers, body)
  if count_status then
    count_status(status, headers, body)
  end
  local colour = body:match('"colour":"(%a+)"')
  if colour then
    colours[colour] = (colours[colour] or 0) + 1
  end
end

local print_statuses = done
function done(summary, latency, requests)
  print_statuses(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(all_threads) do
    for colour, n in pairs(thread:get("colours") or {}) do
      totals[colour] = (totals[colour] or 0) + n
    end
  end
  for colour, n in pairs(totals) do
    io.write(string.format("colour %s: %d\n", colour, n))
  end
end
