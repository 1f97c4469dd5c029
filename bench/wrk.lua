-- The request comes from the environment (bench/load.py sets it); the summary is one JSON line.
wrk.method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
if body ~= "" then
  wrk.body = body
end

-- A POST body with the placeholder gets a new value in each request: "<run>-<counter>"
-- (unique as long as wrk runs one thread, as load.run_wrk asks), and comes from a reader of
-- its own: an X-Forwarded-For the site believes from 127.0.0.1 (TRUSTED_PROXIES), as behind
-- nginx, so the flood window stays on and each post is a new address.
local unique, run, counter = os.getenv("BENCH_UNIQUE"), os.getenv("BENCH_RUN"), 0
local offset = tonumber(run, 16) % 16777216
if body:find(unique, 1, true) then
  function request()
    counter = counter + 1
    -- From where this run's random number falls among 10.0.0.0/8: a later run (the next
    -- round, within the flood window) starts elsewhere, not on the same addresses again.
    local n = (offset + counter) % 16777216
    local address = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256,
                                  math.floor(n / 256) % 256, n % 256)
    wrk.headers["X-Forwarded-For"] = address
    return wrk.format(nil, nil, nil, (body:gsub(unique, run .. "-" .. counter)))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.6f, "errors": %d, "p50_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
