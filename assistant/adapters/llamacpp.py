"""A GGUF model run in-process by llama.cpp (llama-cpp-python, an optional install).

The model is loaded on the first chat, not at start-up: loading takes seconds and memory, and
the extractive mode or another backend never needs it. llama.cpp's own logging is switched off
(see _silence_native_logs) so nothing it prints mixes with the assistant's output.
"""

from __future__ import annotations

import ctypes
import os
import threading
from typing import TYPE_CHECKING, Any

from assistant.core.llm import Generation, Message, ModelUnavailable, StreamedText, TokenCallback
from assistant.settings import Settings

if TYPE_CHECKING:
    from llama_cpp import Llama


class LlamaCppLLM:
    name = "llamacpp"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._llama: Llama | None = None
        # One generation at a time: a llama.cpp context holds the state of a single sequence.
        self._lock = threading.Lock()

    def chat(
        self,
        messages: list[Message],
        schema: dict[str, Any] | None = None,
        on_token: TokenCallback | None = None,
    ) -> Generation:
        with self._lock:
            llama = self._load()
            streamed = StreamedText(on_token)
            try:
                stream = llama.create_chat_completion(
                    messages=messages,  # type: ignore[arg-type]  # same shape, looser typing
                    stream=True,
                    temperature=self._settings.temperature,
                    max_tokens=self._settings.max_answer_tokens,
                    # A grammar built from the schema: the model cannot write anything else.
                    response_format=(
                        {"type": "json_object", "schema": schema} if schema is not None else None
                    ),
                )
                for chunk in stream:
                    streamed.add(chunk["choices"][0]["delta"].get("content") or "")  # type: ignore[index]
            except ValueError as exc:
                # The only ValueError a well-formed request meets: prompt longer than the context.
                if "context window" not in str(exc):
                    raise
                raise ModelUnavailable(
                    "The question and passages do not fit the model's context of "
                    f"{self._settings.llamacpp_context_tokens} tokens. Raise "
                    "ASSISTANT_LLAMACPP_CONTEXT_TOKENS or lower ASSISTANT_RETRIEVAL_K."
                ) from exc
        # llama-cpp-python sends no usage figures when streaming, but it streams one chunk per
        # sampled token (bar a token held back to complete a character or a stop string).
        return streamed.generation()

    def _load(self) -> Llama:
        """The model, loaded once and kept: every later chat reuses it."""
        if self._llama is not None:
            return self._llama
        path = self._settings.llamacpp_model_path
        if path is None or not path.is_file():
            where = "is not set" if path is None else f"points to {path}, which is not a file"
            raise ModelUnavailable(
                f"The llama.cpp backend needs a model file: ASSISTANT_LLAMACPP_MODEL_PATH {where}. "
                "Set ASSISTANT_LLAMACPP_MODEL_PATH to a .gguf file (an instruction-tuned model)."
            )
        try:
            # Imported here: it loads a large native library, and it is an optional install.
            import llama_cpp
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelUnavailable(
                "The llama.cpp backend is not installed. Install it with "
                "`pip install llama-cpp-python` (or `pip install -e .[llamacpp]`), or choose "
                "another backend."
            ) from exc
        _silence_native_logs(llama_cpp)
        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=self._settings.llamacpp_context_tokens,
                n_threads=self._settings.llamacpp_threads or os.cpu_count(),
                # None: the chat template stored in the GGUF file.
                chat_format=self._settings.llamacpp_chat_format,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelUnavailable(
                f"llama.cpp could not load the model file {path}. Check that it is a complete "
                "GGUF file that this version of llama-cpp-python supports."
            ) from exc
        return self._llama


_silent_log_callback: Any = None  # kept referenced: llama.cpp calls it for the process's lifetime


def _silence_native_logs(llama_cpp: Any) -> None:
    """Send every llama.cpp log line nowhere.

    verbose=False is not enough: llama-cpp-python 0.3.36 maps llama.cpp's log levels one step off,
    so native warnings (e.g. "llama_kv_cache_iswa: using full-size SWA cache") still reach stderr
    while loading a model. Failures surface as exceptions instead, which we turn into messages.
    """
    global _silent_log_callback
    if _silent_log_callback is None:
        _silent_log_callback = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
        llama_cpp.llama_log_set(_silent_log_callback, ctypes.c_void_p(0))
