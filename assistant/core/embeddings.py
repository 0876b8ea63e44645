"""Text to vectors: the embedder seam (what retrieval and the checks need from a model), and
the packing of vectors stored beside a chunk. Implementations: assistant/adapters/
(sentence_transformer.py, numpy_minilm.py), chosen in assistant/adapters/factory.py.
"""

from __future__ import annotations

import base64
import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol


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
