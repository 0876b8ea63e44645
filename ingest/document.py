"""What a parsed document is made of, kept apart from the parser so that reading it costs
nothing: the parser's imports take seconds, and an ingest with nothing new never needs them."""

from __future__ import annotations

from dataclasses import dataclass


class FileProblem(Exception):
    """A file that cannot be ingested; `status` is "skipped" (by choice) or "failed"."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Element:
    """One block of a document: a heading, a paragraph, a list item or a table row."""

    kind: str  # "heading", "paragraph", "list_item", "table_row"
    text: str
    level: int = 0  # a heading's depth; a list item's nesting under other items; 0 at the top
    page: int | None = None
    table: int | None = None  # which table a row belongs to, counted through the document


@dataclass(frozen=True)
class ParsedDocument:
    elements: list[Element]
    title: str | None  # the document's own title, when it states one


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_docx_uncompressed_bytes: int
