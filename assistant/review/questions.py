"""A review's questions, read from the file a policy team keeps them in: plain text (one question
a line), CSV with a `question` column (other columns, an owner or a reference, are carried
through), or YAML (a list of questions, or of mappings with a `question` key)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_TEXT_SUFFIXES = {".txt", ".text", ".md", ""}


class QuestionFileProblem(Exception):
    """The file cannot be read as questions; the message names the line."""


@dataclass(frozen=True)
class BankQuestion:
    question: str  # as written in the file: it is redacted before it is asked or written anywhere
    line: int
    extra: dict[str, str] = field(default_factory=dict)  # the file's other columns


def read_questions(path: Path) -> list[BankQuestion]:
    """The questions in `path`, in order, blank lines and `#` comments (text files) skipped."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise QuestionFileProblem(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise QuestionFileProblem(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise QuestionFileProblem(f"{path}: cannot be read ({exc.strerror})") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        questions = _from_csv(path, raw)
    elif suffix in (".yaml", ".yml"):
        questions = _from_yaml(path, raw)
    elif suffix in _TEXT_SUFFIXES:
        questions = _from_text(raw)
    else:
        raise QuestionFileProblem(f"{path}: use a .txt, .csv or .yaml file of questions")
    if not questions:
        raise QuestionFileProblem(f"{path}: no questions found")
    return questions


def _from_text(raw: str) -> list[BankQuestion]:
    return [
        BankQuestion(line.strip(), number)
        for number, line in enumerate(raw.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _from_csv(path: Path, raw: str) -> list[BankQuestion]:
    try:
        reader = csv.DictReader(raw.splitlines(), strict=True)
        columns = reader.fieldnames or []
    except csv.Error as exc:
        raise QuestionFileProblem(f"{path}, line 1: not CSV ({exc})") from None
    names = {name.strip().lower(): name for name in columns if name}
    if "question" not in names:
        raise QuestionFileProblem(
            f"{path}, line 1: no 'question' column (columns: {', '.join(columns) or 'none'})"
        )
    questions = []
    try:
        for row in reader:
            number = reader.line_num
            if None in row:  # more cells than headings
                raise QuestionFileProblem(f"{path}, line {number}: more cells than the header has")
            text = (row.get(names["question"]) or "").strip()
            if text:
                extra = {k.strip(): (v or "").strip() for k, v in row.items() if k and k != names["question"]}
                questions.append(BankQuestion(text, number, extra))
    except csv.Error as exc:
        raise QuestionFileProblem(f"{path}, line {reader.line_num}: {exc}") from None
    return questions


def _from_yaml(path: Path, raw: str) -> list[BankQuestion]:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        # Where the broken entry starts (an unclosed bracket), else where the parser gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "somewhere"
        raise QuestionFileProblem(f"{path}, {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        data = data["questions"]
    if not isinstance(data, list):
        raise QuestionFileProblem(f"{path}: expected a list of questions (or 'questions:' with one)")
    lines = _item_lines(raw)
    questions = []
    for index, item in enumerate(data):
        number = lines[index] if index < len(lines) else index + 1
        if isinstance(item, str) and item.strip():
            questions.append(BankQuestion(item.strip(), number))
        elif isinstance(item, dict) and isinstance(item.get("question"), str) and item["question"].strip():
            extra = {str(k): "" if v is None else str(v) for k, v in item.items() if k != "question"}
            questions.append(BankQuestion(item["question"].strip(), number, extra))
        else:
            raise QuestionFileProblem(
                f"{path}, line {number}: each entry must be a question, or have a 'question' key"
            )
    return questions


def _item_lines(raw: str) -> list[int]:
    """The line each top-level list item starts on (for messages that name the line)."""
    lines = raw.splitlines()
    indent = min((len(l) - len(l.lstrip()) for l in lines if l.lstrip().startswith("- ")), default=0)
    return [n for n, l in enumerate(lines, 1) if l.startswith(" " * indent + "- ")]
