"""blog.text's cleaning, against a character-by-character reading of what it promises."""

import re

from hypothesis import example, given
from hypothesis import strategies as st

from blog.text import clean_line, clean_text


def allowed(ch: str) -> bool:
    """XML 1.0 and HTML text: no controls but tab and line feed, no surrogates or noncharacters."""
    code = ord(ch)
    if ch in "\t\n":
        return True
    if code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
        return False
    return not (0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE)


def expected_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if allowed(ch))


# Mostly ASCII (the quick path), with every control and a few characters beyond it.
TYPED = st.text(
    st.sampled_from([*map(chr, range(128)), "\x85", "\u2028", "\ufffe", "\U0010ffff", "é"])
)


@given(TYPED | st.text())
@example("line one\r\nline two\rthree\tfour\x7f")
@example("plain ascii, nothing to change")
@example("a delete\x7f, no other control")
def test_clean_text_keeps_all_a_page_may_show_and_nothing_else(value):
    assert clean_text(value) == expected_text(value)


@given(TYPED | st.text())
@example("a\t\n\tb")
def test_clean_line_turns_each_run_of_breaks_and_tabs_into_one_space(value):
    assert clean_line(value) == re.sub(r"[\t\n\u2028\u2029]+", " ", expected_text(value))
