-- wrk script: every request PUTs a 100-byte value to a new key, as bin/pbkv-bench compare does.
--   wrk -t2 -c64 -d10s -s bench/wrk-put.lua --latency http://127.0.0.1:8081
-- Each wrk thread runs its own copy of this script, with the same random sequence: the thread's number in the key
-- keeps two threads from writing the same keys.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

counter = 0
request = function()
  counter = counter + 1
  return wrk.format("PUT", "/kv/w/" .. id .. "-" .. tostring(math.random(1, 1000000000)) .. "-" .. counter,
    {["Content-Type"] = "application/octet-stream"}, string.rep("v", 100))
end
