"""What the library holds, and where a design-card document is only present through excerpts.

Policy teams need to know exactly which guidance the answers can draw on; the CLI's `sources`
and the chat's library view both show this.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.domain import DESIGN_DOCUMENTS, Source
from assistant.core.store import IndexInfo


@dataclass(frozen=True)
class DocumentCoverage:
    """How one design-card document is present in the library."""

    id: str
    name: str
    status: str  # "full", "excerpts" or "missing"
    via: tuple[str, ...]  # titles of the sources that carry it

    @property
    def warning(self) -> str:
        if self.status == "full":
            return ""
        if self.status == "excerpts":
            return (
                f"{self.name}: only passages quoted in other documents are indexed "
                f"({'; '.join(self.via)}), not the full text."
            )
        return f"{self.name}: not in the library."


def sources_in(info: IndexInfo) -> list[Source]:
    """The library's sources, newest first."""
    return sorted(info.sources.values(), key=lambda source: (source.date, source.title), reverse=True)


def design_coverage(info: IndexInfo) -> list[DocumentCoverage]:
    """For each design-card document: full, excerpts only, or missing."""
    found = []
    for document_id, name in DESIGN_DOCUMENTS.items():
        carriers = [
            (source, cover)
            for source in info.sources.values()
            for cover in source.covers
            if cover.document == document_id and source.chunks
        ]
        extents = {cover.extent for _, cover in carriers}
        status = "full" if "full" in extents else "excerpts" if extents else "missing"
        found.append(
            DocumentCoverage(document_id, name, status, tuple(s.title for s, _ in carriers))
        )
    return found


def manifest_entry(source: Source) -> str:
    """What to add to corpus/sources.toml to make a local document one of the library's sources:
    its record, with the facts only the person adding it knows left for them to fill in."""
    return "\n".join([
        "[[source]]",
        f'id = "{source.id}"',
        f'file = "{source.path}"',
        f"title = {_toml_string(source.title)}",
        'publisher = "WHO PUBLISHED IT"',
        'date = "YYYY-MM-DD (when it was published)"',
        'url = "https://WHERE A READER CAN CHECK IT"',
        'kind = "policy, guidance, report..."',
    ])  # fmt: skip


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
