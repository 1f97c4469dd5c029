"""The body sanitiser: what an attacker can slip into an article, and what an editor keeps."""

import pytest

from blog.rendering import sanitize_html
from tests.factories import make_article, make_page

YOUTUBE = '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" width="560"></iframe>'


def test_script_is_removed_with_its_content():
    cleaned = sanitize_html("<p>Before</p><script>alert('owned')</script><p>After</p>")

    assert cleaned == "<p>Before</p><p>After</p>"


def test_style_is_removed_with_its_content():
    assert sanitize_html("<style>body { display: none }</style><p>Text</p>") == "<p>Text</p>"


@pytest.mark.parametrize(
    "html",
    [
        '<p onclick="steal()">Text</p>',
        '<img src="/media/a.png" alt="A" onerror="steal()">',
        '<a href="https://example.com/" onmouseover="steal()">Text</a>',
    ],
)
def test_event_handlers_are_removed(html):
    cleaned = sanitize_html(html)

    assert "steal" not in cleaned
    assert " on" not in cleaned


@pytest.mark.parametrize(
    "href",
    ["javascript:steal()", "JaVaScRiPt:steal()", "java&#x09;script:steal()", " javascript:steal()"],
)
def test_javascript_urls_are_removed(href):
    cleaned = sanitize_html(f'<a href="{href}">Click</a>')

    assert "script" not in cleaned.lower()
    assert "Click" in cleaned


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/embed",
        "http://www.youtube.com/embed/abc",  # a known host, but not over HTTPS
        "https://www.youtube.com.evil.example/embed/abc",
        "javascript:steal()",
    ],
)
def test_iframes_from_unknown_hosts_are_removed_whole(src):
    cleaned = sanitize_html(f'<p>Before</p><iframe src="{src}"></iframe><p>After</p>')

    assert cleaned == "<p>Before</p><p>After</p>"


def test_iframe_from_unknown_host_is_removed_even_with_src_text_in_another_attribute():
    cleaned = sanitize_html('<iframe title=" src=x" src="https://evil.example/"></iframe>')

    assert "iframe" not in cleaned


def test_youtube_embed_is_kept():
    cleaned = sanitize_html(f"<p>Watch:</p>{YOUTUBE}")

    assert 'src="https://www.youtube.com/embed/dQw4w9WgXcQ"' in cleaned
    assert cleaned.startswith("<p>Watch:</p><iframe")


def test_forms_and_svg_are_removed():
    cleaned = sanitize_html('<form action="/x"><input name="q"></form><svg onload="steal()"></svg>')

    assert cleaned == ""


def test_text_structure_links_and_images_are_kept():
    html = (
        "<h2>Heading</h2>"
        "<p>Some <strong>bold</strong>, <em>italic</em> and "
        '<a href="https://example.com/report">a link</a>.</p>'
        "<ul><li>One</li><li>Two</li></ul>"
        '<blockquote cite="https://example.com/">A quote</blockquote>'
        '<figure><img src="/media/a.png" alt="A chart"><figcaption>Chart</figcaption></figure>'
        "<table><thead><tr><th>Year</th></tr></thead><tbody><tr><td>2025</td></tr></tbody></table>"
    )

    cleaned = sanitize_html(html)

    for kept in [
        "<h2>Heading</h2>",
        "<strong>bold</strong>",
        "<em>italic</em>",
        'href="https://example.com/report"',
        "<ul><li>One</li><li>Two</li></ul>",
        '<blockquote cite="https://example.com/">A quote</blockquote>',
        '<img src="/media/a.png" alt="A chart">',
        "<figcaption>Chart</figcaption>",
        "<td>2025</td>",
    ]:
        assert kept in cleaned


def test_plain_text_is_unchanged():
    assert sanitize_html("Fish & chips < 5 pounds") == "Fish &amp; chips &lt; 5 pounds"


@pytest.mark.django_db
def test_article_body_is_sanitised_when_saved():
    article = make_article(body=f'<p onclick="steal()">Hello</p><script>steal()</script>{YOUTUBE}')

    article.refresh_from_db()

    assert article.body.startswith("<p>Hello</p><iframe")
    assert "steal" not in article.body


@pytest.mark.django_db
def test_page_body_is_sanitised_when_saved():
    page = make_page(body='<p>About us</p><img src="x" onerror="steal()">')

    page.refresh_from_db()

    assert "steal" not in page.body
    assert "<p>About us</p>" in page.body
