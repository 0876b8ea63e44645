"""The same code in Chroma's client-server mode, against a real `chroma run` on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.adapters.chroma_store import ChromaIndex
from assistant.settings import load_settings
from ingest.pipeline import run_ingest
from tests.support import HashingEmbedder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "the chroma CLI comes with the chromadb package"
    port = free_port()
    server = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server-db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("chroma server did not start")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


@pytest.mark.slow
def test_ingest_and_query_through_a_chroma_server(tmp_path, corpus_copy, chroma_server, no_network):
    settings = load_settings(data_dir=tmp_path / "data", chroma_server_url=chroma_server)
    embedder = HashingEmbedder()
    report = run_ingest(settings, embedder, ChromaIndex(settings), corpus_dir=corpus_copy)
    assert report.published and report.total_chunks > 150
    live = ChromaIndex(settings).live()
    assert live.count() == report.total_chunks
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store
    chunk = live.chunks("rip-swe-ai-research-2025")[10]
    hits = live.query(embedder.embed_batch([chunk.embedding_text()])[0], k=1)
    assert hits[0].chunk.id == chunk.id
    again = run_ingest(settings, embedder, ChromaIndex(settings), corpus_dir=corpus_copy)
    assert {f.status for f in again.files} == {"unchanged"}
    assert no_network == []
