"""A sentence close to every question does not lead answers to questions it does not answer
(ingest/hubness.py, scored in assistant/core/extractive.py)."""

from __future__ import annotations

import numpy
import pytest

import assistant.core.extractive as extractive
import assistant.core.retrieve as retrieve
from assistant.adapters.chroma_store import ChromaIndex
from assistant.core.domain import Chunk
from assistant.core.embeddings import pack_vectors
from ingest.hubness import with_hubness
from ingest.pipeline import run_ingest
from tests.support import HashingEmbedder


def _chunks(vectors: list[list[float]]) -> list[Chunk]:
    """One chunk per sentence vector."""
    return [
        Chunk(id=f"doc:{n}", source_id="doc", title="Doc", text="A sentence.", heading_path=(), start=0,
              end=11, element_index=n, content_hash=f"h{n}", sentences=((0, 11),),
              sentence_vectors=pack_vectors([vector]))
        for n, vector in enumerate(vectors)
    ]  # fmt: skip


def test_the_sentence_close_to_all_the_others_is_the_most_generic():
    rng = numpy.random.default_rng(7)
    topics = rng.normal(size=(30, 32))
    topics /= numpy.linalg.norm(topics, axis=1, keepdims=True)
    generic = topics.mean(axis=0)
    generic /= numpy.linalg.norm(generic)
    marked = with_hubness(_chunks([*topics.tolist(), generic.tolist()]), 32)
    figures = [chunk.hubness[0] for chunk in marked]
    assert figures.index(max(figures)) == 30  # the centroid: close to every topic
    assert abs(sum(figures)) < 1e-3  # centred on the library's mean


def test_a_sentences_own_copy_in_an_overlapping_passage_is_not_its_neighbour(monkeypatch):
    rng = numpy.random.default_rng(3)
    vectors = rng.normal(size=(20, 16))
    vectors /= numpy.linalg.norm(vectors, axis=1, keepdims=True)

    def gap(library: list[list[float]]) -> float:  # sentence 0's figure over sentence 1's
        marked = with_hubness(_chunks(library), 16)
        return marked[0].hubness[0] - marked[1].hubness[0]

    with_copy = [*vectors.tolist(), vectors[0].tolist()]
    assert abs(gap(with_copy) - gap(vectors.tolist())) < 0.02
    # Counted as its neighbour (at cosine 1), the copy would make sentence 0 look generic.
    monkeypatch.setattr("ingest.hubness._SAME_SENTENCE", 1.01)
    assert gap(with_copy) - gap(vectors.tolist()) > 0.04


def test_every_sentence_of_the_library_gets_a_figure_and_carried_passages_are_refigured(settings, corpus_copy):
    """Hubness is the whole library's: a document added changes the figures of those carried over."""
    embedder = HashingEmbedder()
    run_ingest(settings, embedder, ChromaIndex(settings), corpus_dir=corpus_copy)
    before = {c.id: c.hubness for c in ChromaIndex(settings).live().chunks()}
    (corpus_copy / "local-note.md").write_text(
        "# Team note\n\nCheck every AI transcript against your own notes before it goes on the record. "
        "Tell the person how the recording will be used and stored.\n",
        encoding="utf-8",
    )
    run_ingest(settings, embedder, ChromaIndex(settings), corpus_dir=corpus_copy)
    after = ChromaIndex(settings).live().chunks()
    assert all(len(c.hubness) == len(c.sentences) for c in after)
    assert abs(numpy.mean([h for c in after for h in c.hubness])) < 1e-3
    carried = [c for c in after if c.id in before]
    assert carried and any(c.hubness != before[c.id] for c in carried)


@pytest.mark.slow
def test_a_standard_that_fits_every_question_no_longer_leads_the_one_asked_for(assistant, monkeypatch):
    """With MiniLM, standard 6.2 ("Reflect on my working environment and ... challenge practices,
    systems and processes") is close to any question about standards and technology."""
    question = "Which professional standard says I must keep my IT skills up to date as ways of working change?"
    assert assistant.ask(question).claims[0].text.startswith("3.10 ")
    # The question adapter (assistant/core/query_adapter.py) also puts 3.10 first: without it,
    # hubness alone does; without either (as before hubness was stored), 6.2 leads.
    monkeypatch.setattr(retrieve, "_ADAPTED_SHARE", 0.0)
    monkeypatch.setattr(retrieve, "_ADAPTED_IN_RANKING", 0.0)
    assert assistant.ask(question).claims[0].text.startswith("3.10 ")
    monkeypatch.setattr(extractive, "_HUBNESS_WEIGHT", 0.0)
    assert assistant.ask(question).claims[0].text.startswith("6.2 ")
