"""Measure the citation support check (assistant/core/citations.py `passage_support`) on
hand-labelled claims, to choose `support_min_similarity`, `support_min_overlap` and the rule
that combines them.

    python -m evals.support.measure [--db DIR] [--items PATH]

Each item of claims.yaml cites one passage: the index chunk of its source whose text contains the
item's snippet. The script computes the real Support (similarity, overlap) of the claim against
that chunk with the configured embedder, then prints numbers only, no pass/fail:

  * per kind, the mean (and range) of similarity and overlap;
  * for the OR rule (similarity >= S or overlap >= O), the AND rule (both, what the verifier
    does), similarity alone and overlap alone: over S in 0.40..0.80 and O in 0.3..0.9, the
    precision and recall of "supported" and the share of unsupported claims rejected; the
    current settings are marked, and so is the best pair by the criterion below;
  * at the current settings and at each rule's best pair, what share of each kind is accepted.

Best pair: among the grid points that reject at least 90% of the unsupported claims, the one that
accepts the most supported claims (highest recall); ties go to the higher rejection rate, then the
higher precision, then the higher thresholds (equal here, stricter on unseen claims).

Build the index first if needed: `assistant ingest --db DIR`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.core.citations import normalise, passage_support
from assistant.core.domain import Chunk, Passage
from assistant.core.embeddings import Embedder
from assistant.adapters.factory import load_embedder, open_live
from assistant.settings import Settings, load_settings
from assistant.core.store import ChunkStore, IndexProblem, check_model

HERE = Path(__file__).parent
ITEMS = HERE / "claims.yaml"

SUPPORTED_KINDS = ("paraphrase", "summary", "practitioner")
UNSUPPORTED_KINDS = ("wrong_passage", "invented", "overreach", "negation", "generic")
S_GRID = tuple(round(0.40 + 0.05 * i, 2) for i in range(9))  # 0.40 .. 0.80
O_GRID = tuple(round(0.3 + 0.1 * i, 1) for i in range(7))  # 0.3 .. 0.9
MIN_REJECT = 0.90
SNIPPET_WORDS = (8, 20)

_FIELDS = ("id", "source", "passage", "claim", "supported", "kind")


class ItemProblem(Exception):
    """claims.yaml is malformed, or a snippet does not locate exactly one chunk."""


@dataclass(frozen=True)
class Row:
    """One measured item."""

    id: str
    source: str
    kind: str
    supported: bool
    similarity: float
    overlap: float
    chunk_id: str


@dataclass(frozen=True)
class Rule:
    name: str
    uses_s: bool
    uses_o: bool
    accepts: Callable[[Row, float, float], bool]


RULES = (
    Rule("OR (similarity >= S or overlap >= O)", True, True,
         lambda r, s, o: r.similarity >= s or r.overlap >= o),
    Rule("AND (similarity >= S and overlap >= O)", True, True,
         lambda r, s, o: r.similarity >= s and r.overlap >= o),
    Rule("similarity alone (similarity >= S)", True, False, lambda r, s, o: r.similarity >= s),
    Rule("overlap alone (overlap >= O)", False, True, lambda r, s, o: r.overlap >= o),
)


@dataclass(frozen=True)
class Score:
    s: float
    o: float
    precision: float
    recall: float
    rejected: float  # share of unsupported claims rejected
    accepted: int


# -- Items --------------------------------------------------------------------------------------


def load_items(path: Path = ITEMS) -> list[dict]:
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise ItemProblem(f"{path} is not valid YAML: {exc}") from exc
    problems: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(items, 1):
        where = f"item {number} ({item.get('id', '?')})"
        missing = [k for k in _FIELDS if k not in item]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if item["id"] in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(item["id"])
        kinds = SUPPORTED_KINDS if item["supported"] is True else UNSUPPORTED_KINDS
        if item["supported"] not in (True, False) or item["kind"] not in kinds:
            problems.append(
                f"{where}: kind '{item['kind']}' does not fit supported={item['supported']}"
            )
        words = len(item["passage"].split())
        if not SNIPPET_WORDS[0] <= words <= SNIPPET_WORDS[1]:
            low, high = SNIPPET_WORDS
            problems.append(f"{where}: snippet has {words} words, wanted {low}-{high}")
    if problems:
        raise ItemProblem("claims.yaml:\n  " + "\n  ".join(problems))
    return items


def locate(items: Sequence[dict], chunks: Iterable[Chunk]) -> list[Chunk]:
    """The one chunk of each item's source whose text contains the item's snippet (compared as
    `assistant.core.citations.normalise` reads text). Fails listing every snippet found in no chunk or
    in several."""
    by_source: dict[str, list[tuple[Chunk, str]]] = defaultdict(list)
    for chunk in chunks:
        by_source[chunk.source_id].append((chunk, normalise(chunk.text)))
    found: list[Chunk] = []
    problems: list[str] = []
    for item in items:
        if item["source"] not in by_source:
            problems.append(f"{item['id']}: source '{item['source']}' is not in the index")
            continue
        snippet = normalise(item["passage"])
        hits = [chunk for chunk, text in by_source[item["source"]] if snippet in text]
        if len(hits) != 1:
            ids = ", ".join(c.id for c in hits)
            where = f"in {len(hits)} chunks ({ids})" if hits else "in no chunk"
            problems.append(
                f"{item['id']}: snippet found {where} of {item['source']}: \"{item['passage']}\""
            )
            continue
        found.append(hits[0])
    if problems:
        raise ItemProblem(
            "Fix these snippets in claims.yaml "
            "(each must occur in exactly one chunk of its source):\n  "
            + "\n  ".join(problems)
        )
    return found


# -- Measuring ----------------------------------------------------------------------------------


def measure(items: Sequence[dict], embedder: Embedder, store: ChunkStore) -> list[Row]:
    """The real Support of every item's claim against the chunk its snippet locates."""
    chunks = locate(items, store.chunks())
    vectors = embedder.embed_batch([item["claim"] for item in items])
    rows = []
    for item, chunk, vector in zip(items, chunks, vectors):
        passage = Passage(rank=1, chunk=chunk, score=0.0, similarity=0.0)
        measured = passage_support(item["claim"], vector, [passage])
        rows.append(
            Row(item["id"], item["source"], item["kind"], bool(item["supported"]),
                measured.similarity, measured.overlap, chunk.id)
        )
    return rows


