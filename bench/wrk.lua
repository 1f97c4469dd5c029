-- The request comes from the environment (bench/load.py sets it); the summary is one JSON line.
wrk.method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
if body ~= "" then
  wrk.body = body
end

-- A POST body with the placeholder gets a new value in each request: "<run>-<counter>"
-- (unique as long as wrk runs one thread, as load.run_wrk asks).
local unique, run, counter = os.getenv("BENCH_UNIQUE"), os.getenv("BENCH_RUN"), 0
if body:find(unique, 1, true) then
  function request()
    counter = counter + 1
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
