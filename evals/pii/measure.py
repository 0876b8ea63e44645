"""Measure the personal-data guard: recall per type on the synthetic set, and how many clean
guidance questions it alters. Prints a table; exits non-zero below the targets.

The guard runs as the assistant runs it: knowing the words the bundled library uses (a
capitalised word the library uses is not taken for a name).

    python -m evals.pii.measure
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from assistant.guard import redact
from assistant.lexical import BM25
from assistant.settings import PROJECT_ROOT

HERE = Path(__file__).parent
TARGETS = {
    "NHS_NUMBER": 0.99, "NI_NUMBER": 0.99, "POSTCODE": 0.99, "PHONE": 0.99, "EMAIL": 0.99,
    "DATE_OF_BIRTH": 0.98, "NAME": 0.95, "ADDRESS": 0.95,
}
MAX_CLEAN_ALTERED = 0.02


def load_cases(path: Path = HERE / "cases.jsonl") -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load_clean(path: Path = HERE / "clean_questions.txt") -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def removed(span: dict, found) -> bool:
    """Every character of the labelled value lies inside something the guard replaced."""
    return all(any(f.start <= i < f.end for f in found) for i in range(span["start"], span["end"]))


def library_uses(corpus: Path = PROJECT_ROOT / "corpus") -> Callable[[str], bool]:
    """The bundled library's vocabulary, as the assistant's retriever holds it (BM25 terms)."""
    files = [p for p in sorted(corpus.rglob("*")) if p.is_file()]
    return BM25(p.read_text(encoding="utf-8", errors="ignore") for p in files).uses


def measure(cases: list[dict], clean: list[str], words: Callable[[str], bool] | None = None) -> dict:
    totals, hits = Counter(), Counter()
    for case in cases:
        found = redact(case["text"], words).found
        for span in case["spans"]:
            totals[span["type"]] += 1
            hits[span["type"]] += removed(span, found)
    altered = [question for question in clean if redact(question, words).found]
    return {
        "recall": {kind: hits[kind] / totals[kind] for kind in totals},
        "counts": dict(totals),
        "clean_altered": len(altered) / len(clean),
        "clean_altered_examples": altered,
        "clean_total": len(clean),
    }


def main() -> int:
    words = library_uses()
    result = measure(load_cases(), load_clean(), words)
    failed = False
    print(f"{'type':<15}{'identifiers':>12}{'recall':>9}{'target':>9}")
    for kind, recall in sorted(result["recall"].items()):
        target = TARGETS.get(kind, 0.95)
        failed |= recall < target
        mark = "" if recall >= target else "  BELOW TARGET"
        print(f"{kind:<15}{result['counts'][kind]:>12}{recall:>9.3f}{target:>9.2f}{mark}")
    share = result["clean_altered"]
    failed |= share > MAX_CLEAN_ALTERED
    print(f"clean questions altered: {len(result['clean_altered_examples'])} of "
          f"{result['clean_total']} ({share:.1%}, target <= {MAX_CLEAN_ALTERED:.0%})")
    for question in result["clean_altered_examples"]:
        print(f"  altered: {redact(question, words).text}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
