"""The model that reads a sentence's role again after the rules (assistant/core/role_model.py): it
belongs to the bundled embedding model, reads only what the rules read as a voice, and keeps its
weights through a save."""

from __future__ import annotations

import numpy

from assistant.core.domain import Chunk
from assistant.core.embeddings import pack_vectors
from assistant.core.role_model import VOICED, RoleModel, bundled_role_model, with_model_roles

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def _model_that_reads_everything_as(role: str, dimension: int = 4) -> RoleModel:
    weights = numpy.zeros((len(VOICED), dimension + len(VOICED)))
    bias = numpy.zeros(len(VOICED))
    bias[VOICED.index(role)] = 1.0
    return RoleModel(weights, bias, "m")


def _chunk(lines: list[str], roles: list[str], voices: list[str]) -> Chunk:
    text, spans = "", []
    for line in lines:
        spans.append((len(text), len(text) + len(line)))
        text += line + "\n"
    vectors = [[1.0, 0.0, 0.0, 0.0]] * len(lines)
    return Chunk("c", "s", "t", text, (), 0, len(text), 0, "h", sentences=tuple(spans),
                 sentence_vectors=pack_vectors(vectors), roles=tuple(roles), voices=tuple(voices))  # fmt: skip


def test_the_bundled_model_belongs_to_the_bundled_embedding_model():
    model = bundled_role_model(MODEL)

    assert model is not None and model.weights.shape == (len(VOICED), 384 + len(VOICED))
    assert bundled_role_model("BAAI/bge-small-en-v1.5") is None  # another model's space


def test_only_what_the_rules_read_as_a_voice_is_read_again():
    chunk = _chunk(
        ["Agenda 10:00", "Social workers should check every transcript.", "Employers must:",
         "- provide training", "Many students felt unprepared."],
        ["navigation", "advice", "list_lead", "list_item", "context"],
        ["navigation", "advice", "advice", "advice", "context"],
    )  # fmt: skip
    (read,) = with_model_roles([chunk], _model_that_reads_everything_as("finding"))

    assert read.roles == ("navigation", "finding", "list_lead", "list_item", "finding")
    assert read.voices == ("navigation", "finding", "advice", "advice", "finding")
    assert with_model_roles([chunk], None) == [chunk]  # no model for this embedding model: the rules


def test_the_weights_survive_a_save(tmp_path):
    rng = numpy.random.default_rng(3)
    model = RoleModel(rng.standard_normal((len(VOICED), 4 + len(VOICED))), rng.standard_normal(len(VOICED)), "m")
    model.save(tmp_path / "m.npz")
    with numpy.load(tmp_path / "m.npz") as stored:
        again = RoleModel(stored["weights"], stored["bias"], str(stored["model"]))
    vectors = rng.standard_normal((20, 4))
    rules = [VOICED[i % len(VOICED)] for i in range(20)]

    assert again.model == "m" and again.roles(vectors, rules) == model.roles(vectors, rules)
