"""The language-model seam: what the answer step needs from a model. Backends:
assistant/adapters/ (ollama.py, llamacpp.py), chosen in assistant/adapters/factory.py.

A backend turns chat messages into text. It never sees anything but the redacted question and the
numbered passages (the guard runs first), and its output is never shown before the citation
checks in assistant/core/verify.py have passed it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}
TokenCallback = Callable[[str], None]


class ModelUnavailable(Exception):
    """The model cannot be used right now (server down, model not pulled, file missing).

    The message is written for the person at the keyboard: what is wrong and what to do.
    """


class GenerationCancelled(Exception):
    """The person stopped the answer (the chat's stop button). An `on_token` callback raises it;
    backends end the generation, and close its connection, when it does."""


@dataclass(frozen=True)
class Generation:
    text: str
    first_token_s: float | None  # seconds from the request to the first token
    tokens: int  # tokens generated (as the backend counts them)
    seconds: float  # whole generation


class StreamedText:
    """Collects a streamed reply: passes each piece on as it comes and times the first."""

    def __init__(self, on_token: TokenCallback | None = None) -> None:
        self._on_token = on_token
        self._started = time.perf_counter()
        self._first_token_s: float | None = None
        self.parts: list[str] = []

    def add(self, piece: str) -> None:
        if not piece:
            return
        if self._first_token_s is None:
            self._first_token_s = time.perf_counter() - self._started
        self.parts.append(piece)
        if self._on_token is not None:
            self._on_token(piece)

    def generation(self, tokens: int | None = None) -> Generation:
        """The whole reply; `tokens` as the backend counted them, else one per streamed piece."""
        return Generation(
            text="".join(self.parts),
            first_token_s=self._first_token_s,
            tokens=len(self.parts) if tokens is None else tokens,
            seconds=time.perf_counter() - self._started,
        )


class LLM(Protocol):
    """A chat model. `schema` is a JSON schema the output must follow, enforced with the backend's
    JSON mode or grammar where it has one; `on_token` receives the text as it streams."""

    name: str

    def chat(
        self,
        messages: list[Message],
        schema: dict[str, Any] | None = None,
        on_token: TokenCallback | None = None,
    ) -> Generation: ...
