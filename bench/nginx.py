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
           env, text: str | None = None, plain_port: int | None = None) -> str:  # fmt: skip
    """deploy/nginx.conf (or `text`) with the bench's gunicorn (or several), ports, certificate
    and directories in place of the production ones; with `plain_port`, the site answers plain
    HTTP there as well (as behind a load balancer that ends TLS)."""
    upstreams = upstream_port if isinstance(upstream_port, list) else [upstream_port]
    text = DEPLOY_CONF.read_text() if text is None else text
    tls = workdir / "tls"
    plain = f"listen {HOST}:{plain_port}; " if plain_port else ""
    replacements = {
        "server 127.0.0.1:8000;": " ".join(f"server {HOST}:{p};" for p in upstreams),
        "listen 80;": f"listen {HOST}:{redirect_port};",
        "listen 443 ssl": f"{plain}listen {HOST}:{port} ssl",
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


# Debian bookworm's /etc/nginx/nginx.conf (nginx-common 1.22.1-9), byte for byte: what the
# bench runs on where nginx is not Debian's own.
DEBIAN_NGINX_CONF = """\
user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
include /etc/nginx/modules-enabled/*.conf;

events {
	worker_connections 768;
	# multi_accept on;
}

http {

	##
	# Basic Settings
	##

	sendfile on;
	tcp_nopush on;
	types_hash_max_size 2048;
	# server_tokens off;

	# server_names_hash_bucket_size 64;
	# server_name_in_redirect off;

	include /etc/nginx/mime.types;
	default_type application/octet-stream;

	##
	# SSL Settings
	##

	ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; # Dropping SSLv3, ref: POODLE
	ssl_prefer_server_ciphers on;

	##
	# Logging Settings
	##

	access_log /var/log/nginx/access.log;

	##
	# Gzip Settings
	##

	gzip on;

	# gzip_vary on;
	# gzip_proxied any;
	# gzip_comp_level 6;
	# gzip_buffers 16 8k;
	# gzip_http_version 1.1;
	# gzip_types text/plain text/css application/json application/javascript text/xml application/xml application/xml+rss text/javascript;

	##
	# Virtual Host Configs
	##

	include /etc/nginx/conf.d/*.conf;
	include /etc/nginx/sites-enabled/*;
}


#mail {
#	# See sample authentication script at:
#	# http://wiki.nginx.org/ImapAuthenticateWithApachePhpScript
#
#	# auth_http localhost/auth.php;
#	# pop3_capabilities "TOP" "USER";
#	# imap_capabilities "IMAP4rev1" "UIDPLUS";
#
#	server {
#		listen     localhost:110;
#		protocol   pop3;
#		proxy      on;
#	}
#
#	server {
#		listen     localhost:143;
#		protocol   imap;
#		proxy      on;
#	}
#}
"""  # noqa: E501 (Debian's gzip_types line, as Debian writes it)
DEBIAN_CONF_PATH = Path("/etc/nginx/nginx.conf")


def main_conf(site_conf: str, *, static_port: int, workdir: Path, debian_conf: str | None = None,
              run_as_root: bool | None = None) -> str:  # fmt: skip
    """Debian's nginx.conf (this machine's, else bookworm's), run from `workdir`.

    Only what an unprivileged nginx in the run's directory must change is changed: the user,
    the pid file, the logs, the temporary directories, and conf.d / sites-enabled, whose
    places the site and the static file's server take. `sendfile on; tcp_nopush on;`, gzip and
    the rest stay as every Debian user has them. Fails if an expected line is missing.
    """
    if debian_conf is None:
        exists = DEBIAN_CONF_PATH.exists()
        debian_conf = DEBIAN_CONF_PATH.read_text() if exists else DEBIAN_NGINX_CONF
    if run_as_root is None:
        run_as_root = os.geteuid() == 0
    temp, tls = workdir / "nginx-temp", workdir / "tls"
    # Debian's temporary directories are compiled in, under /var/lib/nginx, which only root
    # may write; conf.d's place is the first in the http block that takes them.
    site = f"""\
client_body_temp_path {temp}/client_body;
proxy_temp_path {temp}/proxy;
fastcgi_temp_path {temp}/fastcgi;
uwsgi_temp_path {temp}/uwsgi;
scgi_temp_path {temp}/scgi;

{site_conf}
"""
    # nginx's own limit: a file of the article page's size (see write_static_file), over TLS
    # with the same certificate, like the pages.
    static_server = f"""\
server {{
    listen {HOST}:{static_port} ssl;
    ssl_certificate {tls / "cert.pem"};
    ssl_certificate_key {tls / "key.pem"};
    ssl_protocols TLSv1.2 TLSv1.3;
    root {workdir / "nginx-static"};
}}
"""
    replacements = {
        # As root, the workers must read the run's directories, which only root can; otherwise
        # nginx runs as whoever runs the bench and takes no `user`.
        "user www-data;": "user root;" if run_as_root else "",
        "pid /run/nginx.pid;": f"pid {workdir / 'nginx.pid'};",
        "error_log /var/log/nginx/error.log;": f"error_log {workdir / 'nginx-error.log'};",
        "access_log /var/log/nginx/access.log;": f"access_log {workdir / 'nginx-access.log'};",
        "include /etc/nginx/conf.d/*.conf;": site,
        "include /etc/nginx/sites-enabled/*;": static_server,
    }
    lines = debian_conf.splitlines()
    for debian, bench in replacements.items():
        # Only in directives: Debian's comments may name the same values.
        found = [i for i, line in enumerate(lines) if line.split("#")[0].strip() == debian]
        if not found:
            raise RuntimeError(f"{DEBIAN_CONF_PATH} no longer holds {debian!r}: update {__name__}")
        for i in found:
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines[i] = "\n".join(indent + line if line else line for line in bench.splitlines())
    # In the foreground, so that the bench can stop it.
    return "daemon off;\n" + "\n".join(lines) + "\n"


@contextmanager
def nginx(binary: str, *, upstream_port: int | list[int], port: int, static_port: int,
          workdir: Path, env, text: str | None = None, plain_port: int | None = None):  # fmt: skip
    """Run nginx in the foreground until the block ends, and stop it even on errors.

    The site answers https on `port` (and redirects plain http from a port of its own, or
    answers it on `plain_port`), the static file https on `static_port`. `text`: a site
    configuration other than deploy/nginx.conf.
    """
    (workdir / "nginx-temp").mkdir(exist_ok=True)
    (workdir / "nginx-static").mkdir(exist_ok=True)
    self_signed_certificate(workdir)
    site_conf = render(upstream_port=upstream_port, port=port, redirect_port=free_port(),
                       workdir=workdir, env=env, text=text, plain_port=plain_port)  # fmt: skip
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
