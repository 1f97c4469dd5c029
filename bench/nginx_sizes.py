"""Cached pages of several sizes through nginx: deploy/nginx.conf as shipped, against the same
file without its `tcp_nopush off;`, side by side, on Debian's own nginx.conf.

    uv run python -m bench.nginx_sizes [--rounds 3] [--duration 2] [--connections 16]

Debian's nginx.conf sets `sendfile on; tcp_nopush on;`. nginx sends a cached page from its cache
file with sendfile(), and under TCP_CORK a page just over one TCP segment (64 KB on loopback)
kept its last part back until the client's delayed ACK: 40 ms a request (issue #15). The pages
here are served by a stub upstream once and from nginx's cache after that, so only nginx and
the kernel are measured, over plain HTTP (a site behind a load balancer that ends TLS) and
HTTPS. The ratio is shipped ÷ without the line, measured in the same rounds.
"""

import argparse
import re
import subprocess
import tempfile
import threading
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import load
from .nginx import DEPLOY_CONF, find_nginx, nginx
from .server import HOST, free_port

SIZES_KB = [12, 60, 70, 78, 100, 150]
FIX = "tcp_nopush off;"


class Pages(BaseHTTPRequestHandler):
    """/<n>: a cacheable HTML page of n bytes, as Broadsheet marks a page for shared caches."""

    def do_GET(self):
        body = b"<p>" + b"x" * max(0, int(self.path.strip("/")) - 7) + b"</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=0, s-maxage=3600")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def wrk(binary, url, *, connections, duration) -> tuple[float, str]:
    """(requests/s, p50) of `url`."""
    command = [binary, "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.nginx_sizes", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=2, help="seconds per page per round")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    binary, wrk_binary = find_nginx(install=True), load.find_wrk(install=True)
    if not (binary and wrk_binary):
        raise SystemExit("needs nginx and wrk (apt-get install -y nginx wrk)")
    shipped = DEPLOY_CONF.read_text()
    if FIX not in shipped:
        raise SystemExit(f"{DEPLOY_CONF} no longer holds {FIX!r}: update {__name__}")
    variants = {"shipped": shipped, f"without {FIX!r}": shipped.replace(FIX, "")}

    upstream = ThreadingHTTPServer((HOST, free_port()), Pages)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    urls = {}  # (variant, scheme, size) -> url
    with tempfile.TemporaryDirectory(prefix="bench-nginx-sizes-") as tmp, ExitStack() as stack:
        for n, (variant, text) in enumerate(variants.items()):
            workdir = Path(tmp) / str(n)
            workdir.mkdir()
            env = {"STATIC_ROOT": str(workdir / "static"), "MEDIA_ROOT": str(workdir / "media")}
            port, plain = free_port(), free_port()
            stack.enter_context(nginx(binary, upstream_port=upstream.server_address[1],
                                      port=port, static_port=free_port(), workdir=workdir,
                                      env=env, text=text, plain_port=plain))  # fmt: skip
            for scheme, p in (("http", plain), ("https", port)):
                for kb in SIZES_KB:
                    urls[variant, scheme, kb] = url = f"{scheme}://{HOST}:{p}/{kb * 1000}"
                    subprocess.run(["curl", "-sko", "/dev/null", url], check=True)  # cache it
        runs = {key: [] for key in urls}
        for _ in range(args.rounds):
            for key, url in urls.items():
                runs[key].append(wrk(wrk_binary, url, connections=args.connections,
                                     duration=args.duration))  # fmt: skip
    upstream.shutdown()

    names = list(variants)
    print(f"nginx {HOST}, {args.connections} connections, {args.rounds} rounds × "
          f"{args.duration} s; requests/s (median) and p50")  # fmt: skip
    print(f"{'page':<14}" + "".join(f"{name:>32}" for name in names) + f"{'ratio':>8}")
    for scheme in ("http", "https"):
        for kb in SIZES_KB:
            cells, rates = [], []
            for name in names:
                done = sorted(runs[name, scheme, kb])
                rate, p50 = done[len(done) // 2]
                rates.append(rate)
                cells.append(f"{rate:>22,.0f} ({p50:>7})")
            print(f"{scheme + ' ' + str(kb) + ' KB':<14}" + "".join(f"{c:>32}" for c in cells)
                  + f"{rates[0] / rates[1]:>7.1f}×")  # fmt: skip


if __name__ == "__main__":
    main()
