"""Text from documents and file names, made safe to print and to index.

A document (or its file name) can carry terminal control sequences: colour codes, a cursor
move that hides what came before, OSC 52 ("put this in the clipboard"). They are dropped from
everything `assistant` prints and from the text it indexes, with the other control characters
and the bidirectional overrides that make text display in an order other than it is read.
New lines and tabs stay.
"""

from __future__ import annotations

import re

# Whole sequences first (OSC "ESC ] ... BEL", CSI "ESC [ ... m", two-character escapes), so that
# no "]52;c;..." is left behind; then any control character left.
_SEQUENCE = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` without terminal escape sequences or control characters (new lines, tabs kept)."""
    return _CONTROL.sub("", _SEQUENCE.sub("", text))
