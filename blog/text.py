"""Text a person typed, made safe to store and show: one normalisation at every door.

Forms (in the admin, by being a CleanTextForm), the importer and search call these before
anything is stored or looked up, so feeds stay XML 1.0, pages stay valid HTML, and a one-line
field never holds a line break.
"""

import re
import unicodedata

from django import forms

# Not allowed in XML 1.0 or HTML text: C0 and C1 controls (tab and line feed are kept),
# UTF-16 surrogates, and the Unicode noncharacters.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
# Characters that change nothing a reader sees, yet split a word for a naive match: format
# characters (zero-width space and joiners, soft hyphen, bidi controls), variation selectors,
# the combining grapheme joiner and the Hangul fillers.
_INVISIBLE = re.compile("[\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f\U000e0100-\U000e01ef]")


# In ASCII text, the only characters the cleaning changes are controls (\r among them); in a
# line, tab and line feed too. _FORBIDDEN spans astral ranges, which the regex engine tests one
# after another for every character (10 µs for a 260-character comment); these take under 1.
_ASCII_CHANGED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ASCII_CHANGED_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Multi-line text: line breaks as `\\n`, and no character XML or HTML forbids."""
    if value.isascii() and not _ASCII_CHANGED.search(value):
        return value
    return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_line(value: str) -> str:
    """One-line text (a name, an address): `clean_text`, with any line break or tab a space."""
    if value.isascii() and not _ASCII_CHANGED_IN_LINE.search(value):
        return value
    return re.sub(r"[\t\n\u2028\u2029]+", " ", clean_text(value))


# Word pastes its line break (Shift+Enter) as a vertical tab and its page break as a form feed.
# Read as line feeds before the cleaning removes them, the words either side stay apart.
WORD_BREAKS = str.maketrans("\x0b\x0c", "\n\n")


class CleanTextForm(forms.ModelForm):
    """A model form whose typed text is cleaned before it is validated: `clean_text` in a text
    box, `clean_line` in a one-line field.

    One control character in a title, a name or a caption is enough to stop every feed that
    shows it (XML 1.0 has no way to carry it), so every admin form that takes typed text is
    one of these. What the form shows again after an error is the cleaned text.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            return
        data = self.data.copy()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field, forms.CharField) and isinstance(data.get(key), str):
                clean = clean_text if isinstance(field.widget, forms.Textarea) else clean_line
                data[key] = clean(data[key].translate(WORD_BREAKS))
        self.data = data


def fold(value: str) -> str:
    """The form two texts share when a reader would call them the same word.

    NFKC (full-width letters and ligatures become plain ones), case-folded, with invisible
    characters removed: `ｃａ\\u200bｓｉｎｏ` folds to `casino`.
    """
    visible = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", visible)).casefold()
