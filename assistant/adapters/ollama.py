"""A model served by a local Ollama server, streamed over its HTTP API.

Errors become ModelUnavailable with a message for the person at the keyboard. No message text
(the redacted question, the passages) ever goes into an exception: the server and httpx errors we
wrap carry only addresses, status codes and the server's own error string.

A refused connection is tried once more after a short pause (a server being restarted); nothing
else is retried: a request the server received may already be generating, and a timeout would
double the wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import ollama

from assistant.core.llm import Generation, Message, ModelUnavailable, StreamedText, TokenCallback
from assistant.settings import Settings

_RETRY_PAUSE_S = 0.5
# What a failed request can raise through the ollama client: its own errors, httpx's, the builtin
# ConnectionError it turns a refused connection into, and ValueError for a reply that is not
# Ollama's JSON (json.JSONDecodeError, or pydantic's ValidationError for the wrong shape).
_FAILURES = (ollama.ResponseError, httpx.TransportError, ConnectionError, ValueError)
T = TypeVar("T")


class OllamaLLM:
    name = "ollama"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._host = settings.ollama_host
        self._model = settings.ollama_model
        # The connect timeout is short so a dead or blackholed host fails in seconds; the read
        # timeout is long because it also covers the wait while Ollama loads the model into memory.
        self._client = ollama.Client(
            host=self._host,
            timeout=httpx.Timeout(
                settings.ollama_read_timeout_s, connect=settings.ollama_connect_timeout_s
            ),
        )
        self._model_checked = False

    def chat(
        self,
        messages: list[Message],
        schema: dict[str, Any] | None = None,
        on_token: TokenCallback | None = None,
    ) -> Generation:
        self._check_model()
        streamed = StreamedText(on_token)
        try:
            eval_count = _retry_refused(lambda: self._stream(messages, schema, streamed))
        except _FAILURES as exc:
            raise self._unavailable(exc) from exc
        # The server's own token count when it sends one; otherwise one per streamed chunk,
        # which is what Ollama streams.
        return streamed.generation(eval_count)

    def _stream(
        self, messages: list[Message], schema: dict[str, Any] | None, streamed: StreamedText
    ) -> int | None:
        """Send the request and pass the reply on as it streams; the server's token count."""
        # The request is sent lazily, when the stream is first iterated.
        stream = self._client.chat(
            model=self._model,
            messages=messages,
            stream=True,
            format=schema,  # Ollama's structured outputs: decoding constrained to the schema.
            options={
                "temperature": self._settings.temperature,
                "num_predict": self._settings.max_answer_tokens,
            },
        )
        eval_count: int | None = None
        try:
            for chunk in stream:
                streamed.add(chunk.message.content or "")  # on_token may raise: cancelled
                if chunk.done:
                    eval_count = chunk.eval_count
        finally:
            # Closes the HTTP response now, not when the generator is collected, so a cancelled
            # or failed generation stops on the server at once.
            stream.close()
        return eval_count

    def _check_model(self) -> None:
        """Fail early, with the command that fixes it, if the model has not been pulled."""
        if self._model_checked:
            return
        try:
            present = [entry.model or "" for entry in _retry_refused(self._client.list).models]
        except _FAILURES as exc:
            raise self._unavailable(exc) from exc
        if _full_name(self._model) not in {_full_name(name) for name in present}:
            raise ModelUnavailable(
                f"The model {self._model} is not available on the Ollama server at {self._host}. "
                f"Fetch it with `ollama pull {self._model}`, or choose another with "
                "ASSISTANT_OLLAMA_MODEL."
            )
        self._model_checked = True

    def _unavailable(self, exc: Exception) -> ModelUnavailable:
        if isinstance(exc, ollama.ResponseError):
            # 404 is how Ollama says the model is not there (deleted since the check, say).
            hint = f" Fetch it with `ollama pull {self._model}`." if exc.status_code == 404 else ""
            return ModelUnavailable(
                f"The Ollama server at {self._host} refused the request: {exc.error}.{hint}"
            )
        # ConnectTimeout is a TimeoutException too, but it means nobody answered the connection.
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            return ModelUnavailable(
                f"The Ollama server at {self._host} stopped answering (no reply within "
                f"{self._settings.ollama_read_timeout_s:g} s). It may be overloaded; try again or "
                "raise ASSISTANT_OLLAMA_READ_TIMEOUT_S."
            )
        if isinstance(exc, ValueError):
            return ModelUnavailable(
                f"The Ollama server at {self._host} sent a reply that could not be read (not "
                "Ollama's JSON). Check that ASSISTANT_OLLAMA_HOST points at an Ollama server, "
                "and try again."
            )
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
            return ModelUnavailable(
                f"The Ollama server at {self._host} closed the connection before the answer was "
                "complete. It may have stopped or run out of memory; try again, or check "
                "`ollama serve`'s log."
            )
        # Connection refused, connect timeout, bad address: the ollama package turns some
        # of these into the builtin ConnectionError and lets the rest through as httpx errors.
        return ModelUnavailable(
            f"The Ollama server at {self._host} is not reachable. Start it with `ollama serve`, "
            "or point ASSISTANT_OLLAMA_HOST at a running server."
        )


def _full_name(model: str) -> str:
    """Ollama's name for a model: `llama3` means `llama3:latest` (the tag follows the last /)."""
    return model if ":" in model.rsplit("/", 1)[-1] else f"{model}:latest"


def _retry_refused(request: Callable[[], T]) -> T:
    """`request()`, tried once more if the connection was refused (the server may be starting)."""
    try:
        return request()
    except (ConnectionError, httpx.ConnectError) as exc:
        # ollama turns httpx.ConnectError into a plain builtin ConnectionError for requests and
        # lets it through for streams; a reset (a ConnectionError subclass) or a ConnectTimeout
        # (not a ConnectError) is not a refusal, and is not retried.
        if type(exc) is not ConnectionError and not isinstance(exc, httpx.ConnectError):
            raise
        time.sleep(_RETRY_PAUSE_S)
        return request()
