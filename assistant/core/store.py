"""The vector-store seam: what the assistant needs from wherever chunks are kept.

An index is a series of generations. Ingest builds a new generation beside the live one and
publishes it only once it is complete and validated, so a reader never sees a half-written
index, and killing ingest at any point leaves the previous generation live.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.core.domain import Chunk, Source
from assistant.settings import Settings


class IndexProblem(Exception):
    """Base for problems with the index; messages say what to run."""


class IndexMissing(IndexProblem):
    """There is no index yet."""


class ModelMismatch(IndexProblem):
    """The index was built with another embedding model than the one configured."""


class StoreUnavailable(IndexProblem):
    """The store cannot be opened or reached."""


class IndexIncompatible(IndexProblem):
    """The index was built by another version of the store or of its layout: it is not read."""


@dataclass(frozen=True)
class IndexInfo:
    """What a generation says about itself."""

    generation: int
    embedding_model: str
    pipeline_version: str
    created_at: str
    sources: dict[str, Source] = field(default_factory=dict)
    # Stamped by the store when it writes the generation: which store software wrote it (e.g.
    # "chromadb 1.5.9") and the layout of what it keeps. A reader refuses any other.
    store_version: str = ""
    schema_version: int = 0


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    similarity: float  # cosine similarity, 1.0 is identical


class ChunkStore(Protocol):
    """One generation of the index."""

    info: IndexInfo

    def count(self) -> int: ...

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None: ...

    def query(
        self, embedding: Sequence[float], k: int, source_ids: Sequence[str] | None = None
    ) -> list[ScoredChunk]: ...

    def chunks(self, source_id: str | None = None, sentence_vectors: bool = True) -> list[Chunk]:
        """Every chunk (of one source), in document order. Without their sentence vectors for a
        reader that keeps every chunk in memory: they are most of a chunk's size."""
        ...

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The named chunks, with their sentence vectors."""
        ...

    def embeddings(self, ids: Sequence[str]) -> dict[str, list[float]]: ...


class Index(Protocol):
    """All generations of one index; exactly one of them is live."""

    def live(self) -> ChunkStore | None:
        """The live generation, or None if there is none yet. Raises IndexIncompatible if it
        was written by another version of the store or another layout."""
        ...

    def begin(self, info: IndexInfo) -> ChunkStore:
        """A new, empty generation that readers do not see until `publish`."""
        ...

    def publish(self, store: ChunkStore, info: IndexInfo) -> None: ...

    def discard_unfinished(self) -> int:
        """Remove generations left by an ingest that did not finish; how many."""
        ...


def check_model(info: IndexInfo, embedding_model: str) -> None:
    """Querying with another model than the index was built with gives nonsense: refuse."""
    if info.embedding_model != embedding_model:
        raise ModelMismatch(
            f"The index was built with the embedding model '{info.embedding_model}', but the "
            f"settings name '{embedding_model}'. Re-ingest with: assistant ingest --rebuild"
        )


def index_missing(settings: Settings) -> IndexMissing:
    """No index where the settings point: say where, and the exact command that builds one."""
    where = settings.chroma_server_url or settings.data_dir
    return IndexMissing(f"There is no index in {where}. Build it with: {ingest_command(settings)}")


def ingest_command(settings: Settings) -> str:
    """`assistant ingest`, with the data folder when it is not the default one."""
    default = Settings.model_fields["data_dir"].default
    if settings.chroma_server_url or settings.data_dir == default:
        return "assistant ingest"
    return f"assistant ingest --db {shlex.quote(str(settings.data_dir))}"
