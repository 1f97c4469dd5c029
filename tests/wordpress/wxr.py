"""Small WordPress exports written by the tests, and the real one when it is there."""

import io
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from wordpress.models import WordPressItem

SITE = "https://small.example"


def sample_path() -> Path:
    """WordPress's theme unit test export, beside the project (CI) or where the variable says."""
    found = os.environ.get("BROADSHEET_WXR_SAMPLE")
    if found:
        return Path(found)
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "wordpress-theme-unit-test.xml"


def require_sample() -> Path:
    path = sample_path()
    if not path.is_file():
        pytest.skip(
            f"The WordPress theme unit test export is not at {path}; set BROADSHEET_WXR_SAMPLE "
            "to its path to run these tests."
        )
    return path


def cdata(text: str) -> str:
    return f"<![CDATA[{text}]]>"


def comment(
    wp_id,
    *,
    parent=0,
    approved="1",
    kind="",
    author="Reader",
    email="r@example.org",
    url="https://reader.example/",
    ip="192.0.2.7",
    date="2020-01-03 10:00:00",
    content="Nice post.",
    user_id=0,
) -> str:
    return f"""
    <wp:comment>
      <wp:comment_id>{wp_id}</wp:comment_id>
      <wp:comment_author>{cdata(author)}</wp:comment_author>
      <wp:comment_author_email>{email}</wp:comment_author_email>
      <wp:comment_author_url>{url}</wp:comment_author_url>
      <wp:comment_author_IP>{ip}</wp:comment_author_IP>
      <wp:comment_date>{date}</wp:comment_date>
      <wp:comment_date_gmt>{date}</wp:comment_date_gmt>
      <wp:comment_content>{cdata(content)}</wp:comment_content>
      <wp:comment_approved>{approved}</wp:comment_approved>
      <wp:comment_type>{kind}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>{user_id}</wp:comment_user_id>
    </wp:comment>"""


def post(
    wp_id,
    *,
    title="A post",
    name=None,
    status="publish",
    date="2020-01-02 03:04:05",
    date_gmt=None,
    content="Hello.",
    comments=(),
    post_type="post",
    creator="ann",
    extra="",
) -> str:
    title_element = "" if title is None else f"<title>{title}</title>"
    slug = f"post-{wp_id}" if name is None else name
    return f"""
  <item>
    {title_element}
    <link>{SITE}/?p={wp_id}</link>
    <dc:creator>{cdata(creator)}</dc:creator>
    <content:encoded>{cdata(content)}</content:encoded>
    <excerpt:encoded>{cdata("")}</excerpt:encoded>
    <wp:post_id>{wp_id}</wp:post_id>
    <wp:post_date>{date}</wp:post_date>
    <wp:post_date_gmt>{date if date_gmt is None else date_gmt}</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name>{slug}</wp:post_name>
    <wp:status>{status}</wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:post_type>{post_type}</wp:post_type>
    <wp:is_sticky>0</wp:is_sticky>{extra}{"".join(comments)}
  </item>"""


def attachment(wp_id, url, *, title="A photo", alt="What the photo shows") -> str:
    meta = f"<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>{alt}</wp:meta_value></wp:postmeta>"  # noqa: E501
    return f"""
  <item>
    <title>{title}</title>
    <wp:post_id>{wp_id}</wp:post_id>
    <wp:status>inherit</wp:status>
    <wp:post_type>attachment</wp:post_type>
    <wp:attachment_url>{url}</wp:attachment_url>
    {meta}
  </item>"""


def author(wp_id, login, *, email=None) -> str:
    """An author besides the export's own `ann`."""
    return f"""
  <wp:author>
    <wp:author_id>{wp_id}</wp:author_id>
    <wp:author_login>{cdata(login)}</wp:author_login>
    <wp:author_email>{email or f"author{wp_id}@example.com"}</wp:author_email>
  </wp:author>"""


def category(wp_id, slug, *, parent="", name=None) -> str:
    return f"""
  <wp:category>
    <wp:term_id>{wp_id}</wp:term_id>
    <wp:category_nicename>{slug}</wp:category_nicename>
    <wp:category_parent>{parent}</wp:category_parent>
    <wp:cat_name>{cdata(name or slug.title())}</wp:cat_name>
  </wp:category>"""


def tag(wp_id, slug, *, name=None) -> str:
    return f"""
  <wp:tag>
    <wp:term_id>{wp_id}</wp:term_id>
    <wp:tag_slug>{slug}</wp:tag_slug>
    <wp:tag_name>{cdata(name or slug.title())}</wp:tag_name>
  </wp:tag>"""


def filed(slug, *, domain="category", name=None) -> str:
    """A post's `<category>` element, for `post(extra=...)`: filed under a category or tag."""
    return f"""
    <category domain="{domain}" nicename="{slug}">{cdata(name or slug.title())}</category>"""


def thumbnail(attachment_id) -> str:
    return f"""
    <wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>{attachment_id}</wp:meta_value></wp:postmeta>"""  # noqa: E501


def export(*items, version="1.2", namespace=None, root="rss") -> str:
    ns = namespace or f"http://wordpress.org/export/{version}/"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} version="2.0" xmlns:excerpt="{ns}excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{ns}">
<channel>
  <title>Small</title>
  <link>{SITE}</link>
  <wp:wxr_version>{version}</wp:wxr_version>
  <wp:base_blog_url>{SITE}</wp:base_blog_url>
  <wp:author>
    <wp:author_id>1</wp:author_id>
    <wp:author_login>{cdata("ann")}</wp:author_login>
    <wp:author_email>ann@example.com</wp:author_email>
    <wp:author_display_name>{cdata("Ann Author")}</wp:author_display_name>
  </wp:author>
  <wp:category>
    <wp:term_id>3</wp:term_id>
    <wp:category_nicename>news</wp:category_nicename>
    <wp:category_parent></wp:category_parent>
    <wp:cat_name>{cdata("News")}</wp:cat_name>
  </wp:category>
{"".join(items)}
</channel>
</{root}>
"""


def write(tmp_path, text: str, name="export.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path, *args) -> tuple[str, str, dict[str, dict[str, int]]]:
    """Run the command as an operator would; return its stdout, stderr and summary table."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_wxr", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), summary(out.getvalue())


def summary(output: str) -> dict[str, dict[str, int]]:
    """The summary table as {kind: {column: n}}."""
    lines = output.splitlines()
    header = lines.index(next(line for line in lines if "created" in line and "updated" in line))
    columns = ["created", "updated", "unchanged", "skipped", "missing media"]
    table = {}
    for line in lines[header + 1 :]:
        cells = line.split()
        if len(cells) != 6 or not cells[1].replace(",", "").isdigit():
            break
        table[cells[0]] = dict(
            zip(columns, (int(c.replace(",", "")) for c in cells[1:]), strict=True)
        )
    return table


def warned(err: str, who: str, message: str) -> bool:
    """Whether stderr has a warning that names `who` and its line, and says `message`."""
    return any(line.startswith(f"{who} (line ") and message in line for line in err.splitlines())


def imported(kind: str, wp_id: int):
    """What an import made of WordPress's `kind` `wp_id`: None once it was deleted here."""
    return WordPressItem.objects.get(kind=kind, wp_id=wp_id).target


def row_counts() -> dict[str, int]:
    """How many rows every model has: to show that a failed import wrote nothing."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}
