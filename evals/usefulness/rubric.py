"""Usefulness, rated by people reading the answers: 0 does not answer, 1 the reader must infer
or it is incomplete, 2 direct and correct.

labels.yaml holds the ratings, each tied to the exact answer text it rated (a hash), so a label
counts only while the assistant still gives that answer word for word; the report lists the rest
as out of date. The labels are written by reading the answers (`python -m evals.usefulness.export`
writes the current answers for that), never by a script.

With a model configured, the harness also asks it to rate the same answers
(prompts/usefulness.v1.md) and reports its agreement with the people's ratings.
"""

from __future__ import annotations

import hashlib
import re
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.core.llm import LLM, ModelUnavailable
from assistant.core.prompts import load_schema, load_template

LABELS = Path(__file__).parent / "labels.yaml"
SCORES = (0, 1, 2)


class LabelProblem(Exception):
    """labels.yaml is malformed."""


@dataclass(frozen=True)
class Label:
    case: str
    answer_sha: str  # of the answer text that was rated
    score: int
    note: str = ""


def answer_hash(text: str) -> str:
    """Of the answer as read: white space and Markdown's escapes (a "\\*" shows as "*") aside."""
    shown = re.sub(r"\\([\\`*_\[\]<])", r"\1", text)
    return hashlib.sha256(" ".join(shown.split()).encode("utf-8")).hexdigest()[:16]


def load_labels(path: Path = LABELS) -> list[Label]:
    if not path.exists():
        return []
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    labels = []
    for item in items:
        if not isinstance(item, dict) or item.get("score") not in SCORES or not item.get("case"):
            raise LabelProblem(f"{path.name}: every label needs a case and a score of 0, 1 or 2: {item!r}")
        labels.append(Label(str(item["case"]), str(item["answer_sha"]), int(item["score"]), str(item.get("note", ""))))
    return labels


def summarise(labels: Sequence[Label], answers: dict[str, tuple[str, str]]) -> dict:
    """Per set, the labels of answers the assistant still gives word for word: how many, their
    mean and the count of each score. `answers`: case id -> (set, answer hash)."""
    sets: dict[str, list[int]] = {}
    stale: list[str] = []
    for label in labels:
        found = answers.get(label.case)
        if found is None:
            continue  # a case not in this run
        set_name, sha = found
        if sha != label.answer_sha:
            stale.append(label.case)
            continue
        sets.setdefault(set_name, []).append(label.score)
        sets.setdefault("held out" if "heldout" in set_name else "development", []).append(label.score)
        sets.setdefault("all", []).append(label.score)
    summary = {
        name: {
            "current": len(scores),
            "mean": sum(scores) / len(scores) if scores else None,
            "counts": {score: scores.count(score) for score in SCORES},
        }
        for name, scores in sorted(sets.items(), key=lambda item: (" " in item[0] or item[0] == "all", item[0]))
    }
    return {"sets": summary, "stale": sorted(stale)}


class ModelRater:
    """A chat model rating answers with the same rubric (prompts/usefulness.v1.md)."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.name = f"model ({llm.name})"
        self.unparsed = 0

    def rate(self, question: str, answer: str) -> int | None:
        template = load_template("usefulness.v1.md")
        messages = [
            {"role": "system", "content": template.render("system")},
            {"role": "user", "content": template.render("user", question=question, answer=answer)},
        ]
        try:
            reply = self.llm.chat(messages, schema=load_schema("usefulness.v1.schema.json")).text
            score = json.loads(reply)["score"]
            if score not in SCORES:
                raise ValueError(score)
            return int(score)
        except ModelUnavailable:
            raise
        except (ValueError, KeyError, TypeError):
            self.unparsed += 1
            return None


def agreement(people: Sequence[int], model: Sequence[int | None]) -> dict:
    """Exact agreement and quadratic-weighted Cohen's kappa; a reply that could not be read
    counts as a disagreement (scored 0)."""
    pairs = [(p, 0 if m is None else m) for p, m in zip(people, model)]
    n = len(pairs)
    if not n:
        return {"items": 0, "agreement": None, "kappa": 0.0}
    observed = sum((a - b) ** 2 for a, b in pairs) / n
    expected = sum((a - b) ** 2 for a, _ in pairs for _, b in pairs) / (n * n)
    kappa = 1.0 - observed / expected if expected else 1.0
    return {"items": n, "agreement": sum(a == b for a, b in pairs) / n, "kappa": kappa}
