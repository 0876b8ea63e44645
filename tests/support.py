"""What the tests share: paths, the command line in a real process, a hashing embedder, the
chat server and a client that talks to it as the page does, the model backends' messages, and
stand-ins at the core's seams (an in-memory index and a scripted model) that implement the same
Protocols as Chroma and the model backends. Test modules import from here, never from each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import math
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import socketio

from assistant.core.domain import Chunk
from assistant.core.embeddings import cosine
from assistant.core.llm import Generation, Message, StreamedText, TokenCallback
from assistant.core.store import IndexInfo, ScoredChunk
from assistant.settings import PROJECT_ROOT, Settings, load_settings

if TYPE_CHECKING:
    from assistant.adapters.ollama import OllamaLLM

# -- Paths, and the network guard

CORPUS = PROJECT_ROOT / "corpus"

FIXTURES = Path(__file__).parent / "fixtures"
# In a pytest run inside a test's subprocess, sitecustomize has loaded the guard as `netguard`:
# use that module, not a second copy with another NetworkAttempt class.
netguard = sys.modules.get("netguard") or importlib.import_module("tests.netguard.netguard")

SEEDS = ["seeds/000_f8e20cac3b8c86b5.txt", "seeds/001_66974ed42ee55e88.txt",
         "seeds/002_c65d1ef3fc29c191.md", "seeds/003_bd27090224ae28c3.txt",
         "seeds/004_ca9fbe29273a6979.md"]  # fmt: skip

# -- The command line, in a real process

CLI = [sys.executable, "-m", "assistant.cli"]

def run_cli(*args, env=None, input=None):
    """`assistant ARGS` in a real process, from the project folder; `input` goes to its stdin."""
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, input=input,
        timeout=600,
    )  # fmt: skip


# -- Embedding without the model

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


# -- Ports

def free_port() -> int:
    """A loopback port nothing listens on now (bound, then released): a server can start on it,
    and a client finds nobody there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- The chat: a real server, and a client that speaks its socket.io protocol

class ChatServer:
    """`assistant chat` in a subprocess, on a free port, logging to a file."""

    def __init__(self, log: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.feedback_db: Path | None = None  # where its ratings go, when the test chose it
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [*CLI, "chat", "--port", str(self.port), *args],
                cwd=PROJECT_ROOT,
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.5)
        raise AssertionError(f"the chat did not start:\n{self.log.read_text()}")

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        return self.log.read_text()


