"""Persistence on a real Chroma on disk: what one process writes, a new process reads back the
same (counts, ids, documents, top-k), as Chroma's own persistence tests check; and an index
written by another version of the stack is refused with what to run, never read silently."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.adapters.factory import open_assistant
from assistant.adapters.chroma_store import SCHEMA_VERSION, STORE_VERSION, ChromaIndex
from assistant.settings import PROJECT_ROOT
from assistant.core.store import IndexIncompatible
from ingest.pipeline import run_ingest
from tests.support import HashingEmbedder, run_cli
from tests.persistence_probe import CHUNKS, QUERIES, TOP_K


def _probe(command: str, data_dir) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.persistence_probe", command, str(data_dir)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.slow
def test_5000_chunks_read_back_the_same_in_a_new_process(tmp_path):
    data = tmp_path / "data"
    written = _probe("write", data)  # what the writer saw, before its process ended
    read = _probe("read", data)
    same_top_k = sum(a == b for a, b in zip(written["top_k"], read["top_k"]))
    print(
        f"persistence: {read['count']} of {written['count']} chunks, ids equal "
        f"{read['ids'] == written['ids']}, documents and metadata equal "
        f"{read['chunks'] == written['chunks']}, top-{TOP_K} equal for {same_top_k} of "
        f"{QUERIES} queries (write {written['seconds']} s, read {read['seconds']} s)"
    )
    assert written["count"] == read["count"] == CHUNKS
    assert read["sources"] == written["sources"] and sum(read["sources"].values()) == CHUNKS
    assert len(set(read["ids"])) == CHUNKS and read["ids"] == written["ids"]
    assert read["chunks"] == written["chunks"]
    assert same_top_k == QUERIES and all(len(found) == TOP_K for found in read["top_k"])
    assert read["generation"] == written["generation"] == 1


# -- An index written by another version of the stack ------------------------------------------

POLICY = (
    "Team AI policy\n\nOnly approved AI tools may be used for case recording. Never paste a "
    "person's details into a public chatbot. Ask your data protection officer before using a "
    "new tool, and record how AI helped you write any note that goes on a file.\n"
)
# What another version would have recorded, and words the refusal must then contain.
OTHER_VERSIONS = {
    "older chromadb": (
        {"store_version": "chromadb 1.4.1"},
        f"written by chromadb 1.4.1, this installation has {STORE_VERSION}",
    ),
    "newer layout": (
        {"schema_version": SCHEMA_VERSION + 1},
        f"its layout is version {SCHEMA_VERSION + 1}, this version reads layout {SCHEMA_VERSION}",
    ),
    "nothing recorded": (  # an index from before versions were recorded
        {"store_version": "", "schema_version": 0},
        "written by a chromadb version it did not record, this installation has "
        f"{STORE_VERSION}; its layout was not recorded",
    ),
}


def _ingest(settings, corpus, rebuild=False):
    return run_ingest(
        settings, HashingEmbedder(), ChromaIndex(settings), corpus_dir=corpus, rebuild=rebuild
    )


@pytest.fixture
def built_elsewhere(settings, tmp_path, request):
    """An index of a small corpus whose live generation says another version wrote it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "policy.txt").write_text(POLICY, encoding="utf-8")
    assert _ingest(settings, corpus).published
    collection = ChromaIndex(settings).live().collection
    recorded, expected = OTHER_VERSIONS[request.param]
    collection.modify(metadata={**collection.metadata, **recorded})
    return corpus, expected


@pytest.mark.parametrize("built_elsewhere", OTHER_VERSIONS, indirect=True)
def test_an_index_from_another_version_is_refused_until_rebuilt(settings, built_elsewhere):
    corpus, expected = built_elsewhere
    with pytest.raises(IndexIncompatible) as caught:
        ChromaIndex(settings).live()
    message = str(caught.value)
    print(f"refused: {message}")
    assert expected in message
    assert "assistant ingest --rebuild" in message and str(settings.data_dir) in message
    # Every way in says the same: answering, and an ingest that would reuse its vectors.
    with pytest.raises(IndexIncompatible, match="assistant ingest --rebuild"):
        open_assistant(settings, HashingEmbedder())
    with pytest.raises(IndexIncompatible):
        _ingest(settings, corpus)
    # The command it names works, and the index is ours again.
    report = _ingest(settings, corpus, rebuild=True)
    live = ChromaIndex(settings).live()
    assert report.published and live.count() == report.total_chunks > 0
    assert (live.info.store_version, live.info.schema_version) == (STORE_VERSION, SCHEMA_VERSION)


@pytest.mark.slow
@pytest.mark.parametrize("built_elsewhere", ["older chromadb"], indirect=True)
def test_the_commands_refuse_it_in_plain_words(settings, built_elsewhere):
    corpus, _ = built_elsewhere
    data = str(settings.data_dir)
    for command in (["sources"], ["ask", "Can I paste case notes into a chatbot?"], ["ingest"]):
        extra = ["--corpus", str(corpus)] if command == ["ingest"] else []
        done = run_cli(*command, "--db", data, *extra)
        said = " ".join(done.stderr.split())  # rich wraps long lines
        print(f"assistant {command[0]}: exit {done.returncode}: {said}")
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "written by chromadb 1.4.1" in said and "assistant ingest --rebuild" in said
    rebuilt = run_cli("ingest", "--rebuild", "--corpus", str(corpus), "--db", data, "--json")
    assert rebuilt.returncode == 0 and json.loads(rebuilt.stdout)["published"], rebuilt.stderr
    assert run_cli("sources", "--db", data).returncode == 0
