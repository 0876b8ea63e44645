"""The rules' reading of what a sentence is (advice, finding, testimony, definition or context),
corrected by a linear model over the sentence's vector.

Why: the rules (assistant/core/roles.py) read the words a sentence opens with; "Many students
felt unprepared" is a finding without any of them, and a sentence the rules cannot place becomes
"context", which may lead an answer to "can I...?" as if it were the guidance's advice. A
multinomial logistic regression over the sentence's embedding and the rules' own reading, trained
on the development half of the hand labels (`python -m evals.roles.train`), reads the held-out
half better than the rules alone (figures in evals/README.md). Structure is left to the rules: a
list's lead-in and items, standards and navigation are not touched.

Applied once, at ingest, to the sentences the rules have just labelled (never to a passage
carried over from an earlier ingest, whose roles are already the model's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy

from assistant.core.domain import Chunk
from assistant.core.embeddings import unpack_array
from assistant.data import bundled_arrays

MODEL_FILE = "role_model.npz"
# The roles the model may give or take away; its inputs are the vector and one of these.
VOICED = ("advice", "context", "definition", "finding", "testimony")


class RoleModel:
    """Weights over [sentence vector, the rules' role as one-hot] for each of VOICED."""

    def __init__(self, weights: numpy.ndarray, bias: numpy.ndarray, model: str) -> None:
        self.weights = numpy.asarray(weights, dtype=numpy.float32)  # (len(VOICED), dim + len(VOICED))
        self.bias = numpy.asarray(bias, dtype=numpy.float32)
        self.model = model

    @property
    def dimension(self) -> int:
        return self.weights.shape[1] - len(VOICED)

    def roles(self, vectors: numpy.ndarray, rule_roles: Sequence[str]) -> list[str]:
        """The role of each sentence, read from its vector and the rules' role (one of VOICED)."""
        features = numpy.hstack([numpy.asarray(vectors, dtype=numpy.float32), one_hot(rule_roles)])
        scores = features @ self.weights.T + self.bias
        return [VOICED[i] for i in scores.argmax(axis=1)]

    def save(self, path: Path) -> None:
        numpy.savez_compressed(
            path, weights=self.weights.astype(numpy.float16), bias=self.bias, model=numpy.array(self.model)
        )


def one_hot(rule_roles: Sequence[str]) -> numpy.ndarray:
    return numpy.asarray([[role == voiced for voiced in VOICED] for role in rule_roles], dtype=numpy.float32)


def with_model_roles(chunks: Sequence[Chunk], model: RoleModel | None) -> list[Chunk]:
    """The chunks with the model's role (and voice) for every sentence the rules read as one of
    VOICED; unchanged without a model for the embedding model in use."""
    if model is None:
        return list(chunks)
    marked = []
    for chunk in chunks:
        vectors = unpack_array(chunk.sentence_vectors, model.dimension)
        voiced = [
            i for i, role in enumerate(chunk.roles[: len(vectors)])
            if role in VOICED and i < len(chunk.voices) and chunk.voices[i] == role
        ]  # fmt: skip
        if not voiced:
            marked.append(chunk)
            continue
        roles, voices = list(chunk.roles), list(chunk.voices)
        for i, role in zip(voiced, model.roles(vectors[voiced], [roles[i] for i in voiced])):
            roles[i] = voices[i] = role
        marked.append(replace(chunk, roles=tuple(roles), voices=tuple(voices)))
    return marked


def bundled_role_model(embedding_model: str) -> RoleModel | None:
    """The model shipped for `embedding_model` (assistant/data/role_model.npz), or None: another
    embedding model's vectors mean nothing to these weights."""
    model = _bundled()
    return model if model is not None and model.model == embedding_model else None


@lru_cache(maxsize=1)
def _bundled() -> RoleModel | None:
    stored = bundled_arrays(MODEL_FILE)
    return RoleModel(stored["weights"], stored["bias"], str(stored["model"])) if stored else None
