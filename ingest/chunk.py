"""Section-aware chunks on sentence boundaries, sized for the embedding model.

A chunk never crosses a heading, ends on a sentence boundary, prefers to end at a paragraph break
once it has `target_words`, never exceeds `max_words` or what the embedder reads in one go
(`fits`), and starts with the previous chunk's last sentence for context. Tables are chunked on
their own, whole when they fit, else by rows. Chunk text is an exact slice of the cleaned
document text, so offsets and quotes can always be checked against it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.core.domain import Chunk
from assistant.core.roles import SentenceInContext, is_short_line, is_slide_bullet, label
from assistant.core.sentences import sentence_spans
from ingest.document import Element

_LIST_MARKER = "- "
_SUB_ITEM_INDENT = "  "
_MAX_OVERLAP_WORDS = 40
_SMALL_TAIL_WORDS = 30


@dataclass(frozen=True)
class ChunkShape:
    target_words: int = 150
    max_words: int = 180
    overlap_sentences: int = 1


@dataclass(frozen=True)
class _Unit:
    """A sentence (or table row) with its place in the document text."""

    start: int
    end: int
    words: int
    element_index: int
    first_in_element: bool
    is_table: bool
    page: int | None
    kind: str  # the element's: "paragraph", "list_item", "table_row"
    depth: int  # a list item's nesting (the element's level)
    role: str = "context"  # assistant/core/roles.py, decided once the section's units are known
    voice: str = "context"


def render(elements: list[Element]) -> tuple[str, list[tuple[int, int]]]:
    """The cleaned document text, one element a line, and each element's span in it."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for element in elements:
        line = element.text
        if element.kind == "list_item":  # a sub-item indented under its item, as Markdown shows it
            line = _SUB_ITEM_INDENT * element.level + _LIST_MARKER + element.text
        spans.append((position, position + len(line)))
        parts.append(line)
        position += len(line) + 1
    return "\n".join(parts), spans


def chunk_document(
    source_id: str,
    title: str,
    elements: list[Element],
    shape: ChunkShape,
    fits: Callable[[str], bool],
) -> tuple[str, list[Chunk]]:
    """Split a parsed document into chunks; returns the cleaned text the offsets refer to."""
    text, spans = render(elements)
    chunks: list[Chunk] = []
    seen_ids: set[str] = set()
    for heading_path, units in _sections(elements, spans, text, shape.max_words):
        units = _with_roles(units, text)
        section = " > ".join(heading_path)
        for group in _pack(units, text, section, shape, fits):
            start, end = group[0].start, group[-1].end
            body = text[start:end]
            digest = hashlib.sha256(f"{source_id}\n{section}\n{body}".encode()).hexdigest()
            chunk_id = _unique(f"{source_id}:{digest[:16]}", seen_ids)
            chunks.append(
                Chunk(
                    id=chunk_id,
                    source_id=source_id,
                    title=title,
                    text=body,
                    heading_path=heading_path,
                    start=start,
                    end=end,
                    element_index=group[0].element_index,
                    content_hash=digest,
                    page=group[0].page,
                    kind="table" if group[0].is_table else "text",
                    sentences=tuple((unit.start - start, unit.end - start) for unit in group),
                    roles=tuple(unit.role for unit in group),
                    voices=tuple(unit.voice for unit in group),
                )
            )
    return text, chunks


def _sections(elements, spans, text, max_words):
    """(heading path, units) for each run of body elements between headings."""
    path: list[tuple[int, str]] = []  # (level, heading)
    units: list[_Unit] = []
    title: _Unit | None = None  # the section's heading, as a unit it may open with (_headed)
    for index, (element, (start, end)) in enumerate(zip(elements, spans)):
        if element.kind == "heading":
            if units:
                yield tuple(heading for _, heading in path), _headed(title, units, text)
                units = []
            path = [(level, heading) for level, heading in path if level < element.level]
            path.append((element.level, element.text))
            title = _Unit(start, end, len(element.text.split()), index, True, False, element.page, "heading", 0)
            continue
        units += _units(element, index, start, end, text, max_words)
    if units:
        yield tuple(heading for _, heading in path), _headed(title, units, text)


