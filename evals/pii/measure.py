"""Measure the personal-data guard: recall per type on the synthetic set, and how many clean
guidance questions it alters. Prints a table; exits non-zero below the targets. The cases pasted
with Unicode spaces, invisible characters or fullwidth digits (`"variant"` in cases.jsonl) are
reported apart, per type and per kind of paste, with the identifiers a paste loses (found in the
plain case, missed once pasted); so are the clean questions pasted from Word.

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

from assistant.core.guard import redact
from evals.pii.generate import INVISIBLE
from assistant.core.lexical import BM25
from assistant.settings import PROJECT_ROOT

HERE = Path(__file__).parent
TARGETS = {
    "NHS_NUMBER": 0.99, "NI_NUMBER": 0.99, "POSTCODE": 0.99, "PHONE": 0.99, "EMAIL": 0.99,
    "DATE_OF_BIRTH": 0.98, "NAME": 0.95, "ADDRESS": 0.95,
}
MAX_CLEAN_ALTERED = 0.02
VARIANT_TARGET = 0.97  # all types together: one kind of paste has some 30 to 160 identifiers


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


def pasted_from_word(question: str, index: int) -> str:
    """A clean question as Word pastes it: non-breaking spaces, an invisible character."""
    words = question.split(" ")
    middle = len(words) // 2
    words[middle] = INVISIBLE[index % len(INVISIBLE)] + words[middle]
    return "".join(w + ("\u00a0" if i % 2 else " ") for i, w in enumerate(words)).rstrip()


def measure(cases: list[dict], clean: list[str], words: Callable[[str], bool] | None = None) -> dict:
    totals, hits = Counter(), Counter()
    variant_totals, variant_hits, kind_totals, kind_hits = Counter(), Counter(), Counter(), Counter()
    plain_hit: dict[int, bool] = {}
    lost = []
    for line, case in enumerate(cases):
        found = redact(case["text"], words).found
        variant = case.get("variant")
        hit = all(removed(span, found) for span in case["spans"])
        for span in case["spans"]:
            if variant is None:
                totals[span["type"]] += 1
                hits[span["type"]] += removed(span, found)
            else:
                variant_totals[span["type"]] += 1
                variant_hits[span["type"]] += removed(span, found)
                kind_totals[variant] += 1
                kind_hits[variant] += removed(span, found)
        if variant is None:
            plain_hit[line] = hit
        elif not hit and plain_hit.get(case.get("from"), False):
            lost.append(case["text"])
    altered = [question for question in clean if redact(question, words).found]
    pasted = [pasted_from_word(question, i) for i, question in enumerate(clean)]
    pasted_altered = [question for question in pasted if redact(question, words).found]
    return {
        "recall": {kind: hits[kind] / totals[kind] for kind in totals},
        "counts": dict(totals),
        "clean_altered": len(altered) / len(clean),
        "clean_altered_examples": altered,
        "clean_total": len(clean),
        "variant_recall": {kind: variant_hits[kind] / variant_totals[kind] for kind in variant_totals},
        "variant_counts": dict(variant_totals),
        "variant_overall": sum(variant_hits.values()) / max(sum(variant_totals.values()), 1),
        "paste_recall": {kind: kind_hits[kind] / kind_totals[kind] for kind in kind_totals},
        "paste_counts": dict(kind_totals),
        "variant_lost": lost,
        "pasted_clean_altered": len(pasted_altered) / len(clean),
        "pasted_clean_altered_examples": pasted_altered,
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
    if result["variant_counts"]:
        failed |= _print_variants(result, words)
    return 1 if failed else 0


def _print_variants(result: dict, words: Callable[[str], bool] | None) -> bool:
    """The unicode variants section; whether it is below its targets."""
    overall = result["variant_overall"]
    print(f"\nunicode variants (Word/Outlook spaces, invisible characters, fullwidth digits): "
          f"recall {overall:.3f} over {sum(result['variant_counts'].values())} identifiers "
          f"(target {VARIANT_TARGET:.2f})")
    for kind, recall in sorted(result["variant_recall"].items()):
        print(f"  {kind:<15}{result['variant_counts'][kind]:>10}{recall:>9.3f}")
    for paste, recall in sorted(result["paste_recall"].items()):
        print(f"  {paste:<15}{result['paste_counts'][paste]:>10}{recall:>9.3f}")
    print(f"lost to the paste (found in the plain case, missed pasted): {len(result['variant_lost'])}")
    for text in result["variant_lost"]:
        print(f"  lost: {text!r}")
    share = result["pasted_clean_altered"]
    print(f"clean questions pasted from Word altered: {len(result['pasted_clean_altered_examples'])} "
          f"of {result['clean_total']} ({share:.1%}, target <= {MAX_CLEAN_ALTERED:.0%})")
    for question in result["pasted_clean_altered_examples"]:
        print(f"  altered: {redact(question, words).text!r}")
    return overall < VARIANT_TARGET or bool(result["variant_lost"]) or share > MAX_CLEAN_ALTERED


if __name__ == "__main__":
    sys.exit(main())