def score(rows: Sequence[Row], rule: Rule, s: float, o: float) -> Score:
    supported = [r for r in rows if r.supported]
    unsupported = [r for r in rows if not r.supported]
    accepted = [r for r in rows if rule.accepts(r, s, o)]
    true_positives = sum(r.supported for r in accepted)
    rejected = sum(not rule.accepts(r, s, o) for r in unsupported)
    return Score(
        s, o,
        precision=true_positives / len(accepted) if accepted else 1.0,
        recall=true_positives / len(supported) if supported else 0.0,
        rejected=rejected / len(unsupported) if unsupported else 1.0,
        accepted=len(accepted),
    )


def grid(rule: Rule) -> list[tuple[float, float]]:
    s_values = S_GRID if rule.uses_s else (0.0,)
    o_values = O_GRID if rule.uses_o else (0.0,)
    return [(s, o) for s in s_values for o in o_values]


def best(scores: Sequence[Score]) -> Score | None:
    """Rejects >= MIN_REJECT of unsupported, then most recall; ties: rejection, precision, then
    the higher thresholds (equal on this set, stricter on claims it does not hold)."""
    eligible = [x for x in scores if x.rejected >= MIN_REJECT - 1e-9]
    if not eligible:
        return None
    return max(eligible, key=lambda x: (x.recall, x.rejected, x.precision, x.s, x.o))


def kind_acceptance(
    rows: Sequence[Row], rule: Rule, s: float, o: float
) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for kind in SUPPORTED_KINDS + UNSUPPORTED_KINDS:
        of_kind = [r for r in rows if r.kind == kind]
        out[kind] = (sum(rule.accepts(r, s, o) for r in of_kind), len(of_kind))
    return out


# -- Printing -----------------------------------------------------------------------------------


def print_kinds(rows: Sequence[Row]) -> None:
    print(f"{'kind':<14}{'label':<13}{'n':>4}{'sim mean':>10}{'sim min':>9}{'sim max':>9}"
          f"{'ovl mean':>10}{'ovl min':>9}{'ovl max':>9}")
    for kind in SUPPORTED_KINDS + UNSUPPORTED_KINDS:
        of_kind = [r for r in rows if r.kind == kind]
        if not of_kind:
            continue
        sims = [r.similarity for r in of_kind]
        ovls = [r.overlap for r in of_kind]
        label = "supported" if kind in SUPPORTED_KINDS else "unsupported"
        print(f"{kind:<14}{label:<13}{len(of_kind):>4}"
              f"{statistics.mean(sims):>10.3f}{min(sims):>9.3f}{max(sims):>9.3f}"
              f"{statistics.mean(ovls):>10.3f}{min(ovls):>9.3f}{max(ovls):>9.3f}")
    for label, flag in (("all supported", True), ("all unsupported", False)):
        subset = [r for r in rows if r.supported is flag]
        print(f"{label:<27}{len(subset):>4}{statistics.mean(r.similarity for r in subset):>10.3f}"
              f"{'':>18}{statistics.mean(r.overlap for r in subset):>10.3f}")


