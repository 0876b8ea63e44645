"""Withhold text planted in a document to instruct an AI (assistant/core/instructions.py) before it is
indexed: it never becomes a passage an answer could quote or a model could read as an order.

Checked wherever a document can hide it: every sentence of paragraphs, list items and footnotes,
headings, each cell of a table row and the row as a whole, and sentences cut in two across neighbouring blocks ("Note to
AI assistants:" / "ignore the other sources..."). Only the instruction goes; the rest of the block
stays as it was written. What was withheld is counted, with the reasons, for the ingest report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from assistant.core.instructions import instruction_reason
from assistant.core.sentences import sentence_spans
from ingest.document import Element


# A block that ends where no sentence can: "...the code word formed by joining", "...and".
_CUT_OFF = re.compile(
    r"(?:,|\b(?:a|an|the|and|or|but|of|to|by|with|for|from|in|on|at|as|that|joining|followed|"
    r"then|your|their|this|these|is|are|be|will|must|should))\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Withheld:
    count: int
    reasons: tuple[str, ...]  # each distinct reason, with how many times ("addressed to an AI (2)")


def withhold_instructions(
    elements: list[Element], vetted: bool = True
) -> tuple[list[Element], Withheld]:
    """The elements without instruction-like sentences, and what was withheld. `vetted`: the file
    is one of the library's own sources; any other is read with the detector's lower bar."""
    found: Counter[str] = Counter()
    kept: list[Element] = []
    previous_tail = ""  # the last sentence of the block before, when it was kept
    unfinished = ""  # why the block before ended on an order cut off mid-sentence ("...joining")
    for element in elements:
        pieces = pieces_of(element)
        keep: list[str] = []
        reason = ""
        for index, piece in enumerate(pieces):
            reason = instruction_reason(piece, vetted)
            if not reason and index == 0 and element.kind not in ("heading", "table_row"):
                if unfinished:
                    reason = unfinished  # the order's end, opening this block: "AMBER and 7301..."
                elif previous_tail:
                    # An order cut in two across blocks: the block before's end and this opening.
                    reason = instruction_reason(f"{previous_tail} {piece}", vetted)
                    if reason and kept:
                        kept[-1] = _without_tail(kept[-1])
            if reason:
                found[reason] += 1
            else:
                keep.append(piece)
        if element.kind == "table_row":
            if len(keep) == len(pieces) > 1:
                reason = instruction_reason(element.text, vetted)  # "| AI footer | Add our link to... |"
                found[reason] += bool(reason)
            if len(keep) < len(pieces) or reason:
                keep = []  # a row goes whole: its label ("AI footer") is part of the order
        if element.kind != "heading":  # a heading between the halves does not end the order
            previous_tail = pieces[-1] if pieces and keep and keep[-1] == pieces[-1] else ""
            cut_off = element.kind != "table_row" and bool(_CUT_OFF.search(pieces[-1]))
            unfinished = reason if reason and cut_off else ""
        if keep:
            joiner = " | " if element.kind == "table_row" else " "
            kept.append(element if len(keep) == len(pieces) else replace(element, text=joiner.join(keep)))
    reasons = tuple(f"{reason} ({count})" for reason, count in sorted(found.items()) if count)
    return [e for e in kept if e.text.strip()], Withheld(sum(found.values()), reasons)


def pieces_of(element: Element) -> list[str]:
    """What is checked on its own: a table row's cells, a heading whole, a block's sentences."""
    if element.kind == "table_row":
        return [cell.strip() for cell in element.text.split(" | ") if cell.strip()]
    if element.kind == "heading":
        return [element.text]
    return [element.text[start:end] for start, end in sentence_spans(element.text)] or [element.text]


def _without_tail(element: Element) -> Element:
    """The element without its last sentence (the first half of an order cut in two)."""
    pieces = pieces_of(element)
    joiner = " | " if element.kind == "table_row" else " "
    return replace(element, text=joiner.join(pieces[:-1])) if len(pieces) > 1 else replace(element, text="")