class ChatClient:
    """One browser tab's conversation, over the socket.io protocol Chainlit's page uses."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session_id = str(uuid.uuid4())
        self.events: list[tuple[str, dict]] = []
        self.sio = socketio.AsyncClient()
        self.sio.on("*", self._record)

    async def _record(self, event: str, data: object = None) -> None:
        self.events.append((event, data if isinstance(data, dict) else {"value": data}))

    async def connect(self, headers: dict[str, str] | None = None) -> None:
        auth = {
            "clientType": "webapp",
            "sessionId": self.session_id,
            "threadId": "",
            "userEnv": "{}",
            "chatProfile": "",
        }
        await self.sio.connect(
            self.url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            auth=auth,
            headers=headers or {},
        )
        await self.sio.emit("connection_successful")

    async def wait_for(
        self, event: str, since: int = 0, timeout: float = 120, **match: object
    ) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, data in self.events[since:]:
                if name == event and all(data.get(k) == v for k, v in match.items()):
                    return data
            await asyncio.sleep(0.2)
        raise AssertionError(f"no {event} {match} in {[name for name, _ in self.events[since:]]}")

    async def ask(self, text: str) -> tuple[str, int]:
        """Send a question and wait for its answer; its message id and where its events start."""
        message_id, start = await self.send(text)
        await self.wait_for("update_message", start, name="on_message")  # the run has ended
        return message_id, start

    async def send(self, text: str) -> tuple[str, int]:
        """Send a question; its message id and where its events start."""
        start, message_id = len(self.events), str(uuid.uuid4())
        created = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        await self.sio.emit(
            "client_message",
            {
                "message": {
                    "id": message_id,
                    "name": "User",
                    "type": "user_message",
                    "output": text,
                    "createdAt": created,
                },
                "fileReferences": [],
            },
        )
        return message_id, start

    def after(self, start: int, event: str, **match: object) -> list[dict]:
        return [
            data
            for name, data in self.events[start:]
            if name == event and all(data.get(k) == v for k, v in match.items())
        ]

    async def rate(self, for_id: str, value: int, comment: str = "") -> httpx.Response:
        """Thumbs up (1) or down (0), with an optional comment, as the page sends it."""
        feedback = {"forId": for_id, "value": value, "comment": comment}
        async with httpx.AsyncClient() as http:
            return await http.put(
                f"{self.url}/feedback", json={"sessionId": self.session_id, "feedback": feedback}
            )

    async def call_action(self, action: dict) -> httpx.Response:
        async with httpx.AsyncClient() as http:
            return await http.post(
                f"{self.url}/project/action", json={"sessionId": self.session_id, "action": action}
            )


# -- The browser (Debian's chromium: Playwright's own download does not work offline)

CHROMIUM = Path("/usr/bin/chromium")

# Without the background-networking switches Chromium keeps trying to reach Google's services,
# which this machine's closed network refuses; none of them is needed to render a page.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# -- The model backends

# Stands for a social worker's question: it must never appear in an error message.
PRIVATE = "Mrs Example at 12 Sample Road told me about her son's court date"

MESSAGES = [
    {"role": "system", "content": "Answer from the numbered passages only."},
    {"role": "user", "content": f"Can I paste this into an AI tool? {PRIVATE}"},
]

SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "citations": {"type": "array"}},
    "required": ["answer", "citations"],
}

def with_overrides(settings: Settings, **overrides: object) -> Settings:
    return load_settings(data_dir=settings.data_dir, **overrides)


def ollama(settings: Settings, host: str, **overrides: object) -> OllamaLLM:
    from assistant.adapters.ollama import OllamaLLM

    return OllamaLLM(with_overrides(settings, backend="ollama", ollama_host=host, **overrides))


# -- Stand-ins at the core's seams: the same Protocols as Chroma (assistant/core/store.py) and
# the model backends (assistant/core/llm.py), for fast tests of the answer path. The contract
# test (tests/test_store_contract.py) holds the in-memory index to what Chroma does.


class MemoryStore:
    """One generation of an index, in memory: exact cosine search over the chunks' vectors."""

    def __init__(self, info: IndexInfo) -> None:
        self.info = info
        self._chunks: dict[str, Chunk] = {}
        self._vectors: dict[str, list[float]] = {}

    def count(self) -> int:
        return len(self._chunks)

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        for chunk, vector in zip(chunks, embeddings, strict=True):
            self._chunks[chunk.id] = chunk
            self._vectors[chunk.id] = list(map(float, vector))

    def query(
        self, embedding: Sequence[float], k: int, source_ids: Sequence[str] | None = None
    ) -> list[ScoredChunk]:
        allowed = [c for c in self._chunks.values() if not source_ids or c.source_id in source_ids]
        scored = [ScoredChunk(chunk, cosine(embedding, self._vectors[chunk.id])) for chunk in allowed]
        return sorted(scored, key=lambda hit: hit.similarity, reverse=True)[: max(1, k)]

    def chunks(self, source_id: str | None = None, sentence_vectors: bool = True) -> list[Chunk]:
        found = [c for c in self._chunks.values() if source_id is None or c.source_id == source_id]
        if not sentence_vectors:
            found = [replace(chunk, sentence_vectors="") for chunk in found]
        return sorted(found, key=lambda chunk: (chunk.source_id, chunk.start))

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, Chunk]:
        return {chunk_id: self._chunks[chunk_id] for chunk_id in ids if chunk_id in self._chunks}

    def embeddings(self, ids: Sequence[str]) -> dict[str, list[float]]:
        return {chunk_id: list(self._vectors[chunk_id]) for chunk_id in ids if chunk_id in self._vectors}


class MemoryIndex:
    """Generations of an in-memory index; the last published one is live."""

    def __init__(self) -> None:
        self._generations: list[tuple[MemoryStore, bool]] = []

    def live(self) -> MemoryStore | None:
        ready = [store for store, published in self._generations if published]
        return ready[-1] if ready else None

    def begin(self, info: IndexInfo) -> MemoryStore:
        store = MemoryStore(replace(info, generation=len(self._generations) + 1))
        self._generations.append((store, False))
        return store

    def publish(self, store: MemoryStore, info: IndexInfo) -> None:
        store.info = replace(info, generation=store.info.generation)
        self._generations = [(s, published or s is store) for s, published in self._generations]

    def discard_unfinished(self) -> int:
        unfinished = [store for store, published in self._generations if not published]
        self._generations = [(s, published) for s, published in self._generations if published]
        return len(unfinished)


class ScriptedLLM:
    """A model whose replies are written by the test: each `chat` streams the next reply (or
    what `reply(messages)` returns) in pieces, and the messages it was sent are kept."""

    name = "scripted"

    def __init__(self, *replies: str, reply: Callable[[list[Message]], str] | None = None) -> None:
        self._replies = list(replies)
        self._reply = reply
        self.sent: list[list[Message]] = []

    def chat(
        self, messages: list[Message], schema: dict | None = None, on_token: TokenCallback | None = None
    ) -> Generation:
        self.sent.append(messages)
        text = self._reply(messages) if self._reply else self._replies.pop(0)
        streamed = StreamedText(on_token)
        for start in range(0, len(text), 16):
            streamed.add(text[start : start + 16])
        return streamed.generation()
