"""The scale suite: issue #5's measurements, side by side in one run, against its goals.

    uv run python -m bench --suite scale \\
        --database-url postgres://postgres@127.0.0.1:5432/test --redis-url redis://127.0.0.1:6379/5

Two sites are seeded by generate_content on scratch databases, with the same comments per
article so that their article pages are alike: a small one (--small-articles, 100) and a large
one (--articles, 10,000, × --comments-per-article, 20: 200,000 comments). Each is served by two
gunicorns: one with the page cache as configured, one with PAGE_CACHE_SECONDS=0. nginx, with
deploy/nginx.conf (over https, with a self-signed certificate), fronts the large site's cached
gunicorn and serves a static file of the article page's size beside it. Comments are posted
(Akismet off) to the large cached site, on an article that no other page loads.

All the servers run at once. Each round loads every page of every server in turn, a page's
servers next to each other, so that a busy moment on the shared machine weighs on both sides
of each comparison: a page's rate against its server's minimal view (nginx's: the static
file), and a page's p99 on the large site against the small one. About 11 minutes, 20-40 s of
them seeding: too few to be worth keeping the databases between runs.
"""

import dataclasses
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import django
import gunicorn

from . import nginx, rounds, server
from .pages import MINIMAL, Page

RESULTS = Path(__file__).resolve().parent / "results" / "latest-scale.json"
STATIC = "static"
SMALL_PAGES = [MINIMAL, "article", "article-50", "category", "tag"]
LARGE_PAGES = [MINIMAL, "home", "article", "article-50", "category", "tag", "search", "feed"]
# The order of a round: each page on every server in turn, comparisons next to each other.
PAGE_ORDER = [MINIMAL, "article", "article-50", "category", "tag", "home", "search", "feed"]
SCALED_PAGES = ["article", "article-50", "category", "tag"]
# Issue #5's goals.
CACHED_GOAL, UNCACHED_GOAL, NGINX_GOAL, SCALE_GOAL, RSS_GOAL_MB = 0.8, 0.35, 0.5, 1.2, 150


@dataclasses.dataclass
class Server:
    """A group of the table: its pages (each on its port), and the page its ratios are to."""

    key: str
    title: str
    targets: list[rounds.Target]
    baseline: str = MINIMAL
    process: object = None
    log: Path | None = None


def targets(key: str, port: int, pages: list[Page]):
    return [rounds.Target(f"{key} {page.name}", port, page) for page in pages]


@dataclasses.dataclass
class Site:
    key: str
    articles: int
    env: dict
    pages: dict[str, Page]
    prepared: dict