def print_rule(rows: Sequence[Row], rule: Rule, settings: Settings) -> Score | None:
    current = (settings.support_min_similarity, settings.support_min_overlap)
    scores = [score(rows, rule, s, o) for s, o in grid(rule)]
    chosen = best(scores)
    print(f"\n== {rule.name}")
    print(f"{'S':>6}{'O':>6}{'accepted':>10}{'precision':>11}{'recall':>8}{'rejected':>10}")
    for x in scores:
        marks = []
        if _is_current(rule, x, current):
            marks.append("current settings")
        if chosen is x:
            marks.append(f"best (reject >= {MIN_REJECT:.0%}, then max recall)")
        s_text = f"{x.s:.2f}" if rule.uses_s else "-"
        o_text = f"{x.o:.1f}" if rule.uses_o else "-"
        print(f"{s_text:>6}{o_text:>6}{x.accepted:>10}"
              f"{x.precision:>11.3f}{x.recall:>8.3f}{x.rejected:>10.3f}"
              + (f"   <- {'; '.join(marks)}" if marks else ""))
    if chosen is None:
        top = max(scores, key=lambda x: (x.rejected, x.recall))
        print(f"no grid point rejects >= {MIN_REJECT:.0%} of unsupported; the most rejecting is "
              f"S={top.s:.2f} O={top.o:.1f} (rejected {top.rejected:.3f}, recall {top.recall:.3f})")
    return chosen


def _is_current(rule: Rule, x: Score, current: tuple[float, float]) -> bool:
    s_ok = not rule.uses_s or abs(x.s - current[0]) < 1e-9
    o_ok = not rule.uses_o or abs(x.o - current[1]) < 1e-9
    return s_ok and o_ok


def print_kind_table(rows: Sequence[Row], points: Sequence[tuple[str, Rule, float, float]]) -> None:
    kinds = SUPPORTED_KINDS + UNSUPPORTED_KINDS
    print("\n== Share of each kind accepted (supported kinds: want high; unsupported: want low)")
    print(f"{'setting':<44}" + "".join(f"{k[:13]:>14}" for k in kinds))
    for label, rule, s, o in points:
        accepted = kind_acceptance(rows, rule, s, o)
        cells = "".join(
            f"{f'{a}/{n} {a / n:.2f}' if n else '-':>14}" for a, n in (accepted[k] for k in kinds)
        )
        print(f"{label:<44}{cells}")


def print_errors(rows: Sequence[Row], label: str, rule: Rule, s: float, o: float) -> None:
    wrong = [r for r in rows if rule.accepts(r, s, o) != r.supported]
    print(f"\n== Misjudged at {label}: {len(wrong)} of {len(rows)}")
    for r in sorted(wrong, key=lambda r: (r.supported, r.kind, r.id)):
        verdict = "accepted, unsupported" if not r.supported else "rejected, supported"
        print(f"  {verdict:<23}{r.kind:<14}sim {r.similarity:.3f}  ovl {r.overlap:.3f}  {r.id}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="data folder of the index (default: the settings')")
    parser.add_argument("--profile", type=Path, help="settings profile (TOML)")
    parser.add_argument("--items", type=Path, default=ITEMS, help="labelled claims (YAML)")
    args = parser.parse_args(argv)

    settings = load_settings(args.profile, data_dir=args.db)
    try:
        items = load_items(args.items)
        store = open_live(settings)
        check_model(store.info, settings.embedding_model)
        rows = measure(items, load_embedder(settings), store)
    except (ItemProblem, IndexProblem) as exc:
        print(exc, file=sys.stderr)
        return 2

    n_sup = sum(r.supported for r in rows)
    print(f"{len(rows)} claims ({n_sup} supported, {len(rows) - n_sup} unsupported) "
          f"from {args.items.name}; index generation {store.info.generation}, "
          f"model {store.info.embedding_model}")
    print(f"current settings: support_min_similarity={settings.support_min_similarity} "
          f"support_min_overlap={settings.support_min_overlap}, rule OR\n")
    print_kinds(rows)

    chosen = {rule.name: print_rule(rows, rule, settings) for rule in RULES}
    s_now, o_now = settings.support_min_similarity, settings.support_min_overlap
    points = [(f"current (OR, S={s_now:.2f} O={o_now:.2f})", RULES[0], s_now, o_now)]
    for rule in RULES:
        x = chosen[rule.name]
        if x is not None:
            short = rule.name.split(" (")[0]
            parts = [f"S={x.s:.2f}"] if rule.uses_s else []
            parts += [f"O={x.o:.1f}"] if rule.uses_o else []
            points.append((f"best {short} ({', '.join(parts)})", rule, x.s, x.o))
    print_kind_table(rows, points)
    for label, rule, s, o in points:
        print_errors(rows, label, rule, s, o)
    return 0


if __name__ == "__main__":
    sys.exit(main())
