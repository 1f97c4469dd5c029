"""`manage.py import_wxr` on exports with values the site cannot show or keep whole.

Dates that not every time zone can show (before the year 1000, from 9000 on) are invalid dates:
a warning naming the item and its line, and the post imported as a draft. Names and logins
cut to fit are said, as titles are.
"""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from taggit.models import Tag

from blog.models import Article, Category
from wordpress.values import EARLIEST, LATEST, parse_date, parse_rss_date, plain_text

from .wxr import author, category, comment, export, imported, post, run_import, tag, warned, write

pytestmark = pytest.mark.django_db
# The time zones furthest from UTC either way, and the one QA saw the 500 in.
ZONES = [ZoneInfo("Etc/GMT+12"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("America/New_York")]
_ids = itertools.count(1000)


# --- Dates every time zone can show ------------------------------------------------------------


def test_a_date_out_of_range_makes_a_draft_and_no_page_fails(tmp_path, settings, client):
    settings.TIME_ZONE = "America/New_York"
    text = export(
        post(7, date="99999-01-01 00:00:00", date_gmt="0001-01-01 00:00:00",
             comments=[comment(11), comment(12, date="0001-01-01 00:00:00")]),
        post(8),
    )  # fmt: skip

    _out, err, table = run_import(write(tmp_path, text))

    assert table["post"]["created"] == 2 and table["comment"]["created"] == 2
    draft = imported("post", 7)
    assert draft.status == Article.Status.DRAFT and draft.published_at is None
    assert warned(err, "Post 7", "'0001-01-01 00:00:00' out of range")
    assert warned(err, "Post 7", "imported as a draft")
    assert imported("comment", 11).submitted_at == datetime(2020, 1, 3, 10, tzinfo=UTC)
    assert timezone.now() - imported("comment", 12).submitted_at < timedelta(minutes=5)
    assert warned(err, "Comment 12", "'0001-01-01 00:00:00' out of range")
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get(imported("comment", 11).get_absolute_url()).status_code < 500


@pytest.mark.parametrize(
    "date, date_gmt, pub_date",
    [
        ("9999-12-31 23:00:00", "9999-12-31 23:00:00", ""),  # Kiritimati is 14 hours ahead
        ("0999-12-31 23:59:59", "", ""),  # no GMT date: the local one was taken as UTC
        ("", "", "Fri, 31 Dec 9999 23:00:00 -0500"),  # nor a local one: the RSS date
        ("", "9999-12-31T23:00:00-05:00", ""),  # past 9999 in UTC: was an OverflowError
    ],
)
def test_every_out_of_range_date_makes_a_draft(tmp_path, date, date_gmt, pub_date):
    item = post(7, date=date, date_gmt=date_gmt)
    if pub_date:
        item = item.replace("<wp:post_id>", f"<pubDate>{pub_date}</pubDate><wp:post_id>")

    _out, err, _table = run_import(write(tmp_path, export(item)))

    draft = imported("post", 7)
    assert draft.status == Article.Status.DRAFT and draft.published_at is None
    assert warned(err, "Post 7", "out of range") and warned(err, "Post 7", "imported as a draft")


def test_the_range_edges_are_kept(tmp_path):
    first, last = EARLIEST, LATEST - timedelta(seconds=1)
    text = export(
        post(7, date=f"{first:%Y-%m-%d %H:%M:%S}"), post(8, date=f"{last:%Y-%m-%d %H:%M:%S}")
    )
    _out, err, _table = run_import(write(tmp_path, text))
    assert imported("post", 7).published_at == first
    assert imported("post", 8).published_at == last
    assert "out of range" not in err


any_moment = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)
).map(lambda moment: moment.replace(microsecond=0))
offsets = st.sampled_from(["", "Z", "+00:00", "-05:00", "+14:00", "-12:00"])


def shown_everywhere(moment: datetime) -> None:
    for zone in ZONES:
        timezone.localtime(moment, zone).isoformat()  # no OverflowError


@given(moment=any_moment, offset=offsets)
@example(moment=datetime(1, 1, 1), offset="")
@example(moment=datetime(9999, 12, 31, 23), offset="-05:00")
@example(moment=datetime(999, 12, 31, 23, 59, 59), offset="")
@example(moment=datetime(9999, 12, 31, 23, 59, 59), offset="")
def test_a_date_is_read_when_every_time_zone_can_show_it(moment, offset):
    text = moment.isoformat(" ", "seconds") + offset
    parsed, problem = parse_date(text)
    written = datetime.fromisoformat(text)
    try:
        expected = written.astimezone(UTC) if offset else written.replace(tzinfo=UTC)
    except OverflowError:  # past year 9999 in UTC
        expected = None
    if expected is not None and EARLIEST <= expected < LATEST:
        assert parsed == expected and problem == ""
        shown_everywhere(parsed)
    else:
        assert parsed is None and problem.startswith(f"date {text!r} out of range")


dates_as_typed = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda moment, offset, noise: moment.isoformat(" ", "seconds") + offset + noise,
        any_moment,
        offsets,
        st.sampled_from(["", " ", "x", ".5", "T"]),
    ),
)


@given(text=dates_as_typed)
def test_any_date_text_is_a_date_every_zone_shows_or_a_problem(text):
    parsed, problem = parse_date(text)
    if parsed is None:
        assert problem == "" or repr(text.strip()) in problem
    else:
        assert problem == "" and parsed.tzinfo is UTC and EARLIEST <= parsed < LATEST
        shown_everywhere(parsed)