def main(args, client: str, run):
    load_before = os.getloadavg()[0]
    # The code the servers load now; others may commit while the run goes on.
    commit = server.git_commit()
    if not args.database_url:
        print("No --database-url: SQLite, not the PostgreSQL the issue's goals are set for.")
    if not args.redis_url:
        print("No --redis-url: each site caches in files, not in Redis as in production.")
    nginx_binary = nginx.find_nginx(install=True)
    if not nginx_binary:
        sys.exit("nginx is not installed (apt-get install -y nginx)")
    sizes = {"small": args.small_articles, "large": args.articles}
    with tempfile.TemporaryDirectory(prefix="broadsheet-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        sites = {}
        for key, articles in sizes.items():
            site_dir = workdir / key
            site_dir.mkdir()
            database_url = stack.enter_context(server.scratch_database(site_dir, args.database_url))
            env = server.site_environment(site_dir, database_url, 0, args.redis_url)
            stack.callback(server.delete_redis_keys, env)
            names = SMALL_PAGES if key == "small" else [*LARGE_PAGES, "comment-post-aside"]
            print(
                f"Preparing the {key} site: {articles:,} articles, "
                f"{args.comments_per_article} comments each",
                flush=True,
            )
            pages, prepared = server.prepare(
                env,
                site_dir,
                articles=articles,
                comments_per_article=args.comments_per_article,
                pages=names,
            )
            print(f"  seeded in {prepared['seeded_seconds']} s", flush=True)
            sites[key] = Site(key, articles, env, {page.name: page for page in pages}, prepared)

        servers = start_servers(stack, sites, workdir, nginx_binary)
        schedule = [target for s in servers for target in s.targets]
        schedule.sort(key=lambda target: round_position(target, servers))
        headers_before = cache_headers(schedule)
        print(f"Measuring {len(schedule)} pages on {len(servers)} servers", flush=True)
        runs, load_averages = rounds.measure(
            schedule, run, rounds=args.rounds, duration=args.duration
        )
        headers_after = cache_headers(schedule)
        memory = {s.key: server.worker_rss(s.process) for s in servers if s.key != "nginx"}
        print("Counting the comments posted ...", flush=True)
        stored = server.tally(sites["large"].env, ["comment-post"])

    rows = []
    for s in servers:
        group = [
            {
                "server": s.key,
                **rounds.totals(target.page, runs[target.label]),
                "cache_first": headers_before[target.label],
                "cache_after": headers_after[target.label],
            }
            for target in s.targets
        ]
        baseline = next(row["rps"] for row in group if row["name"] == s.baseline)
        for row in group:
            row["baseline"] = s.baseline
            row["ratio"] = round(row["rps"] / baseline, 3)
        rows += group
    meta = {
        "suite": "scale",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "server": f"gunicorn {gunicorn.__version__} {' '.join(server.GUNICORN_OPTIONS)}; "
        f"nginx {nginx.version(nginx_binary)}",
        "client": f"{client}, {args.connections} connections",
        "database": args.database_url.split(":", 1)[0] if args.database_url else "sqlite",
        "cache": "redis" if args.redis_url else "files",
        "content": "; ".join(
            f"{site.key}: {site.prepared['articles']:,} articles, "
            f"{site.prepared['comments']:,} comments, seeded in "
            f"{site.prepared['seeded_seconds']} s"
            for site in sites.values()
        ),
        "schedule": f"{args.rounds} rounds × {args.duration} s per page, "
        f"{rounds.WARM_UP_SECONDS} s warm-up each",
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}",
        "load average": f"{load_before:.1f} before; after each round "
        + ", ".join(f"{value:.1f}" for value in load_averages),
    }
    if server.git_commit() != commit:
        meta["commit"] += f" (the tree changed during the run: now {server.git_commit()})"
    titles = {s.key: s.title for s in servers}
    goals = judge(rows, memory)
    print_report(meta, titles, rows, goals, memory, stored)
    RESULTS.parent.mkdir(exist_ok=True)
    results = {"meta": meta, "servers": titles, "pages": rows, "goals": goals}
    results |= {"worker_rss_mb": memory, "stored": stored}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {RESULTS.relative_to(server.PROJECT_DIR)}")


