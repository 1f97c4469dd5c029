"""Benchmark Broadsheet's pages against a minimal Django view, served by gunicorn.

    uv run python -m bench [--suite comments] [--duration 5] [--rounds 3] [--pages home,article]

Seeds a scratch database, serves it with gunicorn (production settings), loads each page in
turn for several short rounds, prints a table and writes bench/results/latest.json (or
latest-<suite>.json). Each page's requests/s is also given as a ratio to the minimal view's,
which goes through the same server and middleware: the ratio is what to compare between
machines and commits. Pages that need another server setup (Akismet, a task worker) are
measured on their own server afterwards, each beside the minimal view again.

`--wordpress PAGE=URL` (repeatable) loads a WordPress page on this machine in the same rounds,
and gives each of our pages of that name its ratio to WordPress's; without it, ratios are to the
minimal view only.

`--suite longtail` replays readers spread over 10,000 articles as a Zipf distribution, with
and without an editor publishing and editing every minute, and reports the page cache's hit
ratio and p99 side by side (see bench/longtail.py).

`--suite scale` is issue #5's benchmark: 100 and 10,000 articles, with and without the page
cache, and through nginx, all side by side (see bench/scale.py):

    uv run python -m bench --suite scale --database-url postgres://postgres@127.0.0.1:5432/test \
        --redis-url redis://127.0.0.1:6379/5
"""

import argparse
import datetime
import functools
import json
import os
import platform
import signal
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import django
import gunicorn

from . import load, longtail, rounds, scale, server
from .pages import MINIMAL, RESOLVERS, SUITES, Page

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def parse_args():
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n")[0],
    )
    parser.add_argument(
        "--duration", type=int, help="seconds per page per round (5; the scale suite: 3)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="rounds over all pages (3; the scale suite: 6)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=4,
        help="concurrent connections (%(default)s: twice the workers, so none waits idle)",
    )
    parser.add_argument(
        "--articles",
        type=int,
        help="articles to seed (100; the scale suite's large site: 10,000)",
    )
    parser.add_argument(
        "--comments-per-article",
        type=int,
        help="approved comments on each (5; the scale suite: 20, so 200,000 on 10,000 articles)",
    )
    parser.add_argument(
        "--small-articles",
        type=int,
        default=100,
        help="the scale suite's small site, to compare p99 with (%(default)s articles)",
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/db) to create a scratch database "
        "on; default: SQLite in a temporary directory",
    )
    parser.add_argument(
        "--redis-url",
        help="a Redis database for the site's cache (redis://127.0.0.1:6379/5: pick a number "
        "nothing else uses); keys get a prefix of the run's, deleted afterwards; default: a "
        "file cache in the temporary directory",
    )
    parser.add_argument(
        "--suite",
        choices=SUITES,
        default="default",
        help="; ".join(f"{name}: {','.join(pages)}" for name, pages in SUITES.items()),
    )
    parser.add_argument(
        "--pages",
        type=lambda value: value.split(","),
        help=f"comma-separated, instead of the suite's, from: {','.join(RESOLVERS)} "
        "(minimal is always added)",
    )
    parser.add_argument(
        "--wordpress",
        action="append",
        default=[],
        metavar="PAGE=URL",
        type=wordpress_page,
        help="a WordPress page on this machine to load in the same rounds as ours, e.g. "
        "article-50-cold=http://127.0.0.1:8080/2026/11/05/hello/ (repeat for each page): the "
        "table then gives our page's ratio to WordPress's page of the same name",
    )
    parser.add_argument(
        "--edit-every",
        type=float,
        default=60,
        help="the longtail suite: seconds between the editor's publish-and-edit (%(default)s)",
    )
    parser.add_argument(
        "--zipf",
        type=float,
        default=1.0,
        help="the longtail suite: the Zipf exponent of reads over articles (%(default)s)",
    )
    parser.add_argument(
        "--load-tool",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="auto (default): wrk, installed with apt-get if missing and possible, else python",
    )
    args = parser.parse_args()
    scale_suite, longtail_suite = args.suite == "scale", args.suite == "longtail"
    if (scale_suite or longtail_suite) and args.pages:
        parser.error(f"the {args.suite} suite loads its own pages on its own servers: no --pages")
    # The scale suite compares pages on several servers: more, shorter rounds mix them better
    # with the other work on the machine. The longtail suite's phases must outlast several edits.
    if args.duration is None:
        args.duration = 180 if longtail_suite else 3 if scale_suite else 5
    if args.rounds is None:
        args.rounds = 1 if longtail_suite else 6 if scale_suite else 3
    if args.articles is None:
        args.articles = 10_000 if scale_suite or longtail_suite else 100
    if args.comments_per_article is None:
        args.comments_per_article = 20 if scale_suite else 5
    args.pages = args.pages or list(SUITES[args.suite])
    unknown = set(args.pages) - set(RESOLVERS)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if MINIMAL not in args.pages:
        args.pages.insert(0, MINIMAL)
    return args


