"""The question as the personal-data guard reads it, and the way back to the question's own
characters.

Word and Outlook put non-breaking and thin spaces inside numbers and postcodes, and copy in
invisible characters (zero-width space and joiners, soft hyphen, byte-order mark, direction
marks) inside names and addresses; an IME or a PDF gives fullwidth digits and ligatures. The rules
read a copy where every Unicode space is a space, every invisible character (format characters,
category Cf, and the other default-ignorable ones) is gone, Word's non-breaking hyphen is a
hyphen and each other character is in its NFKC form ("９" is "9", "ﬃ" is "ffi"); `origin` takes
each character of the copy back to the question, so what is replaced is the question's own text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.core.domain import PersonalData

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Invisible but not category Cf: combining grapheme joiner, Hangul fillers, variation selectors.
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
# Hyphen, non-breaking hyphen (Word's Ctrl+Shift+-), figure dash (made for phone numbers); not the
# en dash, which joins ranges ("2019–2024") that would read as a reference number.
_HYPHENS = "\u2010\u2011\u2012"


def as_read(text: str) -> tuple[str, list[int] | None]:
    """The text the rules read, and where each of its characters is in `text` (None: the same)."""
    if text.isascii():
        return text, None
    parts: list[str] = []
    origin: list[int] = []
    position = 0
    for run in _NON_ASCII.finditer(text):
        parts.append(text[position : run.start()])
        origin.extend(range(position, run.start()))
        for index in range(run.start(), run.end()):
            folded = fold(text[index])
            parts.append(folded)
            origin.extend([index] * len(folded))
        position = run.end()
    parts.append(text[position:])
    origin.extend(range(position, len(text)))
    return "".join(parts), origin


def has_words(text: str) -> bool:
    """Whether the text, read as the guard reads it, holds a letter or a digit in any script:
    zero-width and control characters, spaces, punctuation and emoji alone say nothing."""
    read, _ = as_read(text)
    return any(char.isalnum() for char in read)


@lru_cache(maxsize=4096)
def fold(char: str) -> str:
    """One character as the rules read it: nothing (invisible), a space, a newline, a hyphen or
    its NFKC form."""
    category = unicodedata.category(char)
    if category == "Cf" or _IGNORABLE.match(char):
        return ""
    if char in _HYPHENS:
        return "-"
    if category == "Zs":
        return " "
    if category in ("Zl", "Zp"):
        return "\n"
    folded = unicodedata.normalize("NFKC", char)
    # A compatibility form that brings a space in ("´" is " ́") would split a word: keep it as is.
    return char if any(c.isspace() for c in folded) else folded


def in_original(
    found: list[PersonalData], origin: list[int] | None, text: str
) -> list[PersonalData]:
    """The spans found in the normalised copy, as spans of `text`: from the first original
    character to the last, with the invisible characters either side, pasted with the value."""
    if origin is None:
        return found
    spans: list[PersonalData] = []
    for item in found:
        start, end = origin[item.start], origin[item.end - 1] + 1
        while start and fold(text[start - 1]) == "":
            start -= 1
        while end < len(text) and fold(text[end]) == "":
            end += 1
        if spans and start < spans[-1].end:  # two values met inside one ligature or invisible run
            start = spans[-1].end
            if start >= end:
                continue
        spans.append(PersonalData(item.type, start, end))
    return spans
