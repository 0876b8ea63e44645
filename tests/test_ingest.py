"""The ingestion job on a real Chroma on disk: full, incremental, atomic, locked, offline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from filelock import FileLock

from assistant.adapters.chroma_store import ChromaIndex
from assistant.core.library import design_coverage
from assistant.settings import PROJECT_ROOT, load_settings
from assistant.core.store import ModelMismatch
from ingest.pipeline import IngestBusy, run_ingest
from tests.support import CLI, HashingEmbedder, SEEDS, run_cli
from tests.documents import make_docx, make_pdf



def ingest(settings, embedder, corpus, **options):
    return run_ingest(settings, embedder, ChromaIndex(settings), corpus_dir=corpus, **options)


@pytest.mark.slow
def test_full_ingest_of_the_bundled_corpus_offline(settings, corpus_copy, real_embedder, no_network):
    """The real pipeline end to end: real parser, real model, real Chroma, no network at all."""
    report = ingest(settings, real_embedder, corpus_copy)
    assert [(f.path, f.status) for f in report.files] == [(path, "ingested") for path in SEEDS]
    assert report.published and report.total_chunks > 150
    live = ChromaIndex(settings).live()
    assert live.count() == report.total_chunks
    assert live.info.embedding_model == "sentence-transformers/all-MiniLM-L6-v2"
    # Chunks are exact slices of the cleaned text, sized for the model, with provenance.
    chunks = live.chunks()
    assert all(real_embedder.fits(f"{c.section}\n{c.text}") for c in chunks)
    assert all(len(c.text.split()) <= settings.chunk_max_words for c in chunks)
    assert {c.source_id for c in chunks} == set(live.info.sources)
    # The stored vectors are the model's: a query in the passage's own words finds it first.
    question = "sharing personal information with publicly available AI such as ChatGPT"
    found = live.query(real_embedder.embed_batch([question])[0], k=3)
    assert "publicly available AI models" in found[0].chunk.text
    assert no_network == []
    # Every design-card document is flagged as present only through excerpts.
    assert {c.status for c in design_coverage(live.info)} == {"excerpts"}


@pytest.mark.slow
def test_chunk_ids_are_stable_across_runs(tmp_path, corpus_copy, hashing_embedder):
    first = load_settings(data_dir=tmp_path / "one")
    second = load_settings(data_dir=tmp_path / "two")
    ingest(first, hashing_embedder, corpus_copy)
    ingest(second, HashingEmbedder(), corpus_copy)
    ids = lambda s: [c.id for c in ChromaIndex(s).live().chunks()]  # noqa: E731
    assert ids(first) == ids(second)


@pytest.mark.slow
def test_incremental_reingest(settings, corpus_copy):
    embedder = HashingEmbedder()
    first = ingest(settings, embedder, corpus_copy)
    embedded_first = len(embedder.embedded)
    stored = ChromaIndex(settings).live().chunks()
    # Each chunk once, and each of its sentences (for extractive answers and citation checks).
    assert embedded_first == first.total_chunks + sum(len(c.sentences) for c in stored)

    # Nothing changed: nothing re-embedded, no new generation.
    again = ingest(settings, embedder, corpus_copy)
    assert {f.status for f in again.files} == {"unchanged"}
    assert not again.published and len(embedder.embedded) == embedded_first

    # One file changed: only its new chunk is embedded; one deleted: its chunks are gone.
    news = corpus_copy / SEEDS[0]
    news.write_text(news.read_text(encoding="utf-8") + "\nA new closing paragraph about consent.\n")
    (corpus_copy / SEEDS[3]).unlink()
    changed = ingest(settings, embedder, corpus_copy)
    statuses = {f.path: f.status for f in changed.files}
    assert statuses[SEEDS[0]] == "ingested" and statuses[SEEDS[1]] == "unchanged"
    assert SEEDS[3] not in statuses
    newly_embedded = embedder.embedded[embedded_first:]
    live = ChromaIndex(settings).live()
    new_chunks = [c for c in live.chunks() if c.embedding_text() in newly_embedded]
    assert 1 <= len(new_chunks) <= 2  # the changed tail, not the whole file
    assert sorted(newly_embedded) == sorted(
        text for c in new_chunks for text in [c.embedding_text(), *c.sentence_texts()]
    )
    assert "nhsx-ai-adult-social-care" not in live.info.sources
    assert not live.chunks("nhsx-ai-adult-social-care")
    assert live.count() == sum(s.chunks for s in live.info.sources.values())


@pytest.mark.slow
def test_bad_files_are_reported_and_never_stop_the_run(settings, corpus_copy):
    (corpus_copy / "notes").mkdir()
    (corpus_copy / "notes" / "random.docx").write_bytes(os.urandom(2048))
    (corpus_copy / "notes" / "empty.pdf").write_bytes(b"")
    (corpus_copy / "notes" / "slides.pptx").write_bytes(b"PK")
    make_pdf(corpus_copy / "notes" / "scan.pdf", [""])
    make_docx(corpus_copy / "notes" / "team-policy.docx", "Team AI policy",
              ["Only approved tools may be used for case recording in this team."])
    (corpus_copy / "notes" / "prices.txt").write_bytes("Licences cost £40 per worker.".encode("cp1252"))
    report = ingest(settings, HashingEmbedder(), corpus_copy)
    statuses = {f.path: (f.status, f.reason) for f in report.files}
    assert statuses["notes/random.docx"][0] == "failed"
    assert statuses["notes/empty.pdf"] == ("failed", "file is empty")
    assert statuses["notes/slides.pptx"][0] == "skipped"
    assert "no text layer" in statuses["notes/scan.pdf"][1]
    assert statuses["notes/team-policy.docx"][0] == "ingested"
    live = ChromaIndex(settings).live()
    policy = live.info.sources["notes-team-policy-docx"]
    assert policy.title == "Team AI policy" and policy.publisher == "unknown"
    assert any("£40" in c.text for c in live.chunks("notes-prices-txt"))


@pytest.mark.slow
def test_a_corrupted_replacement_keeps_the_previous_version(settings, corpus_copy):
    make_docx(corpus_copy / "policy.docx", "Policy", ["Ask your data protection officer first."])
    ingest(settings, HashingEmbedder(), corpus_copy)
    (corpus_copy / "policy.docx").write_bytes(b"not a zip any more")
    report = ingest(settings, HashingEmbedder(), corpus_copy)
    reason = {f.path: f.reason for f in report.files}["policy.docx"]
    assert "previously indexed version is kept" in reason
    assert ChromaIndex(settings).live().chunks("policy-docx")


@pytest.mark.slow
def test_progress_is_reported_per_file_read_and_per_batch_embedded(tmp_path, corpus_copy):
    """The bar moves as the work is done: loading the parser and models is a stage of its own
    (not the first file), each file is reported once it has been read, embedding after each
    batch of chunks."""
    settings = load_settings(data_dir=tmp_path / "data", embedding_batch_size=16)
    events: list[tuple] = []
    report = run_ingest(settings, HashingEmbedder(), ChromaIndex(settings), corpus_dir=corpus_copy,
                        progress=lambda *event: events.append(event))  # fmt: skip
    files = len(SEEDS)
    assert [e for e in events if e[0] == "load"] == [("load", 0, 1), ("load", 1, 1)]
    reading = [e for e in events if e[0] == "parse"]
    assert reading == [("parse", 0, files)] + [("parse", n, files, path) for n, path in enumerate(SEEDS, 1)]
    assert events.index(("load", 1, 1)) < events.index(reading[1])  # loaded before the first file ends
    embedded = [e for e in events if e[0] == "embed"]
    total = embedded[0][2]
    assert total == report.total_chunks > 16 * 3
    assert [done for _, done, _ in embedded] == [0, *range(16, total, 16), total]
    assert events.index(reading[-1]) < events.index(embedded[0])
    # Nothing changed: nothing to load or embed, and each file is still reported once.
    events.clear()
    run_ingest(settings, HashingEmbedder(), ChromaIndex(settings), corpus_dir=corpus_copy,
               progress=lambda *event: events.append(event))  # fmt: skip
    assert [e[0] for e in events] == ["parse"] * (files + 1)


def test_a_second_ingest_is_refused_while_one_runs(settings, corpus_copy):
    settings.data_dir.mkdir(parents=True)
    with FileLock(settings.data_dir / "ingest.lock"):
        started = time.perf_counter()
        with pytest.raises(IngestBusy, match="already running"):
            ingest(settings, HashingEmbedder(), corpus_copy)
        assert time.perf_counter() - started < 5


@pytest.mark.slow
def test_querying_with_another_model_is_a_clear_error(settings, corpus_copy):
    ingest(settings, HashingEmbedder(), corpus_copy)
    other = HashingEmbedder()
    other.model_id = "test/another-model"
    with pytest.raises(ModelMismatch, match="--rebuild"):
        ingest(settings, other, corpus_copy)
    report = ingest(settings, other, corpus_copy, rebuild=True)
    assert report.published
    assert ChromaIndex(settings).live().info.embedding_model == "test/another-model"






@pytest.mark.slow
def test_killing_ingest_leaves_the_previous_index_readable(tmp_path, corpus_copy):
    data = tmp_path / "data"
    first = run_cli("ingest", "--corpus", str(corpus_copy), "--db", str(data), "--json")
    assert first.returncode == 0, first.stderr
    before = json.loads(first.stdout)["totals"]["chunks"]
    # Change everything, start a rebuild, and kill it while it works.
    for path in SEEDS:
        target = corpus_copy / path
        target.write_text(target.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    process = subprocess.Popen(
        [*CLI, "ingest", "--corpus", str(corpus_copy), "--db", str(data), "--rebuild"],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(12)
    process.send_signal(signal.SIGKILL)
    process.wait()
    sources = run_cli("sources", "--db", str(data), "--json")
    assert sources.returncode == 0, sources.stderr
    listed = json.loads(sources.stdout)
    assert sum(s["chunks"] for s in listed["sources"]) == before
    assert listed["generation"] == 1
    # The next ingest cleans up and completes.
    after = run_cli("ingest", "--corpus", str(corpus_copy), "--db", str(data), "--json")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout)["published"] is True


@pytest.mark.slow
def test_cli_json_and_exit_codes(tmp_path, corpus_copy):
    data = tmp_path / "data"
    result = run_cli("ingest", "--corpus", str(corpus_copy), "--db", str(data), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["files"][0]) == {"path", "status", "reason", "chunks", "withheld", "withheld_reasons"}
    assert report["totals"]["ingested"] == 5

    listed = run_cli("sources", "--db", str(data))
    assert listed.returncode == 0
    assert "EXCERPTS ONLY" in listed.stdout and "not the full text" in listed.stdout

    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    (empty / "broken.docx").write_bytes(b"garbage")
    nothing = run_cli("ingest", "--corpus", str(empty), "--db", str(tmp_path / "d2"), "--json")
    assert nothing.returncode == 1
    assert json.loads(nothing.stdout)["files"][0]["status"] == "failed"

    usage = run_cli("ingest", "--corpus", str(tmp_path / "missing"))
    assert usage.returncode == 2 and "not found" in usage.stderr
