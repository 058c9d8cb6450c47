-- wrk script: flash-sale reservation attempts, one unit each, on the item in BENCH_ITEM, each with
-- its own Idempotency-Key, for a rotating shopper (tokens from the file in BENCH_DATA).
-- Prints "status <code> <count>" lines at the end (run_flash.py parses them).
local tokens, counter = {}, 0
statuses = {}  -- global: done() reads it from each thread
local threads, next_thread = {}, 1
local item = os.getenv("BENCH_ITEM")
local nonce = os.getenv("BENCH_NONCE") or "0"

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_DATA")) do
    table.insert(tokens, line)
  end
  counter = tid * 7919
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/store/flash-sales/" .. item .. "/reserve", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1],
    ["Idempotency-Key"] = "bench-" .. nonce .. "-" .. tid .. "-" .. counter,
  }, '{"quantity":1}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("status %d %d\n", code, n))
  end
end
