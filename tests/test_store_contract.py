"""One contract for every chunk store (assistant/core/store.py): Chroma on disk and the in-memory
index the fast tests use behave alike, so that a test passing on one says something of the other.
A new store joins the `index` fixture's list."""

from __future__ import annotations

import pytest

from assistant.adapters.chroma_store import ChromaIndex
from assistant.core.domain import Chunk, Source
from assistant.core.embeddings import pack_vectors
from assistant.core.store import IndexInfo
from assistant.settings import load_settings
from tests.support import HashingEmbedder, MemoryIndex

TEXTS = {
    "basw": ["Do not paste case notes into public AI tools.", "Check every AI summary before it goes on the file."],
    "swe": ["3.11 Maintain clear, accurate, legible and up to date records.", "Social workers are accountable for their records."],
}  # fmt: skip


def chunks_of(source_id: str, texts: list[str]) -> list[Chunk]:
    embedder = HashingEmbedder()
    found, start = [], 0
    for number, text in enumerate(texts):
        found.append(Chunk(
            id=f"{source_id}:{number}", source_id=source_id, title=source_id.upper(), text=text,
            heading_path=("Guidance", f"Part {number}"), start=start, end=start + len(text),
            element_index=number, content_hash=f"h{number}", sentences=((0, len(text)),),
            sentence_vectors=pack_vectors(embedder.embed_batch([text])), roles=("advice",), voices=("advice",),
            hubness=(round(0.01 * number - 0.02, 4),),
        ))  # fmt: skip
        start += len(text) + 1
    return found


INFO = IndexInfo(
    generation=0, embedding_model=HashingEmbedder.model_id, pipeline_version="contract-1",
    created_at="2026-12-01T00:00:00Z",
    sources={s: Source(id=s, path=f"{s}.md", title=s.upper(), chunks=2, in_manifest=True) for s in TEXTS},
)  # fmt: skip


@pytest.fixture(params=["memory", "chroma"])
def index(request, tmp_path):
    if request.param == "memory":
        return MemoryIndex()
    return ChromaIndex(load_settings(data_dir=tmp_path / "data"))


@pytest.fixture
def published(index):
    embedder = HashingEmbedder()
    store = index.begin(INFO)
    for source_id, texts in TEXTS.items():
        chunks = chunks_of(source_id, texts)
        store.upsert(chunks, embedder.embed_batch(texts))
    index.publish(store, INFO)
    return index.live()


def test_a_generation_is_seen_only_once_published(index):
    assert index.live() is None
    store = index.begin(INFO)
    store.upsert(chunks_of("basw", TEXTS["basw"]), HashingEmbedder().embed_batch(TEXTS["basw"]))
    assert index.live() is None
    index.publish(store, INFO)
    live = index.live()
    assert live is not None and live.count() == 2
    assert live.info.generation >= 1 and live.info.pipeline_version == "contract-1"
    assert set(live.info.sources) == set(TEXTS) and live.info.sources["basw"].in_manifest


def test_an_unfinished_generation_is_discarded_and_the_live_one_kept(index, published):
    index.begin(INFO)  # an ingest that stopped half way
    assert index.discard_unfinished() == 1
    assert index.live().count() == 4 and index.discard_unfinished() == 0


def test_query_ranks_by_cosine_filters_by_source_and_keeps_k(published):
    question = HashingEmbedder().embed_batch([TEXTS["swe"][1]])[0]
    hits = published.query(question, 3)
    assert len(hits) == 3
    assert hits[0].chunk.id == "swe:1" and hits[0].similarity == pytest.approx(1.0, abs=1e-3)
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
    only_basw = published.query(question, 10, source_ids=["basw"])
    assert {hit.chunk.source_id for hit in only_basw} == {"basw"} and len(only_basw) == 2


def test_chunks_come_back_whole_in_document_order(published):
    expected = {c.id: c for s, texts in TEXTS.items() for c in chunks_of(s, texts)}
    every = published.chunks()
    assert [c.id for c in every] == ["basw:0", "basw:1", "swe:0", "swe:1"]
    for chunk in every:
        want = expected[chunk.id]
        assert (chunk.text, chunk.heading_path, chunk.sentences, chunk.roles, chunk.voices, chunk.hubness) == (
            want.text, want.heading_path, want.sentences, want.roles, want.voices, want.hubness)
        assert chunk.sentence_vectors == want.sentence_vectors
    assert [c.id for c in published.chunks("swe")] == ["swe:0", "swe:1"]
    assert all(c.sentence_vectors == "" for c in published.chunks(sentence_vectors=False))
    by_id = published.chunks_by_id(["swe:1", "basw:0"])
    assert set(by_id) == {"swe:1", "basw:0"} and by_id["swe:1"].sentence_vectors


def test_embeddings_are_the_vectors_stored(published):
    stored = published.embeddings(["basw:1"])["basw:1"]
    assert stored == pytest.approx(HashingEmbedder().embed_batch([TEXTS["basw"][1]])[0], abs=1e-6)