rss_dates = st.builds(
    lambda moment, zone: moment.strftime("%a, %d %b ") + f"{moment.year} "
    + moment.strftime("%H:%M:%S ") + zone,
    any_moment,
    st.sampled_from(["+0000", "-0500", "+1400", "-1200", "GMT"]),
)  # fmt: skip


@given(text=st.one_of(rss_dates, st.text(max_size=40)))
@example(text="Fri, 31 Dec 9999 23:00:00 -0500")
@example(text="Mon, 01 Jan 0001 00:00:00 +0000")
def test_any_rss_date_is_one_every_zone_shows_or_none(text):
    parsed, problem = parse_rss_date(text)
    if parsed is None:
        assert problem == "" or problem.startswith(f"date {text.strip()!r} out of range")
    else:
        assert (
            problem == ""
            and parsed.tzinfo is UTC
            and EARLIEST <= parsed < LATEST
            and parsed.year > 1970
        )
        shown_everywhere(parsed)


@hypothesis_settings(max_examples=15)
@given(moment=any_moment)
@example(moment=datetime(1, 1, 1))
@example(moment=datetime(9999, 12, 31, 23))
def test_any_post_date_is_published_or_a_draft_said_by_line(tmp_path, settings, client, moment):
    settings.TIME_ZONE = "Pacific/Kiritimati"
    wp_id = next(_ids)
    text = moment.isoformat(" ", "seconds")

    _out, err, _table = run_import(write(tmp_path, export(post(wp_id, date=text))))

    article = imported("post", wp_id)
    if EARLIEST <= moment.replace(tzinfo=UTC) < LATEST:
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at == moment.replace(tzinfo=UTC)
    else:
        assert article.status == Article.Status.DRAFT and article.published_at is None
        assert warned(err, f"Post {wp_id}", f"date {text!r} out of range")
    assert client.get("/sitemap.xml").status_code == 200


# --- Names cut to fit are said -----------------------------------------------------------------


def test_long_names_and_logins_are_shortened_with_a_warning(tmp_path):
    login = "L" * 500
    text = export(
        author(2, login),
        category(20, "long-category", name="C" * 2000),
        tag(21, "long-tag", name="T" * 2000),
        category(22, "s" * 300),
        tag(23, "t" * 300),
        post(1, creator=login),
    )

    _out, err, table = run_import(write(tmp_path, text))

    assert Category.objects.get(slug="long-category").name == "C" * 200
    assert warned(err, "Category 'long-category'", "name longer than 200 characters; shortened.")
    assert Tag.objects.get(slug="long-tag").name == "T" * 100
    assert warned(err, "Tag 'long-tag'", "name longer than 100 characters; shortened.")
    assert Category.objects.filter(slug="s" * 200).exists()
    assert warned(err, f"Category {'s' * 300!r}", "slug longer than 200 characters; shortened.")
    assert Tag.objects.filter(slug="t" * 100).exists()
    assert warned(err, f"Tag {'t' * 300!r}", "slug longer than 100 characters; shortened.")
    user = get_user_model().objects.get(username="L" * 150)
    assert warned(err, f"Author {login!r}", "login longer than 150 characters; shortened.")
    assert list(Article.objects.get().authors.all()) == [user]
    assert table["author"]["created"] == 2


# Names as exports carry them: any text XML holds (no control characters, no "]]>" in CDATA),
# markup and entities included, and long ones made of one character repeated.
xml_text = (
    st.lists(
        st.characters(exclude_categories=["Cs", "Cc", "Cn"]) | st.sampled_from(["<b>", "&amp;"]),
        max_size=30,
    )
    .map("".join)
    .filter(lambda text: "]]>" not in text)
)
long_names = st.builds(lambda text, n: (text or "x") * n, xml_text, st.integers(1, 300))


@given(name=st.one_of(xml_text, long_names))
@example(name="N" * 200)
@example(name="N" * 201)
@example(name="Ö" * 101)
def test_any_term_name_is_kept_whole_or_shortened_with_a_warning(tmp_path, name):
    n = next(_ids)
    text = export(category(n, f"c-{n}", name=name), tag(n, f"t-{n}", name=name))

    _out, err, _table = run_import(write(tmp_path, text, f"{n}.xml"))

    plain = plain_text(name or f"C-{n}")  # the helper's name for no name
    assert imported("category", n).name == (plain[:200] or f"c-{n}")
    assert warned(err, f"Category 'c-{n}'", "name longer") == (len(plain) > 200)
    # Tag names are unique: one an earlier example made is linked to instead.
    linked = warned(err, f"Tag 't-{n}'", "exists already; linked to it")
    plain = plain_text(name or f"T-{n}")
    assert linked or imported("tag", n).name == (plain[:100] or f"t-{n}")
    assert warned(err, f"Tag 't-{n}'", "name longer") == (len(plain) > 100)


@given(login=st.one_of(xml_text, long_names).map(str.strip).filter(bool))
@example(login="a" * 150)
@example(login="a" * 151)
def test_any_login_is_kept_whole_or_shortened_with_a_warning(tmp_path, login):
    n = next(_ids)
    text = export(author(n, login, email=f"a{n}@example.com"), post(n, creator=login))

    _out, err, _table = run_import(write(tmp_path, text, f"{n}.xml"))

    user = imported("author", n)
    assert user.username.startswith(login[:140])
    assert warned(err, f"Author {login!r}", "login longer") == (len(login) > 150)
    assert list(imported("post", n).authors.all()) == [user]
