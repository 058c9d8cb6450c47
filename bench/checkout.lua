-- wrk script: each request places a one-line order with its own Idempotency-Key, for a rotating
-- shopper and a random SKU. Data (tokens, sku ids) comes from the file in BENCH_DATA.
local tokens, skus, counter = {}, {}, 0
local next_thread = 1
local method = os.getenv("BENCH_METHOD") or "pay_at_pickup"
local nonce = os.getenv("BENCH_NONCE") or "0"

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_DATA")) do
    local kind, value = line:match("^(%a+) (.+)$")
    if kind == "token" then table.insert(tokens, value) else table.insert(skus, value) end
  end
  math.randomseed(os.time() + tid)
end

function request()
  counter = counter + 1
  local body = '{"lines":[{"sku_id":' .. skus[math.random(#skus)] .. ',"quantity":1}],"payment_method":"'
    .. method .. '"}'
  return wrk.format("POST", "/api/v1/store/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1],
    ["Idempotency-Key"] = "bench-" .. nonce .. "-" .. tid .. "-" .. counter,
  }, body)
end
