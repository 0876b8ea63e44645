"""A stand-in for Ollama's HTTP API on 127.0.0.1, close enough for the ollama client to talk to.

It serves what the assistant uses: `GET /api/tags` (the pulled models) and `POST /api/chat`,
streamed the way Ollama streams it (HTTP/1.1 chunked NDJSON, one small message per line, then a
final line with `done: true` and the counts). Every request body is recorded so tests can check
what the client really sent.

    with OllamaStandIn(reply='{"answer": "yes"}') as server:
        settings = load_settings(backend="ollama", ollama_host=server.url)

or use the `ollama_standin` fixture, whose attributes a test may change before the request.

Faults, for the tests of what the assistant does when the server misbehaves (`fault`): a stall
before the first token (Ollama sends nothing, not even headers, while it loads a model), a stall
mid-stream, a line that is not JSON, and the connection closed mid-stream; `chat_model_missing`
gives Ollama's 404. A connection refused is a port nothing listens on (no stand-in at all). The
stand-in records when a client hangs up mid-stream (`hangups`) and how many lines it streamed.
"""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

MODEL = "llama3.1:8b"  # the settings' default ollama_model
CREATED_AT = "2025-06-01T12:00:00.000000000Z"
FAULTS = ("stall_before_first", "stall_mid_stream", "malformed_json", "close_mid_stream")


@dataclass
class Request:
    method: str
    path: str
    body: dict[str, Any] | None


@dataclass
class OllamaStandIn:
    models: list[str] = field(default_factory=lambda: [MODEL])
    reply: str = '{"answer": "Yes, with care.", "citations": [1]}'
    chunk_delay_s: float = 0.0  # pause before each streamed line
    chat_model_missing: bool = False  # answer /api/chat with Ollama's 404 "model not found"
    eval_count: int | None = None  # reported in the final line; None: the number of chunks
    send_eval_count: bool = True
    fault: str | None = None  # one of FAULTS
    fault_after: int = 3  # lines streamed before a mid-stream fault
    stall_s: float = 30.0  # longer than any read timeout a test sets; cut short by stop()
    port: int = 0  # 0: any free port
    requests: list[Request] = field(default_factory=list)
    lines_sent: int = 0  # streamed lines written, over all requests
    hangups: list[float] = field(default_factory=list)  # time.monotonic() of each client hang-up
    _server: http.server.ThreadingHTTPServer | None = field(default=None, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def chunks(self) -> list[str]:
        """The reply as it is streamed: word by word, each piece keeping its trailing space."""
        return re.findall(r"\S+\s*|\s+", self.reply)

    @property
    def last_chat(self) -> dict[str, Any]:
        """The body of the most recent POST /api/chat."""
        bodies = [r.body for r in self.requests if r.path == "/api/chat" and r.body is not None]
        assert bodies, "no chat request was received"
        return bodies[-1]

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    @property
    def url(self) -> str:
        assert self._server is not None, "the stand-in is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> OllamaStandIn:
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive and chunked streaming, as Ollama does
            disable_nagle_algorithm = True  # small lines leave at once, as they would from Ollama

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client that hung up, between requests or after a fault: not news

            def do_GET(self) -> None:
                standin.requests.append(Request("GET", self.path, None))
                if self.path != "/api/tags":
                    self._json(404, {"error": "404 page not found"})
                    return
                self._json(200, {"models": [_model_entry(name) for name in standin.models]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                standin.requests.append(Request("POST", self.path, body))
                if self.path != "/api/chat":
                    self._json(404, {"error": "404 page not found"})
                    return
                if standin.chat_model_missing:
                    self._json(404, {"error": f"model '{body.get('model')}' not found"})
                    return
                lines = list(standin._chat_lines(body.get("model", "")))
                if body.get("stream", True) is False:
                    # Unstreamed: one object with the whole message.
                    final = lines[-1]
                    final["message"]["content"] = standin.reply
                    self._json(200, final)
                    return
                try:
                    if standin.fault == "stall_before_first":
                        standin._stopping.wait(standin.stall_s)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-ndjson")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for number, line in enumerate(lines):
                        if standin.chunk_delay_s:
                            time.sleep(standin.chunk_delay_s)
                        data = json.dumps(line).encode() + b"\n"
                        if number == standin.fault_after and standin._mid_stream_fault(self, data):
                            return
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        self.wfile.flush()
                        standin.lines_sent += 1
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up (a read timeout, the stop button): Ollama stops too.
                    standin.hangups.append(time.monotonic())
                    self.close_connection = True

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._stopping.clear()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def _mid_stream_fault(self, handler: http.server.BaseHTTPRequestHandler, line: bytes) -> bool:
        """Misbehave before streaming `line`, as `fault` says; True when the response is over."""
        if self.fault == "stall_mid_stream":
            self._stopping.wait(self.stall_s)
        elif self.fault == "malformed_json":
            broken = line[: len(line) // 2] + b"\n"  # a line cut in half: not JSON
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(broken), broken))
            handler.wfile.flush()
        elif self.fault == "close_mid_stream":
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)  # no final chunk: the body is cut off
            handler.close_connection = True
            return True
        return False

    def stop(self) -> None:
        self._stopping.set()  # ends any stall at once
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> OllamaStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _chat_lines(self, model: str) -> Iterator[dict[str, Any]]:
        for piece in self.chunks:
            yield {
                "model": model,
                "created_at": CREATED_AT,
                "message": {"role": "assistant", "content": piece},
                "done": False,
            }
        final: dict[str, Any] = {
            "model": model,
            "created_at": CREATED_AT,
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_500_000_000,
            "load_duration": 200_000_000,
            "prompt_eval_count": 42,
            "prompt_eval_duration": 300_000_000,
            "eval_duration": 1_000_000_000,
        }
        if self.send_eval_count:
            final["eval_count"] = (
                self.eval_count if self.eval_count is not None else len(self.chunks)
            )
        yield final


def _model_entry(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "model": name,
        "modified_at": CREATED_AT,
        "size": 4_920_753_328,
        "digest": "0" * 64,
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": "llama",
            "families": ["llama"],
            "parameter_size": "8.0B",
            "quantization_level": "Q4_K_M",
        },
    }


@pytest.fixture
def ollama_standin() -> Iterator[OllamaStandIn]:
    """A running stand-in with the default model pulled; change its attributes as needed."""
    with OllamaStandIn() as server:
        yield server
