"""A long-tail replay: does publishing cool the site? (issue #15)

    uv run python -m bench --suite longtail --database-url postgres://postgres@127.0.0.1:5432/test \
        --redis-url redis://127.0.0.1:6379/5 [--articles 10000] [--duration 180] [--rounds 1]

Seeds a scratch site, serves it with gunicorn (production settings, the page cache on), and
replays readers whose requests spread over the articles as a Zipf distribution (the most read
article ranked 1, the ranks shuffled over the site's articles, the same in every phase). Each
round runs two phases on the same server, one after the other, each from an empty cache:

- quiet: readers only;
- editing: the same readers, while an editor publishes a new article and edits an old one (its
  body, saved as the admin saves it) every `--edit-every` seconds.

Reported for each phase: the page-cache hit ratio (the site's X-Page-Cache header) over all
requests and over revisits (a page already served in that phase before the request was sent:
a miss there is a page made cold by an edit, or expired), and the p50/p99 of article pages.
The goals: a revisit hit ratio ≥ 95% while editing, and the p99 while editing within 1.5× of
the quiet phase's.
"""

import datetime
import http.client
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from . import server
from .pages import MINIMAL

RESULTS = server.PROJECT_DIR / "bench" / "results" / "latest-longtail.json"
GOAL_HIT_RATIO = 0.95
GOAL_P99_RATIO = 1.5


def readers(port: int, paths: list[str], weights: list[float], *, clients: int, seconds: float,
            seed: int) -> list[tuple]:  # fmt: skip
    """Run `clients` reader processes for `seconds`; each request as (path index, ms, cache,
    started, ended), the last two on the wall clock the processes share."""
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    jobs = [(port, paths, cumulative, seconds, seed + n) for n in range(clients)]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        done = pool.starmap(_read, jobs)
    return [request for requests in done for request in requests]


def _read(port, paths, cumulative, seconds, seed):
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    requests = []
    while time.monotonic() < deadline:
        (index,) = rng.choices(range(len(paths)), cum_weights=cumulative)
        started, wall = time.perf_counter(), time.time()
        conn = http.client.HTTPConnection(server.HOST, port, timeout=30)
        conn.request("GET", paths[index])
        response = conn.getresponse()
        response.read()
        conn.close()
        elapsed = (time.perf_counter() - started) * 1000
        status = response.getheader("X-Page-Cache", "none") if response.status == 200 else "error"
        requests.append((index, elapsed, status, wall, wall + elapsed / 1000))
    return requests