def start_servers(stack, sites, workdir, nginx_binary):
    """A cached and an uncached gunicorn per site, and nginx before the large cached one."""
    servers = []
    for site in sites.values():
        for cached in (True, False):
            port = server.free_port()
            env = site.env | {"SITE_URL": f"http://{server.HOST}:{port}"}
            if not cached:
                env["PAGE_CACHE_SECONDS"] = "0"
            key = f"{site.key}-{'cached' if cached else 'uncached'}"
            title = (
                f"{site.articles:,} articles, page cache "
                + ("on" if cached else "off (PAGE_CACHE_SECONDS=0)")
                + f": gunicorn on :{port}"
            )
            names = SMALL_PAGES if site.key == "small" else LARGE_PAGES
            pages = [site.pages[name] for name in names]
            log = workdir / f"gunicorn-{key}.log"
            print(f"Starting {title}", flush=True)
            process = stack.enter_context(server.gunicorn(env, port, log))
            if cached and site.key == "large":
                # The comment form as readers get it: on the cached page.
                pages.append(server.fill_form(port, site.pages["comment-post"]))
            servers.append(Server(key, title, targets(key, port, pages), process=process, log=log))
            check_pages(servers[-1])

    upstream = next(s for s in servers if s.key == "large-cached")
    port, static_port = server.free_port(), server.free_port()
    process = stack.enter_context(
        nginx.nginx(
            nginx_binary,
            upstream_port=upstream.targets[0].port,
            port=port,
            static_port=static_port,
            workdir=workdir,
            env=sites["large"].env,
        )
    )
    article = sites["large"].pages["article-50"]
    status, _, body = server.fetch(port, article, scheme="https")
    if status != 200:
        sys.exit(f"GET {article.path} through nginx answered {status}")
    static = Page(STATIC, nginx.write_static_file(workdir, body), note=f"{len(body):,} bytes")
    title = (
        f"nginx with deploy/nginx.conf before the {sites['large'].articles:,}-article cached "
        f"gunicorn, https on :{port}; a static file of the article page's size on :{static_port}"
    )
    print(f"Starting {title}", flush=True)
    nginx_targets = [
        rounds.Target(f"nginx {page.name}", page_port, page, scheme="https")
        for page_port, page in ((static_port, static), (port, article))
    ]
    servers.append(Server("nginx", title, nginx_targets, baseline=STATIC, process=process))
    check_pages(servers[-1])
    check_bypass(port, article)
    return servers


def round_position(target, servers):
    """Where `target` goes in a round: by page, then by server, the baseline first."""
    server_keys = [s.key for s in servers]
    key, name = target.label.split(" ", 1)
    page = "article-50" if name == STATIC else name
    position = PAGE_ORDER.index(page) if page in PAGE_ORDER else len(PAGE_ORDER)
    return (position, server_keys.index(key), name != STATIC)


def check_pages(s: Server):
    """Stop before measuring if a page answers with an error (or a redirect) instead."""
    for target in s.targets:
        page = target.page
        status, _, _ = server.fetch(target.port, page, target.scheme)
        if status != page.expect_status:
            tail = server.log_tail(s.log) if s.log else ""
            sys.exit(
                f"{s.key}: {page.method} {page.path} answered {status}, expected "
                f"{page.expect_status}\n{tail}"
            )


def check_bypass(port: int, page: Page):
    """A reader with a personal cookie must get past nginx's cache."""
    personal = dataclasses.replace(page, headers={"Cookie": "comment_author=Reader"})
    _, headers, _ = server.fetch(port, personal, scheme="https")
    if headers.get("X-Cache-Status") != "BYPASS":
        sys.exit(f"nginx answered a reader with comment_author: {headers.get('X-Cache-Status')}")


def cache_headers(targets):
    """What answered each GET now: the page cache (X-Page-Cache), nginx (X-Cache-Status)."""
    seen = {}
    for target in targets:
        if target.page.method != "GET":
            seen[target.label] = ""
            continue
        _, headers, _ = server.fetch(target.port, target.page, target.scheme)
        # Through nginx, X-Page-Cache is the one nginx stored with the page: not news.
        seen[target.label] = headers.get("X-Cache-Status") or headers.get("X-Page-Cache") or ""
    return seen