def wordpress_page(value: str) -> rounds.Target:
    """`PAGE=URL`, for --wordpress: a target named `wordpress:PAGE`."""
    name, _, url = value.partition("=")
    parts = urlsplit(url)
    if not name or parts.scheme != "http" or parts.hostname != server.HOST or not parts.port:
        raise argparse.ArgumentTypeError(
            f"expected PAGE=http://{server.HOST}:PORT/path, got {value!r}"
        )
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    page = Page(f"wordpress:{name}", path or "/")
    return rounds.Target(page.name, parts.port, page)


def with_wordpress(rows, wordpress_rows):
    """Each of our rows with its ratio to WordPress's page of the same name, if measured."""
    theirs = {row["name"].removeprefix("wordpress:"): row["rps"] for row in wordpress_rows}
    minimal_rps = next(row["rps"] for row in rows if row["name"] == MINIMAL)
    for row in wordpress_rows:
        row["ratio_to_minimal"] = round(row["rps"] / minimal_rps, 3)
    for row in rows:
        if row["name"] in theirs:
            row["ratio_to_wordpress"] = round(row["rps"] / theirs[row["name"]], 3)
    return rows + wordpress_rows


def load_generator(args):
    """(description, run(port, page, duration=seconds) -> load.Run)."""
    wrk = load.find_wrk(install=True) if args.load_tool != "python" else None
    if args.load_tool == "wrk" and not wrk:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    if wrk:
        return "wrk, 1 thread", functools.partial(load.run_wrk, wrk, connections=args.connections)
    print("Using the Python load generator (apt-get install -y wrk for a lighter one).")
    return "Python, 1 process per connection", functools.partial(
        load.run_python, connections=args.connections
    )


def by_setup(pages):
    """The pages to load on each server setup, each group led by the minimal view."""
    minimal = next(page for page in pages if page.name == MINIMAL)
    groups = {}
    for page in pages:
        if page.name != MINIMAL:
            groups.setdefault(page.setup, [minimal]).append(page)
    return groups or {"": [minimal]}


def summarize(setup, pages, runs):
    rows = [{"setup": setup, **rounds.totals(page, runs[page.name])} for page in pages]
    minimal_rps = next(row["rps"] for row in rows if row["name"] == MINIMAL)
    for row in rows:
        row["ratio_to_minimal"] = round(row["rps"] / minimal_rps, 3)
    return rows


def print_table(meta, rows, stored):
    print()
    keys = ("suite", "server", "client", "database", "content", "schedule", "machine")
    for key in (*keys, "load average"):
        print(f"{key + ':':<14} {meta[key]}")
    header = ("page", "req/s", "p50 ms", "p99 ms", "× minimal", "× WordPress", "errors",
              "request")  # fmt: skip
    line = "{:<26} {:>8} {:>8} {:>8} {:>10} {:>11} {:>7}  {}"
    for index, row in enumerate(rows):
        if index == 0 or row["setup"] != rows[index - 1]["setup"]:
            print(f"\nSetup: {server.SETUPS[row['setup']]}")
            print(line.format(*header))
        print(
            line.format(
                row["name"],
                f"{row['rps']:.1f}",
                f"{row['p50_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                f"{row['ratio_to_minimal']:.3f}" if "ratio_to_minimal" in row else "",
                f"{row['ratio_to_wordpress']:.3g}" if "ratio_to_wordpress" in row else "",
                row["errors"],
                f"{row['method']} {row['path']}" + (f" ({row['note']})" if row["note"] else ""),
            )
        )
    for page in stored:
        verdicts = ", ".join(f"{n} {verdict}" for verdict, n in page["verdicts"].items())
        statuses = ", ".join(f"{n} {status}" for status, n in page["statuses"].items())
        line = f"{page['name']}: {page['stored']} stored; verdicts {verdicts}; statuses {statuses}"
        if page["unchecked_after_load"]:
            line += (
                f"; {page['unchecked_after_load']} were unchecked when the load ended, "
                f"the last check came {page['checked_within_s']} s later"
            )
        print(f"\n{line}")
    if any(row["errors"] for row in rows):
        print("\nSome requests failed: the numbers above are not trustworthy.")


