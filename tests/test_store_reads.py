"""What the Retriever reads from Chroma on disk: every chunk without its sentence vectors (kept
out of memory), then the vectors of a question's candidates by id."""

from __future__ import annotations

import hashlib

import pytest

from assistant.adapters.chroma_store import ChromaIndex
from assistant.core.domain import Chunk
from assistant.core.embeddings import pack_vectors
from assistant.core.retrieve import Retriever
from assistant.settings import load_settings
from assistant.core.store import IndexInfo
from tests.support import HashingEmbedder

TOPICS = {
    "recording": ["Ask for consent before recording a meeting.", "Tell the family why."],
    "chatgpt": ["Never paste case notes into ChatGPT.", "Public tools keep what you type."],
    "supervision": ["Discuss AI use in supervision.", "Your manager stays accountable."],
}


def _chunks(embedder: HashingEmbedder) -> tuple[list[Chunk], list[list[float]]]:
    chunks, vectors = [], []
    for source_id in ("source-a", "source-b", "source-c"):
        for number, (topic, sentences) in enumerate(TOPICS.items()):
            sentences = [*sentences, f"From {source_id.replace('-', ' ')}, part {number}."]
            text = " ".join(sentences)
            spans, position = [], 0
            for sentence in sentences:
                spans.append((position, position + len(sentence)))
                position += len(sentence) + 1
            digest = hashlib.sha256(f"{source_id}{text}".encode()).hexdigest()
            chunks.append(Chunk(
                id=f"{source_id}:{digest[:16]}", source_id=source_id, title=source_id, text=text,
                heading_path=(topic,), start=number * 100, end=number * 100 + len(text),
                element_index=number, content_hash=digest, sentences=tuple(spans),
                sentence_vectors=pack_vectors(embedder.embed_batch(sentences)),
            ))  # fmt: skip
            vectors.append(embedder.embed_batch([chunks[-1].embedding_text()])[0])
    return chunks, vectors


@pytest.fixture
def library(tmp_path):
    embedder = HashingEmbedder()
    settings = load_settings(data_dir=tmp_path / "data", embedding_model=embedder.model_id)
    index = ChromaIndex(settings)
    info = IndexInfo(0, embedder.model_id, "test", "2026-01-01T00:00:00+00:00")
    store = index.begin(info)
    chunks, vectors = _chunks(embedder)
    store.upsert(chunks, vectors)
    index.publish(store, info)
    return ChromaIndex(settings).live(), chunks, embedder, settings


def test_chunks_without_sentence_vectors_are_otherwise_the_same(library):
    store, chunks, _, _ = library
    full, light = store.chunks(), store.chunks(sentence_vectors=False)
    assert light == full  # equality ignores the vectors...
    assert all(chunk.sentence_vectors for chunk in full)
    assert not any(chunk.sentence_vectors for chunk in light)  # ...which are left out


def test_chunks_by_id_come_with_their_sentence_vectors(library):
    store, chunks, _, _ = library
    wanted = [chunks[4].id, chunks[0].id, "source-z:missing"]
    found = store.chunks_by_id(wanted)
    assert set(found) == {chunks[4].id, chunks[0].id}
    assert found[chunks[4].id].sentence_vectors == chunks[4].sentence_vectors
    assert found[chunks[0].id] == chunks[0]


def test_query_asking_for_more_than_the_library_holds_gets_all_of_it(library):
    store, chunks, embedder, _ = library
    hits = store.query(embedder.embed_batch(["consent"])[0], k=50)
    assert sorted(hit.chunk.id for hit in hits) == sorted(chunk.id for chunk in chunks)
    filtered = store.query(embedder.embed_batch(["consent"])[0], k=50, source_ids=["source-b"])
    assert {hit.chunk.source_id for hit in filtered} == {"source-b"}


class DenseSeesOneSource:
    """The store, but its dense search finds source-c's chunks only."""

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def query(self, embedding, k, source_ids=None):
        return self._store.query(embedding, k, ["source-c"])


def test_passages_found_by_words_alone_carry_their_sentence_vectors(library):
    store, chunks, embedder, settings = library
    retriever = Retriever(DenseSeesOneSource(store), embedder, settings)
    retrieval = retriever.search("paste case notes into ChatGPT", k=5)
    # BM25 found the other sources' ChatGPT chunks: their sentence vectors came by id.
    assert {p.chunk.source_id for p in retrieval.passages} >= {"source-a", "source-b"}
    for passage in retrieval.passages:
        assert passage.chunk.sentence_vectors
        assert len(retrieval.sentence_similarity[passage.chunk.id]) == 3
    assert retrieval.passages[0].chunk.heading_path == ("chatgpt",)
