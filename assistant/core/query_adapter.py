"""The question's vector, moved toward the sentences that answer questions like it.

MiniLM reads a practitioner's question ("Quick one: I was going to paste my visit notes into
the free ChatGPT tonight, that's fine isn't it?") as close to sentences that tell the same story
(someone pasted case notes) as to the sentence that answers it (what happens to information put
into a public tool). A linear map of the question's vector, near the identity, learned from
labelled questions: each question's key sentences against every other sentence of the library
(`python -m evals.query_adapter.train`). Only the question moves; the index and its vectors do not.

Held out, a key sentence of the question is the closest of the library's 1,540 twice as often with
the map as without, and among the 5 closest 76% of the time instead of 44% (evals/README.md).
Retrieval blends it with the plain cosine to rank passages and sentences; it does not decide
whether the library answers at all (the relevance bar stays on the plain cosine).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy

from assistant.data import bundled_arrays

ADAPTER_FILE = "query_adapter.npz"


class QueryAdapter:
    """A square matrix for one embedding model's vectors."""

    def __init__(self, matrix: numpy.ndarray, model: str) -> None:
        self.matrix = numpy.asarray(matrix, dtype=numpy.float32)
        self.model = model

    def fits(self, vector: Sequence[float]) -> bool:
        """Whether `vector` is of the size this adapter moves (an embedder of another size, such
        as the tests' hashing one, is left as it is)."""
        return len(vector) == self.matrix.shape[0]

    def adapt(self, vector: Sequence[float]) -> list[float]:
        """The vector moved, at unit length like every embedding."""
        moved = numpy.asarray(vector, dtype=numpy.float32) @ self.matrix
        norm = float(numpy.linalg.norm(moved))
        return (moved / norm if norm else moved).tolist()

    def save(self, path: Path) -> None:
        """At half precision (the stored sentence vectors' own), with the model it is for."""
        matrix = self.matrix.astype(numpy.float16)
        numpy.savez_compressed(path, matrix=matrix, model=numpy.array(self.model))


def bundled_adapter(model: str) -> QueryAdapter | None:
    """The adapter shipped for `model` (assistant/data/query_adapter.npz), or None: another
    embedding model's vectors live in another space, where this map means nothing."""
    adapter = _bundled()
    return adapter if adapter is not None and adapter.model == model else None


@lru_cache(maxsize=1)
def _bundled() -> QueryAdapter | None:
    stored = bundled_arrays(ADAPTER_FILE)
    return QueryAdapter(stored["matrix"], str(stored["model"])) if stored else None
