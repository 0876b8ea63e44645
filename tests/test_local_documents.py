"""Vetted and local sources: a file corpus/sources.toml lists is one of the library's sources;
any other file is a local document, labelled wherever it is cited (answer JSON, CLI, chat side
panel, Markdown export), ranked after a library source of the same relevance, and left out
altogether with ASSISTANT_LOCAL_DOCUMENTS=exclude."""

from __future__ import annotations

import json

import pytest

from assistant.adapters.factory import open_assistant
from assistant.chat.adapter import render_answer
from assistant.adapters.chroma_store import ChromaIndex
from assistant.core.prompts import load_template
from assistant.settings import load_settings
from ingest.pipeline import run_ingest
from tests.support import run_cli

LABEL = "local document, not one of the library's published sources"
MANIFEST = """
[[source]]
id = "team-guidance"
file = "guidance.md"
title = "Using AI transcription: team guidance"
publisher = "Example Council"
date = "2025-06-01"
url = "https://example.org/ai-transcription"
"""
SHARED = (
    "Transcripts made by AI tools are drafts: the social worker checks every transcript against "
    "their own notes before anything is added to the case record."
)
GUIDANCE = f"# Using AI transcription\n\n{SHARED}\n\nRecordings are deleted after 30 days.\n"
# A supplier's brochure a team dropped into the folder: the same sentence, and its own claims.
BROCHURE = (
    f"# Scribewell brochure\n\n{SHARED}\n\nScribewell transcribes home visits in 40 languages "
    "and keeps recordings on servers in the United Kingdom.\n"
)
QUESTION = "Do AI transcripts of home visits have to be checked before they go on the case record?"
ONLY_IN_BROCHURE = "How many languages can Scribewell transcribe home visits in?"


@pytest.fixture(scope="module")
def library(tmp_path_factory, real_embedder):
    root = tmp_path_factory.mktemp("local")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "sources.toml").write_text(MANIFEST, encoding="utf-8")
    (corpus / "guidance.md").write_text(GUIDANCE, encoding="utf-8")
    (corpus / "brochure.md").write_text(BROCHURE, encoding="utf-8")
    settings = load_settings(data_dir=root / "data", corpus_dir=corpus)
    run_ingest(settings, real_embedder, ChromaIndex(settings))
    return settings


def _source_of(citation) -> str:
    return citation.passage.chunk.source_id


def test_a_local_document_is_labelled_wherever_it_is_cited(library, real_embedder):
    assistant = open_assistant(library, real_embedder)
    answer = assistant.ask(ONLY_IN_BROCHURE)
    local = [c for c in answer.citations if _source_of(c) == "brochure-md"]
    assert local and all(c.label == LABEL for c in local)
    assert all(c.label == "" for c in answer.citations if _source_of(c) == "team-guidance")
    data = answer.to_dict()
    assert any(c["local_document"] and c["label"] == LABEL for c in data["citations"])
    assert any("local document" in notice for notice in answer.notices)

    rendered = render_answer(answer, assistant.index.sources, load_template("chat.v1.md"))
    n = local[0].n
    assert LABEL in next(p.content for p in rendered.panels if p.name == f"[{n}]")
    assert LABEL in rendered.content  # the list of sources under the answer
    assert f"({LABEL})" in rendered.export


def test_the_cli_labels_the_local_document_and_sources_says_how_to_list_it(library):
    where = ["--db", str(library.data_dir)]
    asked = run_cli("ask", *where, ONLY_IN_BROCHURE)
    assert asked.returncode == 0, asked.stderr
    assert f"Scribewell brochure ({LABEL})" in " ".join(asked.stdout.split())

    listed = json.loads(run_cli("sources", *where, "--json").stdout)["sources"]
    assert {s["id"]: s["in_manifest"] for s in listed} == {"team-guidance": True, "brochure-md": False}
    table = run_cli("sources", *where)
    assert "local document" in table.stdout and 'file = "brochure.md"' in table.stdout


def test_at_equal_relevance_the_library_source_comes_first(library, real_embedder):
    assistant = open_assistant(library, real_embedder)
    retrieval = assistant.retriever.search(QUESTION)
    sources = [p.chunk.source_id for p in retrieval.passages]
    assert sources.index("team-guidance") < sources.index("brochure-md")
    # Told apart only by the manifest: with local documents included as equals, the order is
    # the plain relevance order, whichever that is.
    equal = open_assistant(library.model_copy(update={"local_documents": "include"}), real_embedder)
    assert all(c.label == "" for c in equal.ask(ONLY_IN_BROCHURE).citations)


def test_excluded_local_documents_are_never_used(library, real_embedder):
    assistant = open_assistant(library.model_copy(update={"local_documents": "exclude"}), real_embedder)
    for question in (QUESTION, ONLY_IN_BROCHURE):
        answer = assistant.ask(question)
        assert all(p.chunk.source_id != "brochure-md" for p in answer.passages), question
    assert "40 languages" not in json.dumps(assistant.ask(ONLY_IN_BROCHURE).to_dict())


def test_listing_a_local_document_in_the_manifest_makes_it_a_library_source(tmp_path, real_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "brochure.md").write_text(BROCHURE, encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    run_ingest(settings, real_embedder, ChromaIndex(settings))
    assert not ChromaIndex(settings).live().info.sources["brochure-md"].in_manifest

    (corpus / "sources.toml").write_text(
        '[[source]]\nid = "scribewell"\nfile = "brochure.md"\ntitle = "Scribewell brochure"\n'
        'publisher = "Scribewell Ltd"\ndate = "2025-01"\n',
        encoding="utf-8",
    )
    report = run_ingest(settings, real_embedder, ChromaIndex(settings))
    assert [f.status for f in report.files] == ["ingested"]  # the file is unchanged; its record is not
    live = ChromaIndex(settings).live()
    assert set(live.info.sources) == {"scribewell"} and live.info.sources["scribewell"].in_manifest
    answer = open_assistant(settings, real_embedder).ask(ONLY_IN_BROCHURE)
    assert answer.citations and all(c.label == "" for c in answer.citations)
