-- wrk script for scripts/bench-search-api.sh: cycles through the request paths in the file
-- named by the QUERIES environment variable (one path a line: the search benchmark's
-- 80-request mix, written by `seed_knowledge --queries-out`), each thread starting at a
-- different point of the mix; reports latency percentiles and non-2xx answers.

local paths = {}
local next_index = 1
local thread_count = 0

function setup(thread)
   thread:set("thread_number", thread_count)
   thread_count = thread_count + 1
end

function init(args)
   local file = assert(io.open(os.getenv("QUERIES"), "r"), "QUERIES: cannot open the query file")
   for line in file:lines() do
      if #line > 0 then paths[#paths + 1] = line end
   end
   file:close()
   assert(#paths > 0, "QUERIES: no paths")
   local n = tonumber(thread_number) or 0
   next_index = (n * 37) % #paths + 1
end

function request()
   local path = paths[next_index]
   next_index = next_index % #paths + 1
   return wrk.format("GET", path)
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local non2xx = summary.errors.status
   local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   io.write("--- search API under wrk ---\n")
   io.write(string.format("requests: %d in %.1f s; requests/s: %.1f\n",
      summary.requests, seconds, summary.requests / seconds))
   io.write(string.format("non-2xx answers: %d; socket errors: %d (timeouts %d)\n",
      non2xx, errors, summary.errors.timeout))
   io.write(string.format("latency ms: mean %.2f, p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f\n",
      latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