def judge(rows, memory):
    """Each of issue #5's goals: what was measured, the goal, and whether it was met.

    Rates are compared as in the table (all rounds' requests over all rounds' seconds); the
    spread of the same ratio round by round is given beside it. A p99 is compared round by
    round, the large site's against the small site's measured just before it, and the median
    of those ratios is judged: a busy moment on the machine then weighs on both sides.
    """

    def row(server_key, name):
        return next(r for r in rows if r["server"] == server_key and r["name"] == name)

    def per_round(page, base, field):
        ratios = [a[field] / b[field] for a, b in zip(page["rounds"], base["rounds"], strict=True)]
        return statistics.median(ratios), min(ratios), max(ratios)

    goals = []

    def goal(what, measured, target, met, detail=""):
        goals.append(
            {"goal": what, "measured": measured, "target": target, "met": met, "detail": detail}
        )

    def rate_goal(what, page, base, target):
        ratio = round(page["rps"] / base["rps"], 3)
        _, low, high = per_round(page, base, "rps")
        goal(what, ratio, f">= {target}", ratio >= target, f"rounds {low:.2f}–{high:.2f}")

    for name, label in (("article-50", "50 comments"), ("article", "the top story")):
        page = row("large-cached", name)
        rate_goal(f"cached article ({label}) × minimal", page, row("large-cached", MINIMAL),
                  CACHED_GOAL)  # fmt: skip
        # The page cache looks up every anonymous GET, the minimal view's too: against the
        # minimal view of a server without it, the cached page pays for that lookup as well.
        rate_goal(f"cached article ({label}) × minimal without the page cache", page,
                  row("large-uncached", MINIMAL), CACHED_GOAL)  # fmt: skip
        rate_goal(f"uncached article ({label}) × minimal", row("large-uncached", name),
                  row("large-uncached", MINIMAL), UNCACHED_GOAL)  # fmt: skip
    rate_goal("article (50 comments) through nginx × static file", row("nginx", "article-50"),
              row("nginx", STATIC), NGINX_GOAL)  # fmt: skip
    for kind in ("cached", "uncached"):
        for name in SCALED_PAGES:
            large, small = row(f"large-{kind}", name), row(f"small-{kind}", name)
            median, low, high = per_round(large, small, "p99_ms")
            # The p50s' ratio moves far less from round to round: it tells a page whose
            # cost grows with the site from a p99 that a busy moment pushed up.
            p50, _, _ = per_round(large, small, "p50_ms")
            goal(
                f"p99 of {name} ({kind}), large site ÷ small site",
                round(median, 2),
                f"<= {SCALE_GOAL}",
                median <= SCALE_GOAL,
                f"rounds {low:.2f}–{high:.2f}; medians {large['p99_ms']:.1f} / "
                f"{small['p99_ms']:.1f} ms; p50s ÷ {p50:.2f}",
            )
    largest = max(size for sizes in memory.values() for size in sizes)
    goal("largest gunicorn worker RSS after the run, MB", largest, f"< {RSS_GOAL_MB}",
         largest < RSS_GOAL_MB)  # fmt: skip
    return goals


def print_report(meta, titles, rows, goals, memory, stored):
    print()
    for key, value in meta.items():
        print(f"{key + ':':<14} {value}")
    header = ("page", "req/s", "p50 ms", "p99 ms", "× base", "cache", "errors", "request")
    line = "{:<12} {:>9} {:>8} {:>8} {:>7} {:>10} {:>6}  {}"
    for index, row in enumerate(rows):
        if index == 0 or row["server"] != rows[index - 1]["server"]:
            print(f"\n{titles[row['server']]} (× base: × {row['baseline']})")
            print(line.format(*header))
        request = f"{row['method']} {row['path']}"
        if row["note"]:
            request += f" ({row['note']})"
        print(
            line.format(
                row["name"],
                f"{row['rps']:.1f}",
                f"{row['p50_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                f"{row['ratio']:.3f}",
                row["cache_after"] or "-",
                row["errors"],
                request,
            )
        )
    print("\nGunicorn workers' RSS after the run (MB): " + "; ".join(
        f"{key} {', '.join(str(size) for size in sizes)}" for key, sizes in memory.items()
    ))  # fmt: skip
    for page in stored:
        statuses = ", ".join(f"{n} {status}" for status, n in page["statuses"].items())
        print(f"{page['name']}: {page['stored']} stored ({statuses})")
    print("\nGoals (issue #5):")
    for goal in goals:
        verdict = "met" if goal["met"] else "NOT MET"
        detail = f"; {goal['detail']}" if goal["detail"] else ""
        print(f"  {verdict:<8} {goal['goal']}: {goal['measured']} (goal {goal['target']}{detail})")
    if any(row["errors"] for row in rows):
        print("\nSome requests failed: the numbers above are not trustworthy.")
