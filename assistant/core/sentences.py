"""Sentence boundaries for English guidance text, without a model.

Used by the chunker (chunks end on sentence boundaries) and by anything that quotes sentences.
Spans, not strings, so callers keep exact character offsets into the text they split.
"""

from __future__ import annotations

import re

# Words that end with a full stop but do not end a sentence.
_ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "prof", "st", "e.g", "i.e", "etc", "vs", "cf", "no", "para",
    "fig", "approx", "inc", "ltd", "co", "dept", "govt", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip

# A candidate boundary: terminal punctuation (and any closing quotes or brackets), then space,
# then something that can start a sentence.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9•])""")
_LAST_WORD = re.compile(r"([A-Za-z.]+)\.?$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, trimmed of surrounding white space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        head = text[start : match.start() + 1]
        word = _LAST_WORD.search(head.rstrip(".!?…"))
        if text[match.start()] == "." and word and word.group(1).lower() in _ABBREVIATIONS:
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return [trimmed for span in spans if (trimmed := _trim(text, span))]


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order."""
    return [text[start:end] for start, end in sentence_spans(text)]


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
