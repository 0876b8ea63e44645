"""Measure the sentence-role rules (assistant/core/roles.py) against hand labels.

    python -m evals.roles.measure [--db DIR] [--show-errors dev]

labels.jsonl holds every sentence of the bundled library, labelled by people reading it in its
context (`role`; for list lead-ins and items also the list's `voice`), split at random into a
`dev` half (the rules may be tuned on it) and a `heldout` half (only reported). Each label is
matched to the indexed sentence with the same source and text (a list item's "- " aside).
Printed: per role, precision and recall; the share of sentences whose voice is right on the
one distinction answers rest on (reported, i.e. finding or testimony, or not); labels that match
no indexed sentence (the parser changed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.core.citations import normalise
from assistant.core.domain import Chunk
from assistant.core.roles import REPORTED, ROLES

LABELS = Path(__file__).parent / "labels.jsonl"


@dataclass(frozen=True)
class Labelled:
    source: str
    text: str
    role: str
    voice: str  # the list's voice for lead-ins and items, else the role
    set: str


def load_labels(path: Path = LABELS) -> list[Labelled]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            voice = row.get("voice") or row["role"]
            items.append(Labelled(row["source"], row["text"], row["role"], voice, row["set"]))
    return items


def key(source: str, text: str) -> tuple[str, str]:
    return source, normalise(text.removeprefix("- "))


def indexed_roles(chunks: Iterable[Chunk]) -> dict[tuple[str, str], tuple[str, str]]:
    """(source, sentence) -> (role, voice) as stored at ingest."""
    found = {}
    for chunk in chunks:
        for text, role, voice in zip(chunk.sentence_texts(), chunk.roles, chunk.voices):
            found.setdefault(key(chunk.source_id, text), (role, voice))
    return found


def gold_roles(labels: Sequence[Labelled]) -> dict[tuple[str, str], tuple[str, str]]:
    """(source, sentence) -> (role, voice) as people labelled them: the harness reads an answer's
    sentences through these where it can, not through the rules it is measuring."""
    return {key(item.source, item.text): (item.role, item.voice) for item in labels}


def measure(labels: Sequence[Labelled], predicted: dict[tuple[str, str], tuple[str, str]]) -> dict:
    """Per set (dev, heldout, all): precision and recall per role, accuracy, and the reported-or-not
    accuracy of voices; with the labels that match no indexed sentence."""
    result: dict = {"unmatched": 0, "sets": {}}
    pairs: dict[str, list[tuple[Labelled, tuple[str, str]]]] = {"dev": [], "heldout": [], "all": []}
    for item in labels:
        got = predicted.get(key(item.source, item.text))
        if got is None:
            result["unmatched"] += 1
            continue
        pairs[item.set].append((item, got))
        pairs["all"].append((item, got))
    for name, matched in pairs.items():
        result["sets"][name] = _scores(matched)
    return result


def _scores(matched: list[tuple[Labelled, tuple[str, str]]]) -> dict:
    truth = Counter(item.role for item, _ in matched)
    said = Counter(role for _, (role, _) in matched)
    right = Counter(item.role for item, (role, _) in matched if item.role == role)
    per_role = {
        role: {
            "labelled": truth[role],
            "precision": right[role] / said[role] if said[role] else None,
            "recall": right[role] / truth[role] if truth[role] else None,
        }
        for role in ROLES
    }
    reported = sum((item.voice in REPORTED) == (voice in REPORTED) for item, (_, voice) in matched)
    truly = [voice in REPORTED for item, (_, voice) in matched if item.voice in REPORTED]
    called = [item.voice in REPORTED for item, (_, voice) in matched if voice in REPORTED]
    return {
        # Finding or testimony (what people reported) told apart from the rest: what an answer's
        # order rests on. Recall: reported sentences caught; precision: of those called reported.
        "reported_recall": sum(truly) / len(truly) if truly else None,
        "reported_precision": sum(called) / len(called) if called else None,
        "sentences": len(matched),
        "accuracy": sum(right.values()) / len(matched) if matched else None,
        "roles": per_role,
        "reported_or_not": reported / len(matched) if matched else None,
        "voice_accuracy": (
            sum(item.voice == voice for item, (_, voice) in matched) / len(matched) if matched else None
        ),
    }


def errors(labels, predicted, which: str) -> list[str]:
    shown = []
    for item in labels:
        got = predicted.get(key(item.source, item.text))
        if got and item.set == which and (item.role != got[0] or item.voice != got[1]):
            shown.append(f"{item.role}/{item.voice} -> {got[0]}/{got[1]}: {item.text[:150]}")
    return shown


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import load_settings
    from assistant.core.store import IndexProblem
    from assistant.adapters.factory import open_live

    parser = argparse.ArgumentParser(prog="python -m evals.roles.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="data folder holding the index")
    parser.add_argument("--show-errors", choices=["dev"], help="print the dev half's disagreements")
    args = parser.parse_args(argv)
    settings = load_settings(data_dir=args.db)
    try:
        store = open_live(settings)  # creates nothing where there is no index
    except IndexProblem as exc:
        print(exc, file=sys.stderr)
        return 2
    labels = load_labels()
    predicted = indexed_roles(store.chunks(sentence_vectors=False))
    print(render(measure(labels, predicted)))
    if args.show_errors:
        print("\n".join(errors(labels, predicted, args.show_errors)))
    return 0


def render(result: dict) -> str:
    lines = [f"labels matching no indexed sentence: {result['unmatched']}", ""]
    sets = result["sets"]
    lines.append(f"{'role':<12}" + "".join(f"{name + ' P/R (n)':>26}" for name in sets))
    for role in ROLES:
        cells = []
        for scores in sets.values():
            r = scores["roles"][role]
            cells.append(f"{_pct(r['precision'])}/{_pct(r['recall'])} ({r['labelled']})")
        lines.append(f"{role:<12}" + "".join(f"{cell:>26}" for cell in cells))
    for figure in ("accuracy", "voice_accuracy", "reported_or_not", "reported_recall", "reported_precision"):
        lines.append(f"{figure:<12}" + "".join(f"{_pct(s[figure]):>26}" for s in sets.values()))
    return "\n".join(lines)


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


if __name__ == "__main__":
    sys.exit(main())
