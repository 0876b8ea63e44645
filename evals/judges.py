"""Judges: does this evidence support this statement? Used for ALCE-style citation recall and
precision (evals/metrics.py), and measured against hand labels (evals/support/claims.yaml).

  deterministic  no model: the verifier's own support rule (assistant/core/citations.py): the
                 statement is one of the evidence's sentences whole, or it is both close in
                 meaning to one evidence sentence (cosine >= S with the embedding model) and made
                 mostly of the evidence's words (share >= O), S and O the assistant's support
                 thresholds. So this judge shares the verifier's blind spots (a meaning flip in
                 the evidence's own words): the agreement figures show how much that matters,
                 and a model judge is the cross-check.
  model          a chat model through any backend (prompts/judge.v1.md, JSON reply), e.g. a
                 capable model in Ollama. A reply that is not the JSON asked for counts as "not
                 supported" and is counted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.core.citations import said_whole, shared_words, support
from assistant.core.embeddings import Embedder
from assistant.core.llm import LLM, ModelUnavailable
from assistant.core.prompts import load_schema, load_template
from assistant.core.sentences import split_sentences
from assistant.settings import Settings


class Judge(Protocol):
    name: str

    def supports(self, statement: str, evidence: Sequence[str]) -> bool: ...


class DeterministicJudge:
    name = "deterministic"

    def __init__(self, embedder: Embedder, settings: Settings) -> None:
        self._embedder = embedder
        self._settings = settings
        self._vectors: dict[str, list[float]] = {}

    def supports(self, statement: str, evidence: Sequence[str]) -> bool:
        if not statement.strip() or not evidence:
            return False
        # Sentences as the index splits them: a line (a paragraph, a list item) is never part of
        # the next line's sentence.
        sentences = [s for text in evidence for line in text.splitlines() for s in split_sentences(line)]
        if said_whole(statement, sentences):
            return True
        if shared_words(statement, evidence) < self._settings.support_min_overlap:
            return False  # not enough whatever the similarity: no need to embed
        vectors = self._embed([statement, *sentences])
        return support(statement, vectors[0], vectors[1:], evidence).enough(self._settings)

    def _embed(self, texts: list[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            self._vectors.update(zip(missing, self._embedder.embed_batch(missing)))
        return [self._vectors[t] for t in texts]


@dataclass
class ModelJudge:
    llm: LLM
    unparsed: int = 0  # replies that were not the JSON asked for
    calls: int = 0

    @property
    def name(self) -> str:
        return f"model ({self.llm.name})"

    def supports(self, statement: str, evidence: Sequence[str]) -> bool:
        template = load_template("judge.v1.md")
        shown = "\n\n".join(f"<passage>\n{text}\n</passage>" for text in evidence)
        messages = [
            {"role": "system", "content": template.render("system")},
            {
                "role": "user",
                "content": template.render("user", evidence=shown, statement=statement),
            },
        ]
        self.calls += 1
        try:
            reply = self.llm.chat(messages, schema=load_schema("judge.v1.schema.json")).text
            verdict = json.loads(reply)["supported"]
            if not isinstance(verdict, bool):
                raise TypeError("not a boolean")
            return verdict
        except ModelUnavailable:
            raise
        except (ValueError, KeyError, TypeError):
            self.unparsed += 1
            return False


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Agreement beyond chance between two yes/no raters (1 perfect, 0 chance)."""
    n = len(a)
    if n == 0:
        return 0.0
    observed = sum(x == y for x, y in zip(a, b)) / n
    p_a, p_b = sum(a) / n, sum(b) / n
    expected = p_a * p_b + (1 - p_a) * (1 - p_b)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def agreement(judges: Sequence[Judge], items: Sequence[tuple[str, str, bool]]) -> dict:
    """Each judge against the hand labels, and each pair of judges against each other.

    `items`: (statement, evidence passage, hand label)."""
    verdicts = {judge.name: [judge.supports(s, [e]) for s, e, _ in items] for judge in judges}
    labels = [label for _, _, label in items]
    result: dict = {
        "items": len(items),
        "supported_by_hand": sum(labels),
        "judges": {},
        "pairs": {},
    }
    for name, said in verdicts.items():
        result["judges"][name] = {
            "accuracy": sum(x == y for x, y in zip(said, labels)) / len(items),
            "kappa": cohen_kappa(said, labels),
            "says_supported": sum(said),
            # of the sentences a person marked unsupported, the share the judge also rejects
            "rejects_unsupported": _share(not s for s, label in zip(said, labels) if not label),
            "accepts_supported": _share(s for s, label in zip(said, labels) if label),
        }
    names = list(verdicts)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = verdicts[first], verdicts[second]
            result["pairs"][f"{first} vs {second}"] = {
                "agreement": sum(x == y for x, y in zip(a, b)) / len(items),
                "kappa": cohen_kappa(a, b),
            }
    return result


def _share(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else 0.0
