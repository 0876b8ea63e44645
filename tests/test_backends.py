"""The model backends, run for real: Ollama's client against a stand-in server on loopback (and
against dead and silent hosts), llama.cpp in-process with a real GGUF model."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.adapters.llamacpp import LlamaCppLLM
from assistant.adapters.ollama import OllamaLLM
from assistant.core.llm import Generation, ModelUnavailable
from assistant.adapters.factory import load_llm
from assistant.settings import Settings
from tests.ollama_standin import MODEL
from tests.support import MESSAGES, PRIVATE, SCHEMA, free_port, ollama, with_overrides







def unavailable(llm: OllamaLLM | LlamaCppLLM) -> tuple[str, float]:
    """Chat, expect ModelUnavailable; its message (checked for user text) and the time taken."""
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as caught:
        llm.chat(MESSAGES, schema=SCHEMA)
    message = str(caught.value)
    assert PRIVATE not in message and "court date" not in message
    return message, time.perf_counter() - started


# Ollama, against the stand-in.


def test_ollama_streams_the_reply_and_sends_schema_and_options(
    settings, ollama_standin, no_network
):
    ollama_standin.chunk_delay_s = 0.02
    llm = ollama(settings, ollama_standin.url, temperature=0.3, max_answer_tokens=123)
    received: list[str] = []

    generation = llm.chat(MESSAGES, schema=SCHEMA, on_token=received.append)

    assert generation.text == ollama_standin.reply
    assert received == ollama_standin.chunks and len(received) > 3
    assert generation.tokens == len(ollama_standin.chunks)  # the server's eval_count
    assert generation.first_token_s is not None
    assert 0.02 <= generation.first_token_s < generation.seconds
    assert generation.seconds >= 0.02 * len(received)
    body = ollama_standin.last_chat
    assert body["model"] == MODEL
    assert body["messages"] == MESSAGES
    assert body["stream"] is True
    assert body["format"] == SCHEMA
    assert body["options"] == {"temperature": 0.3, "num_predict": 123}
    assert no_network == []


def test_ollama_without_schema_sends_no_format(settings, ollama_standin):
    ollama_standin.reply = "A plain answer [1]."
    generation = ollama(settings, ollama_standin.url).chat(MESSAGES)
    assert generation.text == "A plain answer [1]."
    assert "format" not in ollama_standin.last_chat


def test_ollama_token_count_prefers_eval_count(settings, ollama_standin):
    llm = ollama(settings, ollama_standin.url)
    ollama_standin.eval_count = 57
    assert llm.chat(MESSAGES).tokens == 57
    ollama_standin.send_eval_count = False
    assert llm.chat(MESSAGES).tokens == len(ollama_standin.chunks)


def test_ollama_checks_the_model_once_per_instance(settings, ollama_standin):
    llm = ollama(settings, ollama_standin.url)
    llm.chat(MESSAGES)
    llm.chat(MESSAGES)
    assert ollama_standin.count("/api/tags") == 1
    assert ollama_standin.count("/api/chat") == 2
    ollama(settings, ollama_standin.url).chat(MESSAGES)
    assert ollama_standin.count("/api/tags") == 2


def test_ollama_model_without_tag_means_latest(settings, ollama_standin):
    ollama_standin.models = ["mistral:latest", "hf.co/org/model:Q4_K_M"]
    assert ollama(settings, ollama_standin.url, ollama_model="mistral").chat(MESSAGES).text
    assert ollama(settings, ollama_standin.url, ollama_model="hf.co/org/model:Q4_K_M").chat(
        MESSAGES
    ).text


def test_ollama_missing_model_says_how_to_pull_it(settings, ollama_standin):
    ollama_standin.models = ["qwen2.5:7b"]
    llm = ollama(settings, ollama_standin.url)
    message, _ = unavailable(llm)
    assert f"ollama pull {MODEL}" in message
    assert ollama_standin.count("/api/chat") == 0
    # A failed check is not remembered: once the model is pulled, the same instance works.
    ollama_standin.models.append(MODEL)
    assert llm.chat(MESSAGES).text == ollama_standin.reply


def test_ollama_server_error_becomes_model_unavailable(settings, ollama_standin):
    ollama_standin.chat_model_missing = True  # listed by /api/tags, refused by /api/chat
    message, _ = unavailable(ollama(settings, ollama_standin.url))
    assert f"model '{MODEL}' not found" in message
    assert f"ollama pull {MODEL}" in message


# Ollama, when there is no usable server.




@pytest.fixture
def blackhole() -> Iterator[str]:
    """A loopback address whose connections hang: a listener with a full backlog never answers
    the handshake (the kernel drops the SYN), as a firewalled or frozen host does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers: list[socket.socket] = []
    for _ in range(8):
        filler = socket.socket()
        filler.settimeout(0.2)
        fillers.append(filler)
        try:
            filler.connect(address)
        except TimeoutError:
            break
    else:
        pytest.skip("could not fill the listen backlog on this system")
    yield f"http://127.0.0.1:{address[1]}"
    for filler in fillers:
        filler.close()
    listener.close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections, reads the request, and never replies."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except (TimeoutError, OSError):
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_ollama_server_down(settings, no_network):
    message, elapsed = unavailable(ollama(settings, f"http://127.0.0.1:{free_port()}"))
    assert "is not reachable" in message and "ollama serve" in message
    assert elapsed < 5


