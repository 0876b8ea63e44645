"""Train the model that reads a sentence's role again after the rules (assistant/core/role_model.py).

    python -m evals.roles.train

The bundled corpus is indexed into a temporary folder with the rules alone (role_model off), so
that what the model learns from is the rules' reading, not its own earlier one; each hand-labelled
sentence (evals/roles/labels.jsonl) the rules read as advice, finding, testimony, definition or
context is one example: its vector and the rules' role in, the label out. Trained on the `dev`
half only; the `heldout` half is measured (rules alone, then with the model) and printed, and is
what evals/README.md reports. Writes assistant/data/role_model.npz: bump PIPELINE_VERSION's
`rolemodel-N` when it changes, so that indexes are built again.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy

from assistant.core.embeddings import unpack_array
from assistant.core.role_model import MODEL_FILE, VOICED, RoleModel, one_hot
from assistant.core.roles import REPORTED
from evals.roles.measure import key, load_labels

REGULARISATION = 4.0  # scikit-learn's C; 1 to 16 gave the held-out figures within a point
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def examples(chunks, dimension: int) -> dict[tuple[str, str], tuple[str, numpy.ndarray]]:
    """(source, sentence) -> (the rules' role, its vector), for sentences the rules read as voiced."""
    found = {}
    for chunk in chunks:
        vectors = unpack_array(chunk.sentence_vectors, dimension)
        for text, role, vector in zip(chunk.sentence_texts(), chunk.roles, vectors):
            if role in VOICED:
                found.setdefault(key(chunk.source_id, text), (role, vector))
    return found


def fit(vectors: numpy.ndarray, rule_roles: list[str], labels: list[str], model: str) -> RoleModel:
    from sklearn.linear_model import LogisticRegression

    features = numpy.hstack([vectors, one_hot(rule_roles)])
    fitted = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
    fitted.fit(features, labels)
    order = [list(fitted.classes_).index(role) for role in VOICED]  # every role is labelled in dev
    return RoleModel(fitted.coef_[order], fitted.intercept_[order], model)


def scores(truth: list[str], said: list[str]) -> str:
    right = sum(t == s for t, s in zip(truth, said))
    reported = sum((t in REPORTED) == (s in REPORTED) for t, s in zip(truth, said))
    lines = [f"  accuracy {right / len(truth):.3f}, reported or not {reported / len(truth):.3f}"]
    told, labelled = Counter(said), Counter(truth)
    for role in VOICED:
        hits = sum(t == s == role for t, s in zip(truth, said))
        precision = hits / told[role] if told[role] else float("nan")
        lines.append(f"  {role:<11} P {precision:.2f}  R {hits / labelled[role]:.2f}  ({labelled[role]})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from assistant.adapters.factory import load_embedder, open_index, open_live
    from assistant.settings import load_settings
    from ingest.pipeline import run_ingest

    parser = argparse.ArgumentParser(prog="python -m evals.roles.train", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(data_dir=Path(folder) / "data", role_model=False)
        embedder = load_embedder(settings)
        run_ingest(settings, embedder, open_index(settings), corpus_dir=CORPUS)
        store = open_live(settings)
        dimension = len(embedder.embed_batch(["dimension"])[0])
        read = examples(store.chunks(), dimension)
    rows = [(item, read[key(item.source, item.text)]) for item in load_labels()
            if item.role in VOICED and key(item.source, item.text) in read]  # fmt: skip
    dev = [(item, got) for item, got in rows if item.set == "dev"]
    held_out = [(item, got) for item, got in rows if item.set == "heldout"]
    model = fit(
        numpy.asarray([vector for _, (_, vector) in dev]),
        [role for _, (role, _) in dev],
        [item.role for item, _ in dev],
        embedder.model_id,
    )
    truth = [item.role for item, _ in held_out]
    print(f"trained on {len(dev)} dev sentences; held out: {len(held_out)} sentences")
    print("rules alone:\n" + scores(truth, [role for _, (role, _) in held_out]))
    said = model.roles(numpy.asarray([vector for _, (_, vector) in held_out]), [role for _, (role, _) in held_out])
    print("rules, then the model:\n" + scores(truth, said))
    path = Path(str(resources.files("assistant.data").joinpath(MODEL_FILE)))
    model.save(path)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
