"""Measure `manage.py import_wxr` on a generated export: posts per second and peak memory.

    uv run python -m bench.import_wxr [--posts 20000] [--comments 200000] [--keep]
    uv run python -m bench.import_wxr --export ../shared/data/wordpress-theme-unit-test.xml

Writes a WXR 1.2 file of that many posts and comments into a temporary directory (streamed,
never held in memory): classic and block-editor posts, categories with children, tags,
threads up to 6 deep whose replies sometimes come before their parents, every comment status
and a few pingbacks. Migrates a scratch SQLite database there, runs the import in a child
process, and reports the import's time, posts/s and the child's peak RSS (its rusage).
`--export` times a WXR file of your own instead (the theme unit test, a real site's export);
the posts and comments counted are those the import's summary reports.
Goal (issue 4): at least 500 posts/s with their comments, and under 300 MB. The last line
times a fixed loop, to compare machines: the import's speed scales with one core's.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
GOAL_POSTS_PER_SECOND = 500
GOAL_PEAK_MB = 300
WORDS = [
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "by", "at",
    "from", "it", "this", "be", "are", "was", "not", "or", "but", "have", "city", "policy",
    "market", "energy", "water", "housing", "school", "council", "minister", "election", "budget",
    "trade", "climate", "transport", "health", "report", "research", "data", "public", "private",
    "local", "national", "world", "river", "coast", "harbour", "bridge", "station", "price",
    "wage", "worker", "tenant", "landlord", "farmer", "doctor", "teacher",
]  # fmt: skip
STATUSES = ["1"] * 90 + ["0"] * 5 + ["spam"] * 4 + ["trash"]


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class Generator:
    def __init__(self, posts: int, comments: int, seed: int = 4):
        self.posts, self.comments = posts, comments
        self.rng = random.Random(seed)
        self.start = datetime(2015, 1, 1, tzinfo=UTC)

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=self.rng.randint(low, high)))

    def paragraph(self) -> str:
        return ". ".join(self.words(8, 18).capitalize() for _ in range(self.rng.randint(2, 5)))

    def body(self, n: int) -> str:
        if n % 4 == 0:  # block editor
            parts = [
                f"<!-- wp:paragraph -->\n<p>{self.paragraph()}.</p>\n<!-- /wp:paragraph -->"
                for _ in range(self.rng.randint(3, 6))
            ]
            parts.insert(
                1, f"<!-- wp:heading -->\n<h2>{self.words(3, 6)}</h2>\n<!-- /wp:heading -->"
            )
            return "\n\n".join(parts)
        parts = [self.paragraph() + "." for _ in range(self.rng.randint(3, 6))]
        parts[1] += "\nA second line, <em>emphasised</em>."
        return "\n\n".join(parts)

    def write(self, path: Path) -> None:
        per_post, extra = divmod(self.comments, self.posts)
        comment_id = 0
        with path.open("w", encoding="utf-8") as out:
            out.write(self.header())
            for n in range(1, self.posts + 1):
                count = per_post + (1 if n <= extra else 0)
                out.write(self.item(n, comment_id, count))
                comment_id += count
            out.write("</channel>\n</rss>\n")

    def header(self) -> str:
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Bench</title>\n<link>https://bench.example.com</link>\n"
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
            "<wp:base_site_url>https://bench.example.com</wp:base_site_url>\n"
            "<wp:base_blog_url>https://bench.example.com</wp:base_blog_url>\n"
        ]
        for i in range(1, 6):
            parts.append(
                f"<wp:author><wp:author_id>{i}</wp:author_id><wp:author_login>{cdata(f'writer{i}')}"
                f"</wp:author_login><wp:author_email>writer{i}@example.com</wp:author_email>"
                f"<wp:author_display_name>{cdata(f'Writer {i}')}</wp:author_display_name>"
                f"<wp:author_first_name>{cdata('Writer')}</wp:author_first_name>"
                f"<wp:author_last_name>{cdata(str(i))}</wp:author_last_name></wp:author>\n"
            )
        for i in range(1, 11):
            parent = f"section-{(i - 1) // 5 * 5 + 1}" if i % 5 != 1 else ""
            parts.append(
                f"<wp:category><wp:term_id>{i}</wp:term_id><wp:category_nicename>section-{i}"
                f"</wp:category_nicename><wp:category_parent>{parent}</wp:category_parent>"
                f"<wp:cat_name>{cdata(f'Section {i}')}</wp:cat_name></wp:category>\n"
            )
        for i in range(1, 51):
            parts.append(
                f"<wp:tag><wp:term_id>{100 + i}</wp:term_id><wp:tag_slug>topic-{i}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(f'Topic {i}')}</wp:tag_name></wp:tag>\n"
            )
        return "".join(parts)

    def item(self, n: int, first_comment: int, count: int) -> str:
        rng = self.rng
        when = self.start + timedelta(minutes=37 * n)
        date = f"{when:%Y-%m-%d %H:%M:%S}"
        status = "draft" if n % 50 == 0 else "publish"
        tags = rng.sample(range(1, 51), 3)
        terms = [f'<category domain="category" nicename="section-{n % 10 + 1}">'
                 f"{cdata(f'Section {n % 10 + 1}')}</category>"]  # fmt: skip
        terms += [f'<category domain="post_tag" nicename="topic-{t}">{cdata(f"Topic {t}")}'
                  "</category>" for t in tags]  # fmt: skip
        title = f"Post {n}: {self.words(3, 8)}"
        parts = [
            f"<item>\n<title>{escape(title)}</title>\n"
            f"<link>https://bench.example.com/{when:%Y/%m/%d}/post-{n}/</link>\n"
            f"<dc:creator>{cdata(f'writer{n % 5 + 1}')}</dc:creator>\n"
            f"<content:encoded>{cdata(self.body(n))}</content:encoded>\n"
            f"<excerpt:encoded>{cdata('')}</excerpt:encoded>\n"
            f"<wp:post_id>{n}</wp:post_id>\n<wp:post_date>{date}</wp:post_date>\n"
            f"<wp:post_date_gmt>{date}</wp:post_date_gmt>\n"
            "<wp:comment_status>open</wp:comment_status>\n"
            f"<wp:post_name>post-{n}</wp:post_name>\n<wp:status>{status}</wp:status>\n"
            "<wp:post_parent>0</wp:post_parent>\n<wp:post_type>post</wp:post_type>\n"
            "<wp:post_password></wp:post_password>\n<wp:is_sticky>0</wp:is_sticky>\n"
            + "\n".join(terms)
            + "\n"
        ]
        comments = []
        depth = {}
        for i in range(count):
            comment_id = first_comment + i + 1
            parent = 0
            if i and rng.random() < 0.4:
                candidate = rng.randrange(first_comment + 1, comment_id)
                if depth[candidate] < 5:
                    parent = candidate
            depth[comment_id] = depth[parent] + 1 if parent else 0
            comments.append(self.comment(comment_id, parent, when + timedelta(hours=i + 1)))
        if len(comments) > 2 and rng.random() < 0.2:
            comments.reverse()  # replies before their parents: the importer must not care
        parts.extend(comments)
        parts.append("</item>\n")
        return "".join(parts)

    def comment(self, comment_id: int, parent: int, when: datetime) -> str:
        rng = self.rng
        kind = "pingback" if rng.random() < 0.02 else ""
        date = f"{when:%Y-%m-%d %H:%M:%S}"
        return (
            f"<wp:comment>\n<wp:comment_id>{comment_id}</wp:comment_id>\n"
            f"<wp:comment_author>{cdata(f'Reader {comment_id % 997}')}</wp:comment_author>\n"
            f"<wp:comment_author_email>reader{comment_id % 997}@example.org"
            "</wp:comment_author_email>\n"
            "<wp:comment_author_url>https://example.org/</wp:comment_author_url>\n"
            f"<wp:comment_author_IP>192.0.2.{comment_id % 250 + 1}</wp:comment_author_IP>\n"
            f"<wp:comment_date>{date}</wp:comment_date>\n"
            f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt>\n"
            f"<wp:comment_content>{cdata(self.paragraph() + '.')}</wp:comment_content>\n"
            f"<wp:comment_approved>{rng.choice(STATUSES)}</wp:comment_approved>\n"
            f"<wp:comment_type>{kind}</wp:comment_type>\n"
            f"<wp:comment_parent>{parent}</wp:comment_parent>\n"
            "<wp:comment_user_id>0</wp:comment_user_id>\n</wp:comment>\n"
        )


# The child: Django set up, then the command, timed on its own (wall clock and CPU).
CHILD = """
import cProfile, sys, time
import django
django.setup()
from django.core.management import call_command
export, profile = sys.argv[1], sys.argv[2] == "profile"
profiler = cProfile.Profile() if profile else None
wall, cpu = time.monotonic(), time.process_time()
if profiler:
    profiler.enable()
