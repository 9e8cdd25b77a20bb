-- wrk script of bench/national_scale.py's load test: every request is the next of a list of
-- (session cookie, path) pairs the benchmark writes to the file named in LOAD_REQUESTS (one
-- "cookie<TAB>path" a line: several signed-in users, each on the pages of their role), so the
-- connections share the users in turn. Prints one JSON line at the end for the benchmark.

local pairs_file = os.getenv("LOAD_REQUESTS")
local requests = {}

for line in io.lines(pairs_file) do
  local cookie, path = line:match("^([^\t]+)\t(.+)$")
  if cookie then
    table.insert(requests, wrk.format("GET", path, {
      ["Cookie"] = "sessionid=" .. cookie,
      ["X-Forwarded-Proto"] = "https",
    }))
  end
end

local counter = 0

function init(args)
  -- Each thread starts at a different place in the list.
  counter = math.random(#requests)
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, ' ..
    '"max_ms": %.1f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
