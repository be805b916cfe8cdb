-- wrk: random BIP publication pages among FIRST_ID .. FIRST_ID+COUNT-1.
local first = tonumber(os.getenv("FIRST_ID") or "1")
local count = tonumber(os.getenv("COUNT") or "100000")
local n = 0
function setup(thread)
  n = n + 1
  thread:set("seed", n)
end
function init(args)
  math.randomseed(seed * 7919)
end
function request()
  return wrk.format("GET", "/bip/publikacje/" .. math.random(first, first + count - 1))
end