def editor(stop: threading.Event, every: float, log: list[str]):
    """Publish a new article and edit an old one every `every` seconds, until `stop`."""
    from django.db import close_old_connections
    from django.utils import timezone

    from blog.editing import set_authors
    from blog.models import Article

    rng = random.Random(7)
    n = 0
    while not stop.wait(every):
        close_old_connections()
        n += 1
        model = Article.objects.published().order_by("-published_at").first()
        article = Article.objects.create(
            title=f"Breaking {n}: the long tail stays warm",
            slug=f"breaking-{n}-{rng.randrange(10**9)}",
            body="<p>Fresh news, published by the replay's editor.</p>",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        article.categories.set(model.categories.all())
        article.tags.set(list(model.tags.all()))
        set_authors(article, [a.user for a in model.authorships.all()])
        old = Article.objects.published().order_by("?").first()
        old.body += f"<p>Update {n}: corrected by the replay's editor.</p>"
        old.save()
        log.append(f"{time.strftime('%H:%M:%S')} published {article.slug}, edited {old.slug}")


def summary(requests) -> dict:
    """A revisit is a request for a page that an earlier request had been answered with
    before it was sent: a miss then is a page made cold since (two readers asking for a page
    no one has asked for yet both miss; that is not the cache's doing)."""
    first_answered = {}
    for index, _ms, _status, _started, ended in requests:
        first_answered[index] = min(ended, first_answered.get(index, ended))
    revisits, hits, revisit_hits = 0, 0, 0
    for index, _ms, status, started, _ended in requests:
        hit = status == "hit"
        hits += hit
        if started > first_answered[index]:
            revisits += 1
            revisit_hits += hit
    times = sorted(request[1] for request in requests)
    return {
        "requests": len(requests),
        "articles_read": len(first_answered),
        "errors": sum(request[2] == "error" for request in requests),
        "hit_ratio": round(hits / len(requests), 4),
        "revisit_hit_ratio": round(revisit_hits / revisits, 4) if revisits else None,
        "revisits": revisits,
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
    }


def flush(env):
    """Empty the site's cache: its own keys in Redis, or its cache directory."""
    if env.get("REDIS_URL"):
        server.delete_redis_keys(env)
    else:
        from django.core.cache import caches

        for alias in caches:
            caches[alias].clear()


def main(args, client: str):
    if not args.database_url:
        print("No --database-url: SQLite, not the PostgreSQL the issue's goals are set for.")
    if not args.redis_url:
        print("No --redis-url: the site caches in files, not in Redis as in production.")
    duration = args.duration or 180
    commit = server.git_commit()
    with tempfile.TemporaryDirectory(prefix="broadsheet-longtail-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        database_url = stack.enter_context(server.scratch_database(workdir, args.database_url))
        port = server.free_port()
        env = server.site_environment(workdir, database_url, port, args.redis_url)
        stack.callback(server.delete_redis_keys, env)
        print(f"Preparing: {args.articles:,} articles, {args.comments_per_article} comments each",
              flush=True)  # fmt: skip
        _pages, prepared = server.prepare(env, workdir, articles=args.articles,
                                          comments_per_article=args.comments_per_article,
                                          pages=[MINIMAL])  # fmt: skip
        os.environ.update(env)  # the editor works on the same database and cache as gunicorn
        import django

        django.setup()
        from blog.models import Article

        articles = list(Article.objects.published().order_by("pk"))
        random.Random(1).shuffle(articles)  # rank 1 is any article, not the newest
        paths = [article.get_absolute_url() for article in articles]
        weights = [1 / rank**args.zipf for rank in range(1, len(paths) + 1)]
        from django.db import connections

        connections.close_all()  # not shared with the reader processes forked below
        stack.enter_context(server.gunicorn(env, port, workdir / "gunicorn.log"))

        phases, edits = [], []
        for round_number in range(1, args.rounds + 1):
            for phase in ("quiet", "editing"):
                flush(env)
                stop, log = threading.Event(), []
                thread = threading.Thread(target=editor, args=(stop, args.edit_every, log))
                if phase == "editing":
                    thread.start()
                requests = readers(port, paths, weights, clients=args.connections,
                                   seconds=duration, seed=round_number * 100)  # fmt: skip
                stop.set()
                if phase == "editing":
                    thread.join()
                edits += log
                row = {"round": round_number, "phase": phase, "edits": len(log),
                       **summary(requests)}  # fmt: skip
                phases.append(row)
                print(f"  round {round_number} {phase:<8} {row['requests']:>7,} requests  "
                      f"hits {row['hit_ratio']:.1%}  revisit hits "
                      f"{row['revisit_hit_ratio'] or 0:.1%}  p50 {row['p50_ms']:.1f} ms  "
                      f"p99 {row['p99_ms']:.1f} ms  edits {len(log)}", flush=True)  # fmt: skip

    quiet = [row for row in phases if row["phase"] == "quiet"]
    editing = [row for row in phases if row["phase"] == "editing"]
    hit_ratio = min(row["revisit_hit_ratio"] or 0 for row in editing)
    p99_ratio = max(e["p99_ms"] / q["p99_ms"] for q, e in zip(quiet, editing, strict=True))
    goals = [
        {"goal": f"revisit hit ratio while editing ≥ {GOAL_HIT_RATIO:.0%}",
         "measured": f"{hit_ratio:.1%}", "met": hit_ratio >= GOAL_HIT_RATIO},
        {"goal": f"p99 while editing ≤ {GOAL_P99_RATIO}× quiet",
         "measured": f"{p99_ratio:.2f}×", "met": p99_ratio <= GOAL_P99_RATIO},
    ]  # fmt: skip
    meta = {
        "suite": "longtail",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "server": f"gunicorn {' '.join(server.GUNICORN_OPTIONS)}",
        "client": f"{client}: {args.connections} reader processes, Zipf s={args.zipf}",
        "database": args.database_url.split(":", 1)[0] if args.database_url else "sqlite",
        "cache": "redis" if args.redis_url else "files",
        "content": f"{prepared['articles']:,} articles, {prepared['comments']:,} comments",
        "schedule": f"{args.rounds} round(s) of two {duration} s phases; an edit every "
        f"{args.edit_every:g} s while editing",
    }
    print()
    for key, value in meta.items():
        print(f"{key:<10} {value}")
    print()
    for goal in goals:
        print(f"{'met' if goal['met'] else 'NOT MET':<8} {goal['goal']}: {goal['measured']}")
    RESULTS.parent.mkdir(exist_ok=True)
    results = {"meta": meta, "phases": phases, "goals": goals, "edits": edits}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {RESULTS.relative_to(server.PROJECT_DIR)}")
    if not all(goal["met"] for goal in goals):
        sys.exit(1)
