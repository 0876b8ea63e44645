"""corpus/sources.toml: the provenance of each bundled file and the four official documents."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.core.domain import DESIGN_DOCUMENTS, Coverage, Source

MANIFEST_NAME = "sources.toml"


class ManifestError(Exception):
    """sources.toml is missing a field or names something that does not exist."""


@dataclass(frozen=True)
class OfficialDocument:
    """One of the design-card documents, as published; fetched with `ingest --fetch`."""

    id: str
    title: str
    publisher: str
    date: str
    page: str
    fetch_url: str
    file: str


@dataclass(frozen=True)
class Manifest:
    sources: dict[str, Source]  # by path relative to the corpus folder
    official: list[OfficialDocument]
    expected_sha256: dict[str, str]  # path -> digest of the text as it was published to us

    def source_for(self, relative_path: str, title: str | None) -> Source:
        """The manifest's record for a file, or a plain record for a file a user dropped in (a
        local document: not one of the library's vetted sources)."""
        if relative_path in self.sources:
            return self.sources[relative_path]
        return Source(id=source_id_for(relative_path), path=relative_path, title=title or Path(relative_path).stem)


def source_id_for(relative_path: str) -> str:
    """A stable id for a file without a manifest entry: its path, made URL- and id-safe."""
    return re.sub(r"[^a-z0-9]+", "-", relative_path.lower()).strip("-")


def load_manifest(corpus_dir: Path) -> Manifest:
    """Read corpus/sources.toml; a corpus without one is fine (every file gets a plain record)."""
    path = corpus_dir / MANIFEST_NAME
    if not path.is_file():
        return Manifest({}, [], {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        official = [OfficialDocument(**entry) for entry in data.get("official", [])]
        sources: dict[str, Source] = {}
        expected: dict[str, str] = {}
        for entry in data.get("source", []):
            entry = dict(entry)
            relative = entry.pop("file")
            if digest := entry.pop("sha256", None):
                expected[relative] = digest
            entry.pop("received_as", None)
            covers = tuple(Coverage(**cover) for cover in entry.pop("covers", []))
            sources[relative] = Source(path=relative, covers=covers, in_manifest=True, **entry)
        for document in official:
            if document.id not in DESIGN_DOCUMENTS:
                raise ManifestError(f"unknown design document id '{document.id}'")
            sources.setdefault(
                document.file,
                Source(
                    id=document.id,
                    path=document.file,
                    title=document.title,
                    publisher=document.publisher,
                    date=document.date,
                    kind="official document",
                    url=document.page,
                    covers=(Coverage(document.id, "full"),),
                    in_manifest=True,
                ),
            )
    except (tomllib.TOMLDecodeError, TypeError, KeyError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc
    return Manifest(sources, official, expected)
