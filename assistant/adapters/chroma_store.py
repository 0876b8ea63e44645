"""Chroma behind the store seam: embedded on disk, or a Chroma server for teams.

The only module that imports chromadb. Each generation of the index is one collection named
`<collection>-g<number>`; its metadata records its status ("building" or "ready"), the embedding
model, the pipeline version, the library's sources, the chromadb version that wrote it and the
layout (SCHEMA_VERSION). The live generation is the newest "ready" one; publishing is a single
metadata update, which Chroma commits atomically. A generation written by another chromadb or
layout is refused with what to run, never read as if it were ours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, replace
from urllib.parse import urlparse

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from chromadb.config import Settings as ChromaSettings

from assistant.core.domain import Chunk, Coverage, Source
from assistant.settings import Settings
from assistant.core.store import IndexIncompatible, IndexInfo, ScoredChunk, StoreUnavailable, index_missing

# Bump when what is stored changes shape (_chunk_metadata, _info_metadata): older indexes are
# then refused with a clear message instead of being misread.
SCHEMA_VERSION = 2
STORE_VERSION = f"chromadb {chromadb.__version__}"
_BATCH = 1000
_DATABASE_FILE = "chroma.sqlite3"  # what PersistentClient keeps in its folder
_KEEP_PREVIOUS = 1  # a reader that opened the previous generation can finish its query
# HNSW search is approximate, and Chroma builds the graph again in each process that opens a
# small collection, so with its default breadth (100) two processes could return different
# nearest chunks for the same question vector, and so give different answers. A search at
# least as broad as the library visits every chunk: exact and repeatable up to this size, and
# much closer to exact above it (docs/scale.md).
_HNSW = {"space": "cosine", "ef_search": 1000, "ef_construction": 200}


@register_embedding_function
class PrecomputedEmbeddings(EmbeddingFunction[Documents]):
    """Chroma must never embed by itself: its default function downloads a model."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        raise RuntimeError("Guidance Assistant passes its own embeddings to Chroma.")

    @staticmethod
    def name() -> str:
        return "guidance-assistant-precomputed"

    def get_config(self) -> dict:
        return {}

    @staticmethod
    def build_from_config(config: dict) -> PrecomputedEmbeddings:
        return PrecomputedEmbeddings()


def connect(settings: Settings, create: bool = True) -> chromadb.api.ClientAPI:
    """A client for the configured Chroma: a server if one is named, else the data folder.
    Without `create`, a data folder that holds no Chroma database is IndexMissing: opening one
    would create the folder and an empty database."""
    if not create and not settings.chroma_server_url:
        if not (settings.data_dir / "chroma" / _DATABASE_FILE).is_file():
            raise index_missing(settings)
    options = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_server_url:
            url = urlparse(settings.chroma_server_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=options,
            )
        path = settings.data_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=options)
    except Exception as exc:  # chromadb raises bare Exception/ValueError for connection problems
        where = settings.chroma_server_url or settings.data_dir
        raise StoreUnavailable(f"Cannot open the Chroma index at {where}: {exc}") from exc


