"""A review pack: every question of a bank answered as `assistant ask` would answer it, with the
flags a reviewer must see, a summary, and the library it was answered from. Holds no raw personal
data: questions and the bank's other columns are redacted before anything is kept."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from assistant.core.answer import Answer, Assistant
from assistant.core.guard import redact
from assistant.core.library import design_coverage
from assistant.core.question import read_question
from assistant.review.questions import BankQuestion

# What a reviewer must see, in the order the pack lists them.
FLAGS = (
    "abstained",
    "excerpts_only",
    "local_document",
    "low_relevance",
    "sentences_removed",
    "personal_details",
)
PACK_FORMAT = 1


class PreviousPackProblem(Exception):
    """A --compare file that is not a review.json this command wrote."""


@dataclass(frozen=True)
class ReviewedAnswer:
    bank: BankQuestion  # the question as the file had it: never written out
    answer: Answer
    flags: tuple[str, ...]


def review(
    assistant: Assistant,
    questions: Iterable[BankQuestion],
    source_ids: list[str] | None = None,
    on_answer: Callable[[], None] = lambda: None,
) -> list[ReviewedAnswer]:
    """Each question answered on its own (no follow-up history between rows)."""
    reviewed = []
    for bank in questions:
        answer = assistant.ask(bank.question, source_ids=source_ids)
        reviewed.append(ReviewedAnswer(bank, answer, flags_of(answer, assistant)))
        on_answer()
    return reviewed


def flags_of(answer: Answer, assistant: Assistant) -> tuple[str, ...]:
    index = assistant.index
    coverage = {document.id: document.status for document in design_coverage(index)}
    asked = read_question(answer.searched_for)
    raised = {
        "abstained": answer.abstained,
        # The question names a design document the library holds only as passages quoted elsewhere.
        "excerpts_only": any(coverage.get(body.document) == "excerpts" for body in asked.bodies),
        "local_document": any(c.label for c in answer.citations)
        or any(not _listed(index, c.passage.chunk.source_id) for c in answer.citations),
        "low_relevance": answer.loosely_matched,
        "sentences_removed": answer.backend != "extractive" and bool(answer.removed),
        "personal_details": bool(answer.personal_data),
    }
    return tuple(flag for flag in FLAGS if raised[flag])


def _listed(index, source_id: str) -> bool:
    source = index.sources.get(source_id)
    return bool(source and source.in_manifest)


def pack(reviewed: list[ReviewedAnswer], assistant: Assistant, backend: str) -> dict[str, Any]:
    """The review as data: review.json, and what the HTML and CSV are made from."""
    items = [_item(number, entry) for number, entry in enumerate(reviewed, 1)]
    return {
        "format": PACK_FORMAT,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "assistant_version": _assistant_version(),
        "backend": backend,
        "library": library_version(assistant),
        "summary": summary(items),
        "items": items,
    }


def _item(number: int, entry: ReviewedAnswer) -> dict[str, Any]:
    answer = entry.answer
    return {
        "number": number,
        "line": entry.bank.line,
        "question": answer.question,  # redacted by the answer path
        "extra": {key: redact(value).text for key, value in entry.bank.extra.items()},
        "question_type": answer.question_type,
        "answer": answer.text,
        "abstained": answer.abstained,
        "backend": answer.backend,
        "notices": answer.notices,
        "flags": list(entry.flags),
        "personal_data": sorted({found.type for found in answer.personal_data}),
        "citations": answer.to_dict()["citations"],  # the `ask --json` shape
    }


def summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    cited = Counter(
        source for item in items for source in dict.fromkeys(c["source_id"] for c in item["citations"])
    )
    return {
        "questions": len(items),
        "answered": sum(not item["abstained"] for item in items),
        "flags": {flag: sum(flag in item["flags"] for item in items) for flag in FLAGS},
        "sources_cited": dict(cited.most_common()),
        "unanswered": [item["number"] for item in items if item["abstained"]],
    }


def library_version(assistant: Assistant) -> dict[str, Any]:
    index = assistant.index
    return {
        "generation": index.generation,
        "created_at": index.created_at,
        "pipeline_version": index.pipeline_version,
        "sources": [
            {
                "id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date,
                "sha256": s.file_sha256, "chunks": s.chunks, "in_manifest": s.in_manifest,
            }
            for s in sorted(index.sources.values(), key=lambda s: s.id)
        ],
    }  # fmt: skip


def _assistant_version() -> str:
    try:
        return version("guidance-assistant")
    except PackageNotFoundError:
        return "unknown"


def load_previous(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PreviousPackProblem(f"{path}: no such file (give the review.json of an earlier review)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PreviousPackProblem(f"{path}: not a review.json ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != PACK_FORMAT or "items" not in data:
        raise PreviousPackProblem(f"{path}: not a review.json written by `assistant review`")
    return data


def compare(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Which answers changed, were newly answered or newly declined, beside what changed in the
    library. Questions are matched by their (redacted) text."""
    before = {item["question"]: item for item in previous["items"]}
    changes = []
    for item in current["items"]:
        old = before.get(item["question"])
        status = _status(old, item)
        if status != "unchanged":
            changes.append({"number": item["number"], "question": item["question"], "status": status,
                            "before": old["answer"] if old else "", "after": item["answer"]})  # fmt: skip
    asked_now = {item["question"] for item in current["items"]}
    dropped = [q for q in before if q not in asked_now]
    return {
        "previous_created_at": previous.get("created_at", ""),
        "changes": changes,
        "counts": dict(Counter(change["status"] for change in changes)),
        "questions_no_longer_asked": dropped,
        "library": library_changes(previous["library"], current["library"]),
    }


def _status(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    if old is None:
        return "new question"
    if old["abstained"] and not new["abstained"]:
        return "newly answered"
    if new["abstained"] and not old["abstained"]:
        return "newly declined"
    same_sources = [c["source_id"] for c in old["citations"]] == [c["source_id"] for c in new["citations"]]
    return "unchanged" if old["answer"] == new["answer"] and same_sources else "changed"


def library_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    before = {s["id"]: s for s in old.get("sources", [])}
    after = {s["id"]: s for s in new.get("sources", [])}
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(
            sid for sid in set(before) & set(after)
            if (before[sid]["sha256"], before[sid]["chunks"]) != (after[sid]["sha256"], after[sid]["chunks"])
        ),
    }  # fmt: skip
