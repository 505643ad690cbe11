-- wrk script of benchmarks/pool/run.py: the three requests in turn on every connection, statuses
-- counted by class, and one JSON line of totals and latency percentiles (microseconds) at the end.
-- POOL_BASIC: the Authorization header of the API page; POOL_COOKIE: the session cookie of the
-- boundary layer (it takes no Basic credentials); POOL_BOUNDARY: its path and query.

local basic = os.getenv("POOL_BASIC")
local cookie = os.getenv("POOL_COOKIE")
local boundary = os.getenv("POOL_BOUNDARY")

local requests_ = {
  wrk.format("GET", "/api/projects/?page_size=50", { ["Authorization"] = basic }),
  wrk.format("GET", "/readyz", {}),
  wrk.format("GET", boundary, { ["Cookie"] = cookie }),
}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n = math.random(0, 2)
  s2, s3, s4, s5 = 0, 0, 0, 0
end

function request()
  n = n + 1
  return requests_[(n % 3) + 1]
end

function response(status, headers, body)
  if status >= 500 then
    s5 = s5 + 1
  elseif status >= 400 then
    s4 = s4 + 1
  elseif status >= 300 then
    s3 = s3 + 1
  else
    s2 = s2 + 1
  end
end

function done(summary, latency, requests)
  local c = { s2 = 0, s3 = 0, s4 = 0, s5 = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do
      c[k] = c[k] + t:get(k)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'POOLBENCH {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"mean": %.1f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
    '"non_2xx_3xx": %d, "s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.timeout, e.status,
    c.s2, c.s3, c.s4, c.s5))
end
