"""Count the comments that POST pages stored, by verdict and status, inside Django.

Run by `bench.__main__` as `python -m bench.tally NAME...` with the site's environment, after
the load; prints one JSON object per page. Each page's comments start with its name (see
`pages.post_comment`). While some are still unchecked and the task worker is checking them,
it waits, so the counts say what the worker did, and how long it took after the load.
"""

import argparse
import json
import time

import django

PATIENCE_SECONDS = 30  # give up waiting when no check finished in this long


def counts(name):
    from django.db.models import Count

    from comments.models import Comment

    stored = Comment.objects.filter(content__startswith=f"{name} ")
    return {
        "stored": stored.count(),
        "verdicts": dict(stored.values_list("verdict").annotate(n=Count("id")).order_by()),
        "statuses": dict(stored.values_list("status").annotate(n=Count("id")).order_by()),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+", help="POST pages' names")
    args = parser.parse_args()
    django.setup()

    for name in args.names:
        started = last_progress = time.monotonic()
        result = counts(name)
        unchecked_after_load = result["verdicts"].get("unchecked", 0)
        while (unchecked := result["verdicts"].get("unchecked", 0)) and (
            time.monotonic() - last_progress < PATIENCE_SECONDS
        ):
            time.sleep(1)
            result = counts(name)
            if result["verdicts"].get("unchecked", 0) < unchecked:
                last_progress = time.monotonic()
        result["unchecked_after_load"] = unchecked_after_load
        result["checked_within_s"] = round(last_progress - started, 1)
        print(json.dumps({"name": name, **result}), flush=True)


if __name__ == "__main__":
    main()
