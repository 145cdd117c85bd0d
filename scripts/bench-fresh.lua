-- wrk: every request a URL of its own (`&bench=<thread>-<n>`, which the pages ignore), so no
-- answer comes from the page cache: the rate at which the server renders the page.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local n = 0
function request()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "bench=" .. id .. "-" .. n)
end
