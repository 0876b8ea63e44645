"""`ingest --fetch` against a local HTTP server on 127.0.0.1 serving fixture files."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from assistant.chroma_store import ChromaIndex
from assistant.library import design_coverage
from ingest.fetch import fetch_official
from ingest.manifest import load_manifest
from ingest.pipeline import run_ingest
from tests.conftest import HashingEmbedder

STANDARDS = (
    "<html><head><title>Professional standards</title></head><body>"
    "<h1>Professional standards</h1><h2>Be accountable</h2>"
    "<p>3.11 Maintain clear, accurate, legible and up to date records, documenting how I arrive "
    "at my decisions.</p></body></html>"
)


@pytest.fixture
def publisher(tmp_path):
    """A stand-in publisher website: each path answers with a given body and content type."""
    pages = {
        "/standards": ("text/html; charset=utf-8", STANDARDS.encode()),
        "/playbook": ("application/zip", b"PK not what we asked for"),
        "/huge": ("text/html", b"<p>" + b"x" * 3_000_000 + b"</p>"),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in pages:
                self.send_error(404)
                return
            content_type, body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()  # no Content-Length: the size limit must hold while streaming
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def write_manifest(corpus: Path, base: str) -> None:
    entries = [
        ("swe-professional-standards", "/standards", "official/standards.html"),
        ("gds-ai-playbook", "/playbook", "official/playbook.html"),
        ("basw-ai-guidance", "/huge", "official/basw.html"),
        ("oxford-statement", "/missing", "official/oxford.html"),
    ]
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "sources.toml").write_text("\n".join(
        f'[[official]]\nid = "{doc}"\ntitle = "T {doc}"\npublisher = "P"\ndate = "2025"\n'
        f'page = "{base}{path}"\nfetch_url = "{base}{path}"\nfile = "{file}"\n'
        for doc, path, file in entries
    ))


def test_fetch_stores_what_is_allowed_and_refuses_the_rest(tmp_path, publisher):
    corpus = tmp_path / "corpus"
    write_manifest(corpus, publisher)
    results = {r.id: r for r in fetch_official(load_manifest(corpus).official, corpus, 5, 1_000_000)}
    assert results["swe-professional-standards"].status == "fetched"
    assert (corpus / "official/standards.html").read_text() == STANDARDS
    assert "unexpected content type application/zip" in results["gds-ai-playbook"].reason
    assert "download limit" in results["basw-ai-guidance"].reason
    assert not (corpus / "official/basw.html").exists()
    assert "404" in results["oxford-statement"].reason or "Not Found" in results["oxford-statement"].reason
    assert [p.name for p in (corpus / "official").iterdir()] == ["standards.html"]  # no partial files


@pytest.mark.slow
def test_a_fetched_official_document_counts_as_full_text(tmp_path, settings, publisher):
    corpus = tmp_path / "corpus"
    write_manifest(corpus, publisher)
    fetch_official(load_manifest(corpus).official, corpus, 5, 1_000_000)
    run_ingest(settings, HashingEmbedder(), ChromaIndex(settings), corpus_dir=corpus)
    live = ChromaIndex(settings).live()
    source = live.info.sources["swe-professional-standards"]
    assert source.kind == "official document" and source.chunks == 1
    status = {c.id: c.status for c in design_coverage(live.info)}
    assert status["swe-professional-standards"] == "full"
    assert status["gds-ai-playbook"] == "missing"
    assert "3.11 Maintain clear, accurate" in live.chunks("swe-professional-standards")[0].text
