"""WordPress content → our HTML, and the streaming parser's line numbers."""

import io

import pytest

from wordpress import parser
from wordpress.content import comment_text, convert, wpautop
from wordpress.parser import Item, WXRError, WXRReader
from wordpress.values import plain_text

from .wxr import comment, export, post


@pytest.mark.parametrize(
    ("text", "html"),
    [
        # Cases from WordPress's own tests of wpautop (tests/phpunit/tests/formatting/autop.php).
        ("Hello\nworld", "<p>Hello<br />\nworld</p>\n"),
        ("First\n\nSecond\n\n\n\nThird", "<p>First</p>\n<p>Second</p>\n<p>Third</p>\n"),
        ("<pre>one\n\ntwo</pre>", "<pre>one\n\ntwo</pre>\n"),
        ("<div>a\nb</div>", "<div>a<br />\nb</div>\n"),
        ("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"),
        ("<blockquote>quoted</blockquote>", "<blockquote><p>quoted</p></blockquote>\n"),
        ('<a href="x"\ntitle="y">link</a>', '<p><a href="x"\ntitle="y">link</a></p>\n'),
        ("line<br><br>next", "<p>line</p>\n<p>next</p>\n"),
        ("   \n ", ""),
    ],
)
def test_wpautop(text, html):
    assert wpautop(text) == html


def test_block_editor_content_keeps_its_html_without_the_comments():
    notes = []
    html = convert(
        "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:latest-posts {"postsToShow":3} /-->\n<!-- wp:more --><!--more--><!-- /wp:more -->',
        notes,
    )
    assert html == "<p>One</p>"
    assert notes == ["dynamic blocks not kept (WordPress drew them): latest-posts"]


def test_caption_becomes_a_figure():
    notes = []
    html = convert(
        '[caption id="attachment_1" align="alignright" width="300"]<a href="https://x.example/'
        'big.jpg"><img src="https://x.example/small.jpg" alt="A boat" width="300" /></a> '
        "A boat at <em>dawn</em>[/caption]\n\nAfter.",
        notes,
    )
    assert html.startswith('<figure id="attachment_1" class="wp-caption alignright">')
    assert '<img src="https://x.example/small.jpg" alt="A boat" width="300">' in html
    assert '<figcaption class="wp-caption-text">A boat at <em>dawn</em></figcaption></figure>' in (
        html
    )
    assert "<p></p>" not in html and html.endswith("<p>After.</p>")
    assert notes == []


def test_caption_attribute_form():
    html = convert(
        '[caption caption="Sunset" align="aligncenter"]<img src="a.jpg" alt="">[/caption]', []
    )
    assert '<figcaption class="wp-caption-text">Sunset</figcaption>' in html


def test_shortcodes_dropped_with_a_note_and_words_kept():
    notes = []
    html = convert(
        'Intro [gallery ids="1,2"]\n\n[foo bar="1"]inside[/foo] [sic] [[gallery]] [playlist]', notes
    )
    assert "[gallery ids" not in html and "inside" in html and "[foo" not in html
    assert "[sic]" in html and "[gallery]" in html  # not a shortcode; escaped
    assert notes == [
        "[gallery] dropped (galleries and playlists are not imported)",
        "unknown shortcode [foo] dropped, its content kept",
        "[playlist] dropped (galleries and playlists are not imported)",
    ]


def test_media_shortcodes_and_lone_addresses():
    html = convert(
        '[audio mp3="https://x.example/song.mp3"]\n\n[embed]https://x.example/talk[/embed]\n\n'
        "https://www.youtube.com/watch?v=abc-123\n\nhttps://vimeo.com/42\n\nhttps://x.example/page",
        [],
    )
    assert '<a href="https://x.example/song.mp3"' in html
    assert '<a href="https://x.example/talk"' in html
    assert 'src="https://www.youtube-nocookie.com/embed/abc-123"' in html
    assert 'src="https://player.vimeo.com/video/42"' in html
    assert '<a href="https://x.example/page"' in html


def test_unsafe_html_is_removed():
    html = convert(
        '<p onclick="x()">Hi</p><script>alert(1)</script><iframe src="https://evil.example/"></iframe>',
        [],
    )
    assert html == "<p>Hi</p>"


def test_comment_text():
    assert comment_text("Plain\n\ntext") == "Plain\n\ntext"
    assert comment_text('See <a href="https://a.example/">this</a> &amp; <b>that</b>.') == (
        "See this (https://a.example/) & that."
    )
    assert (
        comment_text('<a href="https://a.example/">https://a.example/</a>') == "https://a.example/"
    )
    assert comment_text(
        '<p>One</p><p>Two<br/>three</p><img src="https://a.example/i.jpg" alt="Cat">'
    ) == ("One\n\nTwo\nthree\n\nCat (https://a.example/i.jpg)")


def test_plain_text():
    assert plain_text("Title <em>With</em> &amp; &#8220;Quotes&#8221;") == "Title With & “Quotes”"


def items(text):
    return [thing for thing in WXRReader(io.BytesIO(text.encode())) if isinstance(thing, Item)]


@pytest.mark.parametrize("block_size", [7, 13, 64, 4096])
def test_lines_are_exact_whatever_the_reads(monkeypatch, block_size):
    """Boundaries cut in two by the reads still start a piece, so lines stay exact."""
    monkeypatch.setattr(parser, "BLOCK_SIZE", block_size)
    text = export(
        post(1, comments=[comment(11), comment(12, content="multi\nline\ncomment")]),
        post(2, content="a\nb\nc\n<item>not an item, just text</item>"),
        post(3, comments=[comment(13)]),
    )
    lines = text.splitlines()
    found = items(text)
    assert [i.wp_id for i in found] == [1, 2, 3]
    for item in found:
        assert lines[item.line - 1].strip() == "<item>"
        for c in item.comments:
            assert lines[c.line - 1].strip() == "<wp:comment>"
    assert [c.wp_id for c in found[0].comments] == [11, 12]
    assert found[1].content.endswith("<item>not an item, just text</item>")


def test_parser_reads_terms_and_authors():
    things = list(WXRReader(io.BytesIO(export(post(1)).encode())))
    channel, author, category, item = things
    assert channel.version == "1.2" and channel.site == "https://small.example"
    assert (author.login, author.wp_id, author.display_name) == ("ann", 1, "Ann Author")
    assert (category.taxonomy, category.slug, category.name) == ("category", "news", "News")
    assert item.wp_id == 1 and item.title == "A post" and item.creator == "ann"


def test_parser_error_carries_the_line():
    text = export(post(1)).replace("<wp:post_type>post</wp:post_type>", "<wp:post_type>post")
    with pytest.raises(WXRError) as error:
        items(text)
    assert error.value.line == text[: text.index("</item>")].count("\n") + 1
