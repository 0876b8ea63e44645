"""Backend faults, through the real ollama client against the Ollama stand-in on 127.0.0.1: a
refused connection, a stall before the first token, a stall mid-stream, the model missing (404),
a line that is not JSON, the connection closed mid-stream. Each must end in a plain message
within the configured timeout + 1 s, the answer falling back to quotes from the guidance; only a
refused connection is retried, once; and a cancelled generation (the chat's stop button) hangs up
on the server at the next token."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from assistant.core.answer import Assistant
from assistant.core.llm import GenerationCancelled, ModelUnavailable
from tests.ollama_standin import OllamaStandIn
from tests.support import MESSAGES, PRIVATE, SCHEMA, free_port, ollama

READ_TIMEOUT_S = 1.0
LIMIT_S = READ_TIMEOUT_S + 1.0  # the configured timeout + 1 s
LONG_REPLY = " ".join(f"word{n}" for n in range(200))
CASE_NOTES = "Can I paste my case notes into ChatGPT?"

# Each fault, and what its message must say.
FAULTS = {
    "refused": "is not reachable",
    "stall_before_first": "stopped answering",
    "stall_mid_stream": "stopped answering",
    "model_404": "ollama pull llama3.1:8b",
    "malformed_json": "could not be read",
    "close_mid_stream": "closed the connection before the answer was complete",
}


def _arrange(fault: str, standin: OllamaStandIn) -> str:
    """Set the stand-in up for `fault`; the host to point the client at."""
    standin.reply = LONG_REPLY
    if fault == "refused":
        return f"http://127.0.0.1:{free_port()}"
    if fault == "model_404":
        standin.chat_model_missing = True  # listed by /api/tags, refused by /api/chat
    else:
        standin.fault = fault
    return standin.url


@pytest.fixture
def connects(monkeypatch) -> list[tuple]:
    """Every TCP connection this process opens, by address (on top of the network guard)."""
    opened: list[tuple] = []
    real_connect = socket.socket.connect

    def counting(self, address):
        opened.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    return opened


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_a_plain_message_within_the_timeout(
    fault, settings, ollama_standin, connects, no_network
):
    host = _arrange(fault, ollama_standin)
    llm = ollama(settings, host, ollama_read_timeout_s=READ_TIMEOUT_S)
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as caught:
        llm.chat(MESSAGES, schema=SCHEMA)
    elapsed = time.perf_counter() - started
    message = str(caught.value)
    print(f"{fault}: ModelUnavailable after {elapsed:.2f} s: {message}")
    assert FAULTS[fault] in message
    assert PRIVATE not in message and "Traceback" not in message and "word1" not in message
    assert elapsed < LIMIT_S
    port = int(host.rsplit(":", 1)[1])
    if fault == "refused":
        assert sum(address[1] == port for address in connects) == 2  # one retry, no more
    else:
        assert ollama_standin.count("/api/chat") == 1  # the server got it: never retried
    assert no_network == []


def test_a_refused_connection_is_tried_once_more_and_then_works(settings, connects):
    """A server that was (re)starting: the retry, half a second later, reaches it."""
    port = free_port()
    standin = OllamaStandIn(port=port, reply="Yes.")
    real_connect = socket.socket.connect

    def start_after_first_refusal(self, address):
        try:
            return real_connect(self, address)
        except ConnectionRefusedError:
            if address[1] == port and standin._server is None:
                standin.start()
            raise

    socket.socket.connect = start_after_first_refusal  # restored by the connects fixture
    try:
        generation = ollama(settings, f"http://127.0.0.1:{port}").chat(MESSAGES)
    finally:
        standin.stop()
    assert generation.text == "Yes."
    assert standin.count("/api/tags") == 1 and standin.count("/api/chat") == 1


def test_a_cancelled_generation_hangs_up_at_the_next_token(settings, ollama_standin):
    ollama_standin.reply = LONG_REPLY
    ollama_standin.chunk_delay_s = 0.05
    stop = threading.Event()

    def on_token(_piece: str) -> None:
        if stop.is_set():
            raise GenerationCancelled

    outcome: list[BaseException | str] = []

    def generate() -> None:
        try:
            llm = ollama(settings, ollama_standin.url)
            outcome.append(llm.chat(MESSAGES, on_token=on_token).text)
        except BaseException as exc:  # noqa: BLE001 (the test looks at it)
            outcome.append(exc)

    thread = threading.Thread(target=generate)
    thread.start()
    while ollama_standin.lines_sent < 5:
        time.sleep(0.01)
    stopped_at = time.monotonic()
    stop.set()
    thread.join(timeout=5)
    ended = time.monotonic() - stopped_at
    deadline = time.monotonic() + 2
    while not ollama_standin.hangups and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ollama_standin.hangups, "the stand-in never saw the connection close"
    hung_up = ollama_standin.hangups[0] - stopped_at
    total = len(ollama_standin.chunks) + 1
    print(
        f"stop: generation ended {ended:.2f} s after it; the server saw the hang-up after "
        f"{hung_up:.2f} s, having streamed {ollama_standin.lines_sent} of {total} lines"
    )
    assert isinstance(outcome[0], GenerationCancelled)
    assert ended < 0.5 and hung_up < 0.5
    assert ollama_standin.lines_sent < total // 2


# The whole answer path: the notice, then the extractive answer.


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_still_answers_from_the_guidance_with_a_plain_notice(
    fault, assistant: Assistant, ollama_standin
):
    host = _arrange(fault, ollama_standin)
    backend = assistant.with_settings(
        backend="ollama", ollama_host=host, ollama_read_timeout_s=READ_TIMEOUT_S
    )
    started = time.perf_counter()
    answer = backend.ask(CASE_NOTES)
    elapsed = time.perf_counter() - started
    notice = answer.notices[0] if answer.notices else ""
    print(f"{fault}: answered in {elapsed:.2f} s with the notice: {notice}")
    assert elapsed < LIMIT_S
    assert FAULTS[fault] in notice and "quoted from the guidance instead" in notice
    assert not any(word in notice for word in ("Traceback", "Error", "httpx", "Exception"))
    assert answer.backend == "extractive" and not answer.abstained and answer.citations
    assert answer.lead is not None and answer.text.startswith("**In short:**")
