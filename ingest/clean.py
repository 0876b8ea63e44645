"""Remove conversion artefacts so passages read cleanly, without changing a word.

The bundled documents were converted from web pages, slides and a PDF: bold markers, link stubs,
footnote markers, strike-through markers, bullets and tab-separated tables remain. A citation is
only worth something if the quoted words really are in the source, so every function here removes
markup only; `tests/test_clean.py` checks that the sequence of words survives.
"""

from __future__ import annotations

import re

# `<sup>3</sup> Social Work England, ...` at the start of a line is a footnote's own number: keep it.
_FOOTNOTE_NUMBER = re.compile(r"^(\s*)<sup>\s*(\d+)\s*</sup>", re.IGNORECASE | re.MULTILINE)
# `AI<sup>1</sup>`, `<sup>13, 14</sup>` inside a sentence point to those notes; drop them.
_FOOTNOTE_MARKER = re.compile(r"<sup>\s*\d+(?:\s*,\s*\d+)*\s*</sup>", re.IGNORECASE)
# `23<sup>rd</sup>`: any other superscript keeps its letters.
_SUPERSCRIPT = re.compile(r"<sup>(.*?)</sup>", re.IGNORECASE | re.DOTALL)
_STRIKE = re.compile(r"~~(.+?)~~", re.DOTALL)
# `- > item`: a list item whose text was converted as a quotation. Markdown would read it as a
# quoted paragraph and the list (its items, their order, the sentence introducing them) is lost.
_QUOTED_LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)]))\s+>\s*", re.MULTILINE)
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
# `[text](target)`, with Markdown's escaped brackets inside the text.
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
# A list item's line: its indentation, marker and text.
_LIST_LINE = re.compile(r"^( *)(?:[-*+]|\d+[.)]) +(?=\S)")
_BULLET = re.compile(r"^(?:[-*•▪◦‣>]\s*)+")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_markdown_source(text: str) -> str:
    """Markup that a Markdown parser would mishandle: superscripts and strike-through."""
    text = _FOOTNOTE_NUMBER.sub(r"\1\2", text)
    text = _FOOTNOTE_MARKER.sub("", text)
    text = _SUPERSCRIPT.sub(r"\1", text)
    text = _QUOTED_LIST_ITEM.sub(r"\1 ", text)
    return _STRIKE.sub(r"\1", text)


def nest_list_items(text: str) -> str:
    """Nested list items indented by four spaces a level, as the Markdown reader needs to see
    them nested. Converted documents indent a sub-item by two ("- There are significant
    risks..." / "  - unfair outcomes"); read as written, the sub-items became more items of the
    outer list and the sentence that introduces them an item like any other."""
    lines = text.split("\n")
    indents: list[int] = []  # the indentation of each open item, outermost first
    for number, line in enumerate(lines):
        found = _LIST_LINE.match(line)
        if found is None:
            if line.strip() and not line[:1].isspace() and number and not lines[number - 1].strip():
                indents = []  # a paragraph after a blank line ends the list
            continue
        indent = len(found.group(1))
        if not indents and indent >= 4:
            continue  # indented code, not a list
        while indents and indent <= indents[-1]:
            indents.pop()
        lines[number] = " " * 4 * len(indents) + line[indent:]
        indents.append(indent)
    return "\n".join(lines)


def clean_plain_source(text: str) -> str:
    """Markdown left in a plain-text file: superscripts, strike-through, bold and links."""
    text = clean_markdown_source(text)
    text = _BOLD.sub(r"\1", text)
    return _LINK.sub(lambda match: _ESCAPE.sub(r"\1", match.group(1)), text)


def clean_element_text(text: str) -> str:
    """One element's text for display: no leading bullet markers, single spaces."""
    text = _SPACES.sub(" ", text.replace("\r", "")).strip()
    return _BULLET.sub("", text).strip()


def split_table_row(line: str) -> list[str]:
    """The cells of a tab-separated row, each cleaned."""
    return [clean_element_text(cell) for cell in line.split("\t") if cell.strip()]


def is_table_row(line: str) -> bool:
    """A line of two or more tab-separated cells (slides and spreadsheets converted to text)."""
    return "\t" in line and len(split_table_row(line)) >= 2
