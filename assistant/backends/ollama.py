"""A model served by a local Ollama server, streamed over its HTTP API.

Errors become ModelUnavailable with a message for the person at the keyboard. No message text
(the redacted question, the passages) ever goes into an exception: the server and httpx errors we
wrap carry only addresses, status codes and the server's own error string.
"""

from __future__ import annotations

from typing import Any

import httpx
import ollama

from assistant.llm import Generation, Message, ModelUnavailable, StreamedText, TokenCallback
from assistant.settings import Settings


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
        eval_count: int | None = None
        try:
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
            for chunk in stream:
                streamed.add(chunk.message.content or "")
                if chunk.done:
                    eval_count = chunk.eval_count
        except (ollama.ResponseError, httpx.TransportError, ConnectionError) as exc:
            raise self._unavailable(exc) from exc
        # The server's own token count when it sends one; otherwise one per streamed chunk,
        # which is what Ollama streams.
        return streamed.generation(eval_count)

    def _check_model(self) -> None:
        """Fail early, with the command that fixes it, if the model has not been pulled."""
        if self._model_checked:
            return
        try:
            present = [entry.model or "" for entry in self._client.list().models]
        except (ollama.ResponseError, httpx.TransportError, ConnectionError) as exc:
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
        # Connection refused, connect timeout, reset, bad address: the ollama package turns some
        # of these into the builtin ConnectionError and lets the rest through as httpx errors.
        return ModelUnavailable(
            f"The Ollama server at {self._host} is not reachable. Start it with `ollama serve`, "
            "or point ASSISTANT_OLLAMA_HOST at a running server."
        )


def _full_name(model: str) -> str:
    """Ollama's name for a model: `llama3` means `llama3:latest` (the tag follows the last /)."""
    return model if ":" in model.rsplit("/", 1)[-1] else f"{model}:latest"