class ChromaIndex:
    """All generations of the index in one Chroma database."""

    def __init__(self, settings: Settings, create: bool = True) -> None:
        """`create=False` to read only: raises IndexMissing where there is no database."""
        self._where = settings.chroma_server_url or str(settings.data_dir)
        self._client = connect(settings, create)
        self._prefix = settings.collection
        self._pattern = re.compile(rf"^{re.escape(settings.collection)}-g(\d+)$")

    def _generations(self) -> list[tuple[int, chromadb.Collection]]:
        found = []
        for name in self._names():
            if match := self._pattern.match(name):
                found.append((int(match.group(1)), self._open(name)))
        return sorted(found, key=lambda pair: pair[0])

    def _names(self) -> list[str]:
        try:
            return [getattr(item, "name", item) for item in self._client.list_collections()]
        except Exception as exc:
            raise StoreUnavailable(f"Cannot read the Chroma index: {exc}") from exc

    def _open(self, name: str) -> chromadb.Collection:
        return self._client.get_collection(name, embedding_function=PrecomputedEmbeddings())

    def live(self) -> ChromaStore | None:
        ready = [c for _, c in self._generations() if (c.metadata or {}).get("status") == "ready"]
        if not ready:
            return None
        store = ChromaStore(ready[-1])
        _check_written_here(store.info, self._where)
        return store

    def begin(self, info: IndexInfo) -> ChromaStore:
        numbers = [number for number, _ in self._generations()]
        generation = max(numbers, default=0) + 1
        info = _stamped(info, generation)
        collection = self._client.create_collection(
            f"{self._prefix}-g{generation:06d}",
            metadata=_info_metadata(info, status="building"),
            embedding_function=PrecomputedEmbeddings(),
            configuration={"hnsw": _HNSW},
        )
        return ChromaStore(collection)

    def publish(self, store: ChromaStore, info: IndexInfo) -> None:
        info = _stamped(info, store.info.generation)
        store.collection.modify(metadata=_info_metadata(info, status="ready"))
        ready = [
            c for _, c in self._generations() if (c.metadata or {}).get("status") == "ready"
        ]
        for old in ready[: -(_KEEP_PREVIOUS + 1)]:
            self._client.delete_collection(old.name)

    def discard_unfinished(self) -> int:
        unfinished = [
            c for _, c in self._generations() if (c.metadata or {}).get("status") != "ready"
        ]
        for collection in unfinished:
            self._client.delete_collection(collection.name)
        return len(unfinished)


class ChromaStore:
    """One generation: a Chroma collection of chunks with our own embeddings."""

    def __init__(self, collection: chromadb.Collection) -> None:
        self.collection = collection
        self.info = _info_from_metadata(collection.metadata or {})

    def count(self) -> int:
        return self.collection.count()

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        for first in range(0, len(chunks), _BATCH):
            batch = chunks[first : first + _BATCH]
            self.collection.upsert(
                ids=[chunk.id for chunk in batch],
                documents=[chunk.text for chunk in batch],
                metadatas=[_chunk_metadata(chunk) for chunk in batch],
                embeddings=[list(vector) for vector in embeddings[first : first + _BATCH]],
            )

    def query(
        self, embedding: Sequence[float], k: int, source_ids: Sequence[str] | None = None
    ) -> list[ScoredChunk]:
        where = {"source_id": {"$in": list(source_ids)}} if source_ids else None
        found = self.collection.query(
            query_embeddings=[list(embedding)],
            # Not min(k, count()): Chroma returns what there is, and counting took 10 ms a
            # question at 100,000 chunks (docs/scale.md).
            n_results=max(1, k),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            ScoredChunk(_chunk_from(chunk_id, text, meta), 1.0 - distance)
            for chunk_id, text, meta, distance in zip(
                found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0]
            )
        ]

    def chunks(self, source_id: str | None = None, sentence_vectors: bool = True) -> list[Chunk]:
        where = {"source_id": source_id} if source_id else None
        found: list[Chunk] = []
        for first in range(0, self.count(), _BATCH):
            page = self.collection.get(
                where=where, include=["documents", "metadatas"], limit=_BATCH, offset=first
            )
            found += [
                _chunk_from(chunk_id, text, meta, sentence_vectors)
                for chunk_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"])
            ]
        return sorted(found, key=lambda chunk: (chunk.source_id, chunk.start))

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, Chunk]:
        found: dict[str, Chunk] = {}
        for first in range(0, len(ids), _BATCH):
            page = self.collection.get(
                ids=list(ids[first : first + _BATCH]), include=["documents", "metadatas"]
            )
            found.update(
                (chunk_id, _chunk_from(chunk_id, text, meta))
                for chunk_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"])
            )
        return found

    def embeddings(self, ids: Sequence[str]) -> dict[str, list[float]]:
        vectors: dict[str, list[float]] = {}
        for first in range(0, len(ids), _BATCH):
            page = self.collection.get(ids=list(ids[first : first + _BATCH]), include=["embeddings"])
            vectors.update(
                {chunk_id: list(map(float, vector)) for chunk_id, vector in zip(page["ids"], page["embeddings"])}
            )
        return vectors