def _headed(title: _Unit | None, units: list[_Unit], text: str) -> list[_Unit]:
    """A section that opens with a slide's bullets that lost their markers ("Potential risks of AI
    in social work" over "Privacy and data protection" / "Complexities around consent" / ...)
    has no sentence to introduce them: its heading does, and is kept as the section's first
    sentence, so that the list can be shown, and found, with what it is a list of."""
    if title is None or len(units) < 2:
        return units
    lines = [_in_context(unit, text) for unit in units]
    run = next((n for n, line in enumerate(lines) if not is_short_line(line)), len(lines))
    # A title slide's lines (a speaker, a job title, a date) are not a list of anything.
    return [title, *units] if run >= 2 and all(map(is_slide_bullet, lines[:run])) else units


def _units(element: Element, index: int, start: int, end: int, text: str, max_words: int):
    is_table = element.kind == "table_row"
    pieces = [(start, end)] if is_table else [
        (start + a, start + b) for a, b in sentence_spans(text[start:end])
    ]
    depth = element.level if element.kind == "list_item" else 0
    for number, (a, b) in enumerate(_split_long(pieces, text, max_words)):
        if number == 0:
            a = start  # the first piece carries the list marker, and a sub-item's indentation
        yield _Unit(
            a, b, len(text[a:b].split()), index, number == 0, is_table, element.page, element.kind, depth
        )


def _with_roles(units: list[_Unit], text: str) -> list[_Unit]:
    """Each sentence's role and voice (assistant/core/roles.py), read in the order of its section."""
    labelled = label([_in_context(unit, text) for unit in units])
    return [replace(unit, role=role, voice=voice) for unit, (role, voice) in zip(units, labelled)]


def _in_context(unit: _Unit, text: str) -> SentenceInContext:
    """A unit as the role rules read it."""
    return SentenceInContext(text[unit.start : unit.end], unit.kind, unit.first_in_element, unit.depth)


def _split_long(pieces, text, max_words):
    """Break any sentence longer than a whole chunk at word boundaries."""
    for start, end in pieces:
        words = [(m_start, m_end) for m_start, m_end in _word_spans(text, start, end)]
        for first in range(0, len(words), max_words):
            window = words[first : first + max_words]
            yield window[0][0], window[-1][1]


def _word_spans(text: str, start: int, end: int):
    position = start
    for word in text[start:end].split():
        position = text.index(word, position)
        yield position, position + len(word)
        position += len(word)


def _pack(units, text, section, shape, fits):
    """Greedy grouping of units into chunks, with sentence overlap between neighbours."""
    def words(group):
        return sum(unit.words for unit in group)

    def fitting(group):
        body = text[group[0].start : group[-1].end]
        return words(group) <= shape.max_words and fits(f"{section}\n{body}" if section else body)

    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    for unit in units:
        kind_changes = bool(current) and current[-1].is_table != unit.is_table
        paragraph_break = unit.first_in_element and words(current) >= shape.target_words
        if current and (kind_changes or paragraph_break or not fitting(current + [unit])):
            groups.append(current)
            overlap = [] if kind_changes or unit.is_table else _overlap(current, shape)
            current = overlap + [unit] if overlap and fitting(overlap + [unit]) else [unit]
        else:
            current = current + [unit]
    if current:
        tail = current[_overlap_len(groups[-1], current) :] if groups else current
        merged = groups[-1] + tail if groups else []
        small = words(current) < _SMALL_TAIL_WORDS
        if groups and small and tail and groups[-1][-1].is_table == tail[0].is_table and fitting(merged):
            groups[-1] = merged
        else:
            groups.append(current)
    return groups


def _overlap(group: list[_Unit], shape: ChunkShape) -> list[_Unit]:
    tail = group[-shape.overlap_sentences :] if shape.overlap_sentences else []
    if not tail or len(tail) == len(group) or sum(u.words for u in tail) > _MAX_OVERLAP_WORDS:
        return []
    return tail


def _overlap_len(previous: list[_Unit], current: list[_Unit]) -> int:
    """How many units at the start of `current` repeat the end of `previous`."""
    count = 0
    while count < len(current) and current[count] in previous:
        count += 1
    return count


def _unique(chunk_id: str, seen: set[str]) -> str:
    candidate, number = chunk_id, 1
    while candidate in seen:
        number += 1
        candidate = f"{chunk_id}-{number}"
    seen.add(candidate)
    return candidate