def test_ollama_blackholed_host_fails_within_the_connect_timeout(settings, blackhole, no_network):
    llm = ollama(settings, blackhole)  # the default timeouts: 2 s to connect
    message, elapsed = unavailable(llm)
    assert "is not reachable" in message
    assert settings.ollama_connect_timeout_s <= elapsed < 5


def test_ollama_silent_server_fails_within_the_read_timeout(settings, silent_server, no_network):
    llm = ollama(settings, silent_server, ollama_read_timeout_s=0.5)
    message, elapsed = unavailable(llm)
    assert "stopped answering" in message
    assert 0.5 <= elapsed < 5


def test_ollama_stream_that_stalls_fails_within_the_read_timeout(settings, ollama_standin):
    ollama_standin.chunk_delay_s = 2.0
    llm = ollama(settings, ollama_standin.url, ollama_read_timeout_s=0.3)
    message, elapsed = unavailable(llm)
    assert "stopped answering" in message
    assert elapsed < 2.0


# Choosing a backend.


def test_load_llm_picks_the_configured_backend(settings, tmp_path):
    assert load_llm(with_overrides(settings, backend="extractive")) is None
    assert isinstance(load_llm(with_overrides(settings, backend="ollama")), OllamaLLM)
    llamacpp = load_llm(
        with_overrides(settings, backend="llamacpp", llamacpp_model_path=tmp_path / "m.gguf")
    )
    assert isinstance(llamacpp, LlamaCppLLM)
    assert {OllamaLLM.name, LlamaCppLLM.name} == {"ollama", "llamacpp"}


def test_llamacpp_module_imports_without_loading_llama_cpp():
    code = (
        "import sys, assistant.adapters.llamacpp\n"
        "assert 'llama_cpp' not in sys.modules, 'llama_cpp imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


# llama.cpp: the failures that need no model.


def llamacpp(settings: Settings, path: Path | None, **overrides: object) -> LlamaCppLLM:
    return LlamaCppLLM(
        with_overrides(settings, backend="llamacpp", llamacpp_model_path=path, **overrides)
    )


def test_llamacpp_without_a_model_path(settings, monkeypatch, tmp_path):
    monkeypatch.delenv("ASSISTANT_LLAMACPP_MODEL_PATH", raising=False)
    message, _ = unavailable(llamacpp(settings, None))
    assert "ASSISTANT_LLAMACPP_MODEL_PATH" in message and ".gguf" in message
    missing = tmp_path / "absent.gguf"
    message, _ = unavailable(llamacpp(settings, missing))
    assert str(missing) in message and "ASSISTANT_LLAMACPP_MODEL_PATH" in message


def test_llamacpp_not_installed(settings, monkeypatch, tmp_path):
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail
    message, _ = unavailable(llamacpp(settings, model))
    assert "pip install llama-cpp-python" in message


def test_llamacpp_garbage_file_is_refused_not_a_crash(settings, tmp_path, capfd):
    pytest.importorskip("llama_cpp")
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(bytes(range(256)) * 4096)
    message, _ = unavailable(llamacpp(settings, garbage))
    assert str(garbage) in message
    assert capfd.readouterr() == ("", "")  # llama.cpp's own error lines stay quiet


# llama.cpp with a real model: Gemma 3 270M, a *base* model, so only the runtime is checked.


@pytest.mark.slow
def test_llamacpp_generates_with_a_real_model(settings, gemma_gguf, monkeypatch, capfd, no_network):
    llama_cpp = pytest.importorskip("llama_cpp")
    loads: list[dict[str, object]] = []

    class CountingLlama(llama_cpp.Llama):  # the real class, counting its loads
        def __init__(self, **kwargs: object) -> None:
            loads.append(kwargs)
            super().__init__(**kwargs)

    monkeypatch.setattr(llama_cpp, "Llama", CountingLlama)
    # One thread: with every core, llama.cpp's threads wait on each other and generation slows
    # a hundredfold whenever another process (a parallel test run) holds a core.
    llm = llamacpp(
        settings, gemma_gguf, max_answer_tokens=64, llamacpp_context_tokens=1024, llamacpp_threads=1
    )
    schema = {
        "type": "object",
        "properties": {"verdict": {"type": "string", "enum": ["yes", "no", "it depends"]}},
        "required": ["verdict"],
        "additionalProperties": False,
    }
    received: list[str] = []

    generation = llm.chat(MESSAGES, schema=schema, on_token=received.append)

    assert received and "".join(received) == generation.text
    assert json.loads(generation.text)["verdict"] in {"yes", "no", "it depends"}
    assert generation.tokens == len(received) and 0 < generation.tokens <= 64
    assert generation.first_token_s is not None and 0 < generation.first_token_s
    assert generation.first_token_s <= generation.seconds

    # No schema: free text (whatever a base model writes), from the same loaded model.
    plain = llm.chat([{"role": "user", "content": "Write one sentence about the sea."}])
    assert isinstance(plain, Generation) and plain.tokens <= 64
    assert len(loads) == 1
    assert loads[0]["n_ctx"] == 1024 and loads[0]["n_threads"] == 1
    assert loads[0]["verbose"] is False
    assert loads[0]["chat_format"] is None  # the template stored in the GGUF
    assert capfd.readouterr() == ("", "")  # nothing from llama.cpp on stdout or stderr
    assert no_network == []
