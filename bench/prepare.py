"""Set up the site under test, inside Django: migrate, seed, collect static files, resolve pages.

Run by `bench.__main__` as `python -m bench.prepare OUT.json ...` with the same environment
(bench settings, scratch database, temporary STATIC_ROOT) that gunicorn gets afterwards, and
writes the resolved pages to OUT.json, with the size of the site and how long seeding took.
"""

import argparse
import dataclasses
import json
import time
from pathlib import Path

import django

SEED = 1  # the same text, dates and threads on every run, so runs compare


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--comments-per-article", type=int, required=True)
    parser.add_argument("--pages", required=True, help="comma-separated page names")
    args = parser.parse_args()

    django.setup()
    from django.core.management import call_command

    from blog.models import Article
    from comments.models import Comment

    from .pages import RESOLVERS

    call_command("migrate", interactive=False, verbosity=0)
    started = time.monotonic()
    call_command(
        "generate_content",
        f"--articles={args.articles}",
        f"--comments-per-article={args.comments_per_article}",
        f"--seed={SEED}",
        verbosity=0,
    )
    seeded_seconds = time.monotonic() - started
    call_command("collectstatic", interactive=False, verbosity=0)
    pages = [RESOLVERS[name]() for name in args.pages.split(",")]
    prepared = {
        "pages": [dataclasses.asdict(page) for page in pages],
        "articles": Article.objects.count(),
        "comments": Comment.objects.count(),
        "seeded_seconds": round(seeded_seconds, 1),
    }
    args.out.write_text(json.dumps(prepared, indent=2))


if __name__ == "__main__":
    main()
