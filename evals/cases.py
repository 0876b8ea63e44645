"""The evaluation cases (evals/cases/*.yaml): what is asked, and what a good answer must show.

One file is one set, named by its file stem. Every case has an `id` and either a `question` or
`turns` (a conversation: earlier questions, then the one scored). What it expects:

  answer   `gold`: verbatim spans of source text (with their source id), one of which should be
           retrieved and cited;
  abstain  the library does not cover it: the honest answer says so.

What the reader must see (answerable cases): `key_points`, the verbatim sentence(s) a good answer
quotes (quoting any one of them counts); for list questions `list_items`, every item of the list
asked for. `type` is the question's type as a person reads it (assistant/core/question.py
QUESTION_TYPES), for per-type figures.

Optional: `audience` and `category` (for per-category figures), `kind` (adversarial cases),
`values` (personal data planted in the question: none may appear anywhere in the output),
`without_details` (the same question with the personal data taken out: it must be answered the
same way), `must_not_contain` (text that must never be in the output, e.g. a planted
instruction's canary) and `subject` (a follow-up's own subject, "Copilot" after a question about
accountability: an answer must name it in its sentences, an abstention must say it is not covered).

Sets whose name ends in `_heldout` (and `heldout` itself) are never used for tuning: reports
show them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.core.question import QUESTION_TYPES

CASES_DIR = Path(__file__).parent / "cases"
# `--set fast`: the subset CI runs on every change (a minute on 2 cores, baseline included).
GROUPS = {
    "fast": ("dev", "practice", "out_of_scope", "personal_data", "adversarial", "followups"),
}
_EXPECTATIONS = ("answer", "abstain")
_FIELDS = {
    "id",
    "question",
    "turns",
    "gold",
    "expect",
    "audience",
    "category",
    "kind",
    "values",
    "must_not_contain",
    "type",
    "key_points",
    "list_items",
    "without_details",
    "subject",
}


class CaseProblem(Exception):
    """A case file is malformed; the message says which case and what is wrong."""


@dataclass(frozen=True)
class Gold:
    source: str
    span: str


@dataclass(frozen=True)
class Case:
    id: str
    set: str
    turns: tuple[str, ...]  # the scored question is the last
    expect: str  # "answer" or "abstain"
    gold: tuple[Gold, ...] = ()
    audience: str = ""
    category: str = ""
    kind: str = ""
    values: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()
    heldout: bool = False
    type: str = "general"
    key_points: tuple[Gold, ...] = ()
    list_items: tuple[Gold, ...] = ()
    without_details: str = ""
    subject: str = ""  # a follow-up's own subject, which the answer must be about

    @property
    def question(self) -> str:
        return self.turns[-1]

    @property
    def history(self) -> tuple[str, ...]:
        return self.turns[:-1]


def set_names(cases_dir: Path = CASES_DIR) -> list[str]:
    return sorted(path.stem for path in cases_dir.glob("*.yaml"))


def load_cases(names: list[str] | None = None, cases_dir: Path = CASES_DIR) -> list[Case]:
    """The cases of the named sets or groups (all sets when none are named)."""
    available = set_names(cases_dir)
    wanted: list[str] = []
    for name in names or available:
        for member in GROUPS.get(name, (name,)):
            if member not in available:
                raise CaseProblem(
                    f"No case set '{member}'. Sets: {', '.join(available)}; groups: "
                    + ", ".join(GROUPS)
                )
            if member not in wanted:
                wanted.append(member)
    cases: list[Case] = []
    for name in wanted:
        cases += _load_set(cases_dir / f"{name}.yaml")
    duplicates = sorted({c.id for c in cases if sum(d.id == c.id for d in cases) > 1})
    if duplicates:
        raise CaseProblem(f"Case ids used twice: {', '.join(duplicates)}")
    return cases


def _load_set(path: Path) -> list[Case]:
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise CaseProblem(f"Cannot read {path}: {exc}") from exc
    if not isinstance(items, list):
        raise CaseProblem(f"{path}: expected a list of cases")
    heldout = path.stem == "heldout" or path.stem.endswith("_heldout")
    return [_case(item, path, heldout) for item in items]


def _case(item: object, path: Path, heldout: bool) -> Case:
    where = f"{path.name}, case {item.get('id', '?') if isinstance(item, dict) else '?'}"
    if not isinstance(item, dict) or not item.get("id"):
        raise CaseProblem(f"{where}: every case needs an id")
    turns = item.get("turns") or ([item["question"]] if item.get("question") else [])
    if not turns or not all(isinstance(t, str) and t.strip() for t in turns):
        raise CaseProblem(f"{where}: needs a question, or turns (a list of questions)")
    gold = _spans(item, "gold", where)
    key_points = _spans(item, "key_points", where)
    list_items = _spans(item, "list_items", where)
    expect = item.get("expect") or ("answer" if gold else "")
    if expect not in _EXPECTATIONS:
        raise CaseProblem(f"{where}: expect must be one of {_EXPECTATIONS} (or give gold spans)")
    if expect == "answer" and not gold:
        raise CaseProblem(f"{where}: an answerable case needs gold spans")
    if expect == "answer" and not key_points:
        raise CaseProblem(f"{where}: an answerable case needs key_points (what the answer must quote)")
    kind = item.get("type", "general")
    if kind not in QUESTION_TYPES:
        raise CaseProblem(f"{where}: type must be one of {', '.join(QUESTION_TYPES)}")
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise CaseProblem(f"{where}: unknown field(s) {', '.join(unknown)}")
    return Case(
        id=str(item["id"]),
        set=path.stem,
        turns=tuple(turns),
        expect=expect,
        gold=gold,
        audience=item.get("audience", ""),
        category=item.get("category", ""),
        kind=item.get("kind", ""),
        values=tuple(str(v) for v in item.get("values") or ()),
        must_not_contain=tuple(str(v) for v in item.get("must_not_contain") or ()),
        heldout=heldout,
        type=kind,
        key_points=key_points,
        list_items=list_items,
        without_details=str(item.get("without_details") or ""),
        subject=str(item.get("subject") or ""),
    )


def _spans(item: dict, field: str, where: str) -> tuple[Gold, ...]:
    spans = item.get(field) or ()
    if not all(isinstance(g, dict) and g.get("source") and g.get("span") for g in spans):
        raise CaseProblem(f"{where}: every entry of {field} needs a source and a span")
    return tuple(Gold(g["source"], g["span"]) for g in spans)
