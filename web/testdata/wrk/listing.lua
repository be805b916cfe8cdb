-- wrk: random pages 1..250 of a category's listing (20 a page).
local n = 0
function setup(thread)
  n = n + 1
  thread:set("seed", n)
end
function init(args)
  math.randomseed(seed * 7919)
end
function request()
  return wrk.format("GET", "/bip/kategoria/uchwaly?strona=" .. math.random(1, 250))
end
