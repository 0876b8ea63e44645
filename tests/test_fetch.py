"""`ingest --fetch` against a local HTTP server on 127.0.0.1 serving fixture files."""

from __future__ import annotations

import errno
import http.server
import os
import socket
import threading
import urllib.error
from pathlib import Path

import pytest

from assistant.adapters.chroma_store import ChromaIndex
from assistant.core.library import design_coverage
from ingest.fetch import fetch_official, plain_reason
from ingest.manifest import load_manifest
from ingest.pipeline import run_ingest
from tests.support import HashingEmbedder, run_cli

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


@pytest.mark.parametrize(
    "error, said",
    [
        (urllib.error.URLError(socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")),
         "no network (name resolution failed)"),
        (urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "Name or service not known")),
         "no network, or no such website (name resolution failed)"),
        (urllib.error.URLError(OSError(errno.ENETUNREACH, "Network is unreachable")),
         "no network (the network is unreachable)"),
        (urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")),
         "the website refused the connection"),
        (TimeoutError("timed out"), "no answer within 5 seconds (a slow or missing network)"),
    ],
)  # fmt: skip
def test_a_failed_download_says_why_in_plain_words(error, said):
    assert plain_reason(error, 5) == said


@pytest.mark.slow
def test_ingest_fetch_that_cannot_download_still_ingests_and_says_why(tmp_path, publisher):
    """Each document that could not be downloaded gets one line saying why; the files already in
    the corpus folder are indexed, the summary printed, and the exit code says not all went well."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    nobody = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()  # nothing listens there: the connection is refused, as by a proxy or firewall
    corpus = tmp_path / "corpus"
    write_manifest(corpus, publisher)
    text = (corpus / "sources.toml").read_text().replace(f"{publisher}/playbook", f"http://{nobody}/playbook")
    (corpus / "sources.toml").write_text(text)
    (corpus / "team-policy.md").write_text("# Team AI policy\n\nOnly approved tools may be used for case notes.\n")
    done = run_cli("ingest", "--fetch", "--corpus", str(corpus), "--db", str(tmp_path / "data"),
                   env={**os.environ, "ASSISTANT_FETCH_MAX_MB": "1"})  # fmt: skip
    said = done.stderr.splitlines()
    host = publisher.removeprefix("http://")
    assert f"could not download gds-ai-playbook from {nobody}: the website refused the connection" in said
    assert f"could not download oxford-statement from {host}: the website answered 404 Not Found" in said
    assert any(line.startswith(f"downloaded swe-professional-standards from {host}") for line in said)
    assert "Errno" not in done.stderr and "Traceback" not in done.stderr
    out = " ".join(done.stdout.split())
    assert "team-policy.md ingested" in " ".join(out.replace("│", " ").split())
    assert "2 ingested, 0 unchanged, 0 skipped, 0 failed" in out
    assert "3 of 4 official document(s) could not be downloaded" in out
    assert done.returncode == 4