call_command("import_wxr", export)
if profiler:
    profiler.disable()
print(f"BENCH {time.monotonic() - wall:.3f} {time.process_time() - cpu:.3f}")
if profiler:
    profiler.print_stats("tottime")
"""


def calibrate() -> float:
    """A fixed piece of pure-Python work: how fast one core of this machine is."""
    started = time.process_time()
    sum(range(10**8))
    return time.process_time() - started


def imported(summary: str, kind: str) -> int:
    """How many of `kind` the import's summary table counts as created, updated or unchanged."""
    row = re.search(rf"^{kind}\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s", summary, re.M)
    return sum(int(n.replace(",", "")) for n in row.groups())


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.import_wxr", description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000, help="posts (%(default)s)")
    parser.add_argument("--comments", type=int, default=200_000, help="comments (%(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the import")
    parser.add_argument("--export", type=Path, help="time this WXR file instead of a generated one")
    args = parser.parse_args()
    if args.posts < 1 or args.comments < 0:
        parser.error("--posts must be 1 or more and --comments 0 or more")
    if args.export and not args.export.is_file():
        parser.error(f"--export: no such file: {args.export}")

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-wxr-"))
    if args.export:
        export = args.export.resolve()
    else:
        export = workdir / "export.xml"
        started = time.monotonic()
        Generator(args.posts, args.comments).write(export)
        print(f"Wrote {export} in {time.monotonic() - started:.1f} s.")
    size_mb = export.stat().st_size / 1e6

    env = {
        # Python caches the bytecode of what it imports (a user's second run starts warm); a
        # machine that says not to would time the compiling of every module the import loads.
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
        "DJANGO_DEBUG": "",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrated = subprocess.run(
        [*manage, "migrate", "-v0"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if migrated.returncode:
        sys.exit(f"migrate failed:\n{migrated.stderr}")
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Untimed: a one-post export into a database of its own, so every module the import uses
    # has its bytecode cached, as after a user's first import.
    warm_env = {**env, "DATABASE_URL": f"sqlite:///{workdir / 'warm.sqlite3'}"}
    Generator(1, 1).write(workdir / "warm.xml")
    for step in (["migrate", "-v0"], ["import_wxr", str(workdir / "warm.xml")]):
        subprocess.run([*manage, *step], env=warm_env, cwd=ROOT, capture_output=True, check=True)

    command = [sys.executable, "-c", CHILD, str(export), "profile" if args.profile else ""]
    out, err = (workdir / "stdout.txt").open("w+"), (workdir / "stderr.txt").open("w+")
    started = time.monotonic()
    child = subprocess.Popen(command, env=env, cwd=ROOT, text=True, stdout=out, stderr=err)
    _pid, status, usage = os.wait4(child.pid, 0)  # the child's own rusage: its peak RSS
    wall = time.monotonic() - started
    out.seek(0), err.seek(0)
    stdout, stderr = out.read(), err.read()
    out.close(), err.close()
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"The import failed (files kept in {workdir}):\n{stderr[-5000:]}")
    seconds, cpu = map(float, re.search(r"^BENCH ([\d.]+) ([\d.]+)$", stdout, re.M).groups())
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    posts, comments = imported(stdout, "post"), imported(stdout, "comment")
    rate = posts / seconds

    print(stdout.strip())
    print()
    print(f"posts            {posts:>12,}")
    print(f"comments         {comments:>12,}")
    print(f"file             {size_mb:>12,.1f} MB")
    print(f"import           {seconds:>12.1f} s   ({cpu:.1f} s of CPU; {wall:.1f} s with start-up)")
    print(f"posts/s          {rate:>12,.0f}     goal ≥ {GOAL_POSTS_PER_SECOND}")
    # On a busy machine the wall clock includes waiting for a CPU; this does not.
    print(f"posts/CPU-s      {posts / cpu:>12,.0f}")
    print(f"comments/s       {comments / seconds:>12,.0f}")
    print(f"peak RSS         {peak_mb:>12,.0f} MB  goal < {GOAL_PEAK_MB} MB")
    print(f"this machine     {calibrate():>12.2f} s of CPU for sum(range(10**8)), to compare")
    if args.keep:
        print(f"Kept {workdir}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
