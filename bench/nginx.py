"""A private nginx in front of the site under test: deploy/nginx.conf, rendered for the bench.

The configuration the README shows is the one measured: `render` changes only the addresses
and directories of deploy/nginx.conf, and fails if it cannot find them. Around it, `main_conf`
writes what Debian's /etc/nginx/nginx.conf would hold, with every path in the run's directory,
and a second server on the same nginx serves a static file: nginx's own limit on this machine.
"""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from .server import HOST, PROJECT_DIR, background, free_port, log_tail

DEPLOY_CONF = PROJECT_DIR / "deploy" / "nginx.conf"
STATIC_FILE = "article.html"


def find_nginx(install: bool):
    """nginx's path; when missing and `install` is set, try apt-get (as root) first."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not found and install and shutil.which("apt-get") and os.geteuid() == 0:
        print("nginx is not installed: apt-get install -y nginx ...", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(["apt-get", "install", "-y", "nginx"], **quiet).returncode:
            subprocess.run(["apt-get", "update"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "nginx"], **quiet)
        found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    return found


def version(binary: str) -> str:
    """ "1.22.1", from `nginx -v` (which writes to stderr)."""
    output = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr
    return output.strip().rsplit("/", 1)[-1]


def render(*, upstream_port: int | list[int], port: int, redirect_port: int, workdir: Path,
           env) -> str:  # fmt: skip
    """deploy/nginx.conf with the bench's gunicorn (or several), ports, certificate and
    directories in place of the production ones."""
    upstreams = upstream_port if isinstance(upstream_port, list) else [upstream_port]
    text = DEPLOY_CONF.read_text()
    tls = workdir / "tls"
    replacements = {
        "server 127.0.0.1:8000;": " ".join(f"server {HOST}:{p};" for p in upstreams),
        "listen 80;": f"listen {HOST}:{redirect_port};",
        "listen 443 ssl": f"listen {HOST}:{port} ssl",
        "/etc/letsencrypt/live/example.com/fullchain.pem": str(tls / "cert.pem"),
        "/etc/letsencrypt/live/example.com/privkey.pem": str(tls / "key.pem"),
        "/var/cache/nginx/broadsheet": str(workdir / "nginx-cache"),
        "/srv/broadsheet/staticfiles/": f"{env['STATIC_ROOT']}/",
        "/srv/broadsheet/media/": f"{env['MEDIA_ROOT']}/",
    }
    lines = text.splitlines()
    for production, bench in replacements.items():
        # Only in directives: the comments at the top name the same values.
        found = [i for i, line in enumerate(lines) if production in line.split("#")[0]]
        if not found:
            raise RuntimeError(f"{DEPLOY_CONF} no longer holds {production!r}: update {__name__}")
        for i in found:
            lines[i] = lines[i].replace(production, bench)
    return "\n".join(lines)


def self_signed_certificate(workdir: Path):
    """A certificate for 127.0.0.1 in workdir/tls, as `render` expects it."""
    tls = workdir / "tls"
    tls.mkdir(exist_ok=True)
    command = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
               "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)


def main_conf(site_conf: str, *, static_port: int, workdir: Path) -> str:
    """A whole nginx.conf: the main context, the site, and the static file's server."""
    temp = workdir / "nginx-temp"
    return f"""\
daemon off;
# The master runs as whoever runs the bench; as root, its workers must read the run's
# directories, which only root can.
{"user root;" if os.geteuid() == 0 else ""}
worker_processes auto;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx-error.log"} warn;

events {{
    worker_connections 1024;
}}

http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    # Both measured servers would log alike; off, a long run writes no large file.
    access_log off;
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;

{site_conf}

    # nginx's own limit: a file of the article page's size (see write_static_file), over
    # TLS with the same certificate, like the pages.
    server {{
        listen {HOST}:{static_port} ssl;
        ssl_certificate {workdir / "tls" / "cert.pem"};
        ssl_certificate_key {workdir / "tls" / "key.pem"};
        ssl_protocols TLSv1.2 TLSv1.3;
        root {workdir / "nginx-static"};
    }}
}}
"""


@contextmanager
def nginx(
    binary: str, *, upstream_port: int | list[int], port: int, static_port: int, workdir: Path, env
):
    """Run nginx in the foreground until the block ends, and stop it even on errors.

    The site answers https on `port` (and redirects plain http from a port of its own), the
    static file https on `static_port`.
    """
    (workdir / "nginx-temp").mkdir(exist_ok=True)
    (workdir / "nginx-static").mkdir(exist_ok=True)
    self_signed_certificate(workdir)
    site_conf = render(upstream_port=upstream_port, port=port, redirect_port=free_port(),
                       workdir=workdir, env=env)  # fmt: skip
    conf = workdir / "nginx.conf"
    conf.write_text(main_conf(site_conf, static_port=static_port, workdir=workdir))
    log = workdir / "nginx.log"
    test = subprocess.run([binary, "-t", "-q", "-p", str(workdir), "-e", str(log), "-c", str(conf)],
                          capture_output=True, text=True)  # fmt: skip
    if test.returncode:
        raise RuntimeError(f"nginx refuses {conf}:\n{test.stderr}")
    command = [binary, "-p", str(workdir), "-e", str(log), "-c", str(conf)]
    with background(command, os.environ, workdir / "nginx.out") as process:
        wait_for_port(process, port, log)
        yield process


def wait_for_port(process, port: int, log_path: Path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited early:\n{log_tail(log_path)}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen within {timeout:.0f}s:\n{log_tail(log_path)}")


def write_static_file(workdir: Path, body: bytes) -> str:
    """Serve `body` as the static file; its path."""
    (workdir / "nginx-static" / STATIC_FILE).write_bytes(body)
    return f"/{STATIC_FILE}"
