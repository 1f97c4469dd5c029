"""Profile one cold page in-process: where a page drawn with every cache empty spends its time.

    uv run python -m bench.profile [--page article-50-cold] [--requests 50] [--top 40]

Seeds a scratch SQLite database as the benchmark does (bench.prepare), then requests the page
through Django's test client under the cold settings (bench/settings_cold.py: every cache
empty), with cProfile on, and prints the functions that took the most time, cumulative and
own, plus the queries one request makes. Profiles kept in bench/profiles/ come from this.
"""

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .server import site_environment


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--page", default="article-50-cold")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--callees", help="also print what functions matching this call")
    parser.add_argument("--callers", help="also print what calls functions matching this")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="broadsheet-profile-"))
    os.environ.update(
        site_environment(workdir, f"sqlite:///{workdir / 'profile.sqlite3'}", port=8000),
        DJANGO_SETTINGS_MODULE="bench.settings_cold",
        DJANGO_ALLOWED_HOSTS="testserver",
        PAGE_CACHE_SECONDS="0",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from .pages import RESOLVERS
    from .prepare import SEED

    call_command("migrate", interactive=False, verbosity=0)
    call_command("generate_content", f"--articles={args.articles}", "--comments-per-article=5",
                 f"--seed={SEED}", verbosity=0)  # fmt: skip
    call_command("collectstatic", interactive=False, verbosity=0)
    page = RESOLVERS[args.page]()
    client = Client()
    assert client.get(page.path).status_code == 200
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(page.path)
    started = time.perf_counter()
    for _ in range(args.requests):
        client.get(page.path)
    plain = (time.perf_counter() - started) / args.requests
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        client.get(page.path)
    profiler.disable()
    elapsed = (time.perf_counter() - started) / args.requests
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    if args.callees:
        stats.print_callees(args.callees)
    if args.callers:
        stats.print_callers(args.callers)
    print(f"{page.name} {page.path}: {plain * 1000:.2f} ms per request "
          f"({elapsed * 1000:.2f} ms under cProfile), {len(queries)} queries")  # fmt: skip
    for sql in queries:
        print(f"  {sql[:160]}")
    print(out.getvalue())
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