def _stamped(info: IndexInfo, generation: int) -> IndexInfo:
    return replace(
        info, generation=generation, store_version=STORE_VERSION, schema_version=SCHEMA_VERSION
    )


def _check_written_here(info: IndexInfo, where: str) -> None:
    """Refuse a generation another chromadb or another layout wrote: read anyway, it could give
    wrong or missing passages without a word."""
    differences = []
    if info.store_version != STORE_VERSION:
        built = info.store_version or "a chromadb version it did not record"
        differences.append(f"it was written by {built}, this installation has {STORE_VERSION}")
    if info.schema_version != SCHEMA_VERSION:
        built = f"is version {info.schema_version}" if info.schema_version else "was not recorded"
        differences.append(f"its layout {built}, this version reads layout {SCHEMA_VERSION}")
    if differences:
        raise IndexIncompatible(
            f"The index in {where} was built by another version of Guidance Assistant's "
            f"software: {'; '.join(differences)}. It is not used, so that answers are not read "
            "from an index this version may misread. Rebuild it with: assistant ingest --rebuild"
        )


# -- Conversions at the edge -----------------------------------------------------------------


def _chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    metadata: dict[str, str | int] = {
        "source_id": chunk.source_id,
        "title": chunk.title,
        "heading_path": json.dumps(list(chunk.heading_path)),
        "start": chunk.start,
        "end": chunk.end,
        "element_index": chunk.element_index,
        "content_hash": chunk.content_hash,
        "kind": chunk.kind,
        "sentences": json.dumps(chunk.sentences),
        "roles": json.dumps(chunk.roles),
        "voices": json.dumps(chunk.voices),
        "hubness": json.dumps(chunk.hubness),
        "sentence_vectors": chunk.sentence_vectors,
    }
    if chunk.page is not None:
        metadata["page"] = chunk.page
    return metadata


def _chunk_from(chunk_id: str, text: str, meta: dict, sentence_vectors: bool = True) -> Chunk:
    return Chunk(
        id=chunk_id,
        source_id=meta["source_id"],
        title=meta["title"],
        text=text,
        heading_path=tuple(json.loads(meta["heading_path"])),
        start=meta["start"],
        end=meta["end"],
        element_index=meta["element_index"],
        content_hash=meta["content_hash"],
        page=meta.get("page"),
        kind=meta.get("kind", "text"),
        sentences=tuple(tuple(span) for span in json.loads(meta.get("sentences", "[]"))),
        sentence_vectors=meta.get("sentence_vectors", "") if sentence_vectors else "",
        roles=tuple(json.loads(meta.get("roles", "[]"))),
        voices=tuple(json.loads(meta.get("voices", "[]"))),
        hubness=tuple(json.loads(meta.get("hubness", "[]"))),
    )


def _info_metadata(info: IndexInfo, status: str) -> dict[str, str | int]:
    sources = {source_id: asdict(source) for source_id, source in info.sources.items()}
    return {
        "status": status,
        "generation": info.generation,
        "embedding_model": info.embedding_model,
        "pipeline_version": info.pipeline_version,
        "created_at": info.created_at,
        "sources": json.dumps(sources),
        "store_version": info.store_version,
        "schema_version": info.schema_version,
    }


def _info_from_metadata(metadata: dict) -> IndexInfo:
    sources = {
        source_id: Source(**{**fields, "covers": tuple(Coverage(**c) for c in fields["covers"])})
        for source_id, fields in json.loads(metadata.get("sources", "{}")).items()
    }
    return IndexInfo(
        generation=int(metadata.get("generation", 0)),
        embedding_model=str(metadata.get("embedding_model", "")),
        pipeline_version=str(metadata.get("pipeline_version", "")),
        created_at=str(metadata.get("created_at", "")),
        sources=sources,
        store_version=str(metadata.get("store_version", "")),
        schema_version=int(metadata.get("schema_version", 0)),
    )