def check_pages(port, pages, log_path):
    """Stop before measuring if a page answers with an error (or a redirect) instead."""
    for page in pages:
        status, _, _ = server.fetch(port, page)
        if status != page.expect_status:
            sys.exit(
                f"{page.method} {page.path} answered {status}, expected {page.expect_status}:\n"
                f"{server.log_tail(log_path)}"
            )


def main():
    args = parse_args()
    load_before = os.getloadavg()[0]
    client, run = load_generator(args)
    if args.suite == "scale":
        return scale.main(args, client, run)
    if args.suite == "longtail":
        return longtail.main(args, "Python, 1 process per connection")
    commit = server.git_commit()  # the code the servers load, before anyone commits more
    port = server.free_port()
    with tempfile.TemporaryDirectory(prefix="broadsheet-bench-") as tmp:
        workdir = Path(tmp)
        with server.scratch_database(workdir, args.database_url) as database_url:
            env = server.site_environment(workdir, database_url, port, args.redis_url)
            print(f"Preparing: {args.articles} articles, {args.comments_per_article} comments each")
            pages, _ = server.prepare(
                env,
                workdir,
                articles=args.articles,
                comments_per_article=args.comments_per_article,
                pages=args.pages,
            )
            rows, stored, wordpress = [], [], list(args.wordpress)
            for setup, group in by_setup(pages).items():
                print(f"Serving on {env['SITE_URL']}: {server.SETUPS[setup]}")
                with server.site(env, setup, port, workdir) as site_env:
                    group = [server.fill_form(port, p) if p.form_from else p for p in group]
                    check_pages(port, group, workdir / "gunicorn.log")
                    targets = [rounds.Target(page.name, port, page) for page in group]
                    # WordPress's pages go in the first server's rounds, beside ours.
                    targets += wordpress
                    runs, _ = rounds.measure(
                        targets, run, rounds=args.rounds, duration=args.duration
                    )
                    posted = [page.name for page in group if page.method == "POST"]
                    if posted:
                        print("Counting the comments posted, once checked ...", flush=True)
                        stored += server.tally(site_env, posted)
                rows += summarize(setup, group, runs)
                if wordpress:
                    theirs = [rounds.totals(t.page, runs[t.label]) for t in wordpress]
                    rows = with_wordpress(rows, [{"setup": setup, **row} for row in theirs])
                    wordpress = []
            server.delete_redis_keys(env)

    meta = {
        "suite": args.suite if args.pages == SUITES[args.suite] else ",".join(args.pages),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "server": f"gunicorn {gunicorn.__version__} {' '.join(server.GUNICORN_OPTIONS)}",
        "client": f"{client}, {args.connections} connections",
        "database": database_url.split(":", 1)[0],
        "content": f"{args.articles} articles, {args.comments_per_article} comments each",
        "schedule": f"{args.rounds} rounds × {args.duration} s per page, "
        f"{rounds.WARM_UP_SECONDS} s warm-up each",
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}",
        # Other work on the machine slows every page; the ratios suffer least from it.
        "load average": f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
    }
    print_table(meta, rows, stored)
    name = "latest" if args.suite == "default" else f"latest-{args.suite}"
    results = RESULTS_DIR / f"{name}.json"
    results.parent.mkdir(exist_ok=True)
    results.write_text(json.dumps({"meta": meta, "pages": rows, "stored": stored}, indent=2) + "\n")
    print(f"\nWrote {results.relative_to(server.PROJECT_DIR)}")


if __name__ == "__main__":
    # SIGTERM unwinds like Ctrl-C, so gunicorn is stopped and the scratch files go either way.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Interrupted.")
