"""Load generators: each runs one page for a fixed time and returns a `Run`.

wrk is preferred: it is C, so it takes little of the CPU the server needs. The Python generator
(one process per connection, http.client) is the fallback where wrk cannot be installed.
"""

import json
import multiprocessing
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .pages import UNIQUE, Page
from .server import HOST, connection

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")


@dataclass
class Run:
    requests: int
    seconds: float
    errors: int  # failed connections, timeouts and unexpected statuses
    p50_ms: float
    p99_ms: float

    @property
    def rps(self):
        return self.requests / self.seconds


def find_wrk(install: bool):
    """wrk's path; when missing and `install` is set, try apt-get (as root) first."""
    if not shutil.which("wrk") and install and shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is not installed: apt-get install -y wrk ...", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet).returncode:
            subprocess.run(["apt-get", "update"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet)
    return shutil.which("wrk")


def run_wrk(
    wrk: str, port: int, page: Page, *, connections: int, duration: int, scheme="http"
) -> Run:
    command = [wrk, "--threads", "1", "--connections", str(connections)]
    command += ["--duration", f"{duration}s", "--timeout", "10s", "--script", str(WRK_SCRIPT)]
    for name, value in page.request_headers().items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"{scheme}://{HOST}:{port}{page.path}")
    env = {**os.environ, "BENCH_METHOD": page.method, "BENCH_BODY": page.body}
    env |= {"BENCH_UNIQUE": UNIQUE, "BENCH_RUN": secrets.token_hex(4)}
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    summary = next(line for line in output.splitlines() if line.startswith("BENCH "))
    return Run(**json.loads(summary.removeprefix("BENCH ")))


def _python_connection(port, page: Page, duration: float, scheme: str):
    """One client: request `page` back to back until the time is up; (latencies, errors)."""
    conn = connection(scheme, port)
    headers = page.request_headers()
    run = secrets.token_hex(4)
    latencies, errors = [], 0
    deadline = time.perf_counter() + duration
    while (start := time.perf_counter()) < deadline:
        count = len(latencies) + errors
        body = page.request_body(f"{run}-{count}") or None
        if body:  # a reader of its own, as wrk.lua does: see there
            n = (int(run, 16) + count) % 2**24
            headers["X-Forwarded-For"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        try:
            conn.request(page.method, page.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != page.expect_status:
                errors += 1
        except OSError:
            errors += 1
            conn.close()
            continue
        latencies.append(time.perf_counter() - start)
    conn.close()
    return latencies, errors


def run_python(port: int, page: Page, *, connections: int, duration: int, scheme="http") -> Run:
    args = [(port, page, duration, scheme)] * connections
    # Pool.terminate ends the workers with SIGTERM: they must die at once, not run the
    # handler bench.__main__ installed (a worker exiting politely can wait forever on a lock
    # of the pool's queue that another worker held when it was killed).
    reset = (signal.SIGTERM, signal.SIG_DFL)
    with multiprocessing.get_context("fork").Pool(connections, signal.signal, reset) as pool:
        results = pool.starmap(_python_connection, args)
    latencies = sorted(latency * 1000 for latency_list, _ in results for latency in latency_list)
    percentiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Run(
        requests=len(latencies),
        seconds=duration,
        errors=sum(errors for _, errors in results),
        p50_ms=percentiles[49],
        p99_ms=percentiles[98],
    )
