"""`assistant review QUESTIONS [--out DIR] [--compare PREVIOUS] [--source ID...]`: the command
line's shell over the review (questions.py reads the bank, pack.py answers and compares,
write.py writes the files). Prints where the pack is and what it found; never a question."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant import exit_codes
from assistant.settings import Settings

_err = Console(stderr=True)

EXIT_CODES = exit_codes.listed_in_help(
    (exit_codes.OK, "the review ran and its files were written"),
    (exit_codes.USAGE, "a question file or --compare file that cannot be read (the message names the line), or an unknown --source"),
    exit_codes.NO_INDEX_MEANING,
)  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("questions", type=Path, help="questions: .txt (one a line), .csv (a 'question' column) or .yaml")
    parser.add_argument("--out", type=Path, default=Path("review"), help="folder for review.html, .csv and .json (default: ./review)")
    parser.add_argument("--compare", type=Path, metavar="PREVIOUS", help="an earlier review.json: show what changed")
    parser.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    parser.add_argument("--db", type=Path, help="data folder for the index (default: ./data)")
    parser.add_argument("--backend", choices=["extractive", "ollama", "llamacpp"], help="answer mode")  # fmt: skip


def run_review(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.core.answer import QuestionEmpty, QuestionTooLong, UnknownSource, check_question
    from assistant.adapters.factory import open_assistant
    from assistant.core.embeddings import EmbedderUnavailable
    from assistant.core.prompts import load_template
    from assistant.review.pack import PreviousPackProblem, compare, load_previous, pack, review
    from assistant.review.questions import QuestionFileProblem, read_questions
    from assistant.review.write import write_pack
    from assistant.core.store import IndexMissing, IndexProblem

    try:
        questions = read_questions(args.questions)
        for bank in questions:  # before seconds of loading: a pasted document stops the review
            try:
                check_question(bank.question, settings)
            except (QuestionEmpty, QuestionTooLong) as problem:
                raise QuestionFileProblem(f"{args.questions}, line {bank.line}: {problem}") from None
        previous = load_previous(args.compare) if args.compare else None
    except (QuestionFileProblem, PreviousPackProblem) as problem:
        _err.print(f"[red]{_escaped(str(problem))}[/red]", soft_wrap=True)
        return exit_codes.USAGE
    try:
        assistant = open_assistant(settings)
    except (IndexProblem, EmbedderUnavailable) as problem:
        _err.print(f"[red]{_escaped(str(problem))}[/red]", soft_wrap=True)
        return exit_codes.NO_INDEX if isinstance(problem, IndexMissing) else exit_codes.USAGE
    try:
        with _progress(len(questions)) as advance:
            reviewed = review(assistant, questions, args.source, on_answer=advance)
    except UnknownSource as problem:
        _err.print(f"[red]{_escaped(str(problem))}[/red]", soft_wrap=True)
        return exit_codes.USAGE
    data = pack(reviewed, assistant, settings.backend)
    if previous is not None:
        data["comparison"] = compare(previous, data)
    paths = write_pack(data, args.out, load_template("review.v1.md"))
    _report(data, paths)
    return exit_codes.OK


class _progress:
    """A bar that moves per question answered (on stderr, only in a terminal)."""

    def __init__(self, total: int) -> None:
        self._bar = Progress(
            TextColumn("Answering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=_err, transient=True, disable=not _err.is_terminal,
        )  # fmt: skip
        self._task = self._bar.add_task("answers", total=total)

    def __enter__(self):
        self._bar.__enter__()
        return lambda: self._bar.advance(self._task)

    def __exit__(self, *exc_info):
        return self._bar.__exit__(*exc_info)


def _report(data: dict, paths: list[Path]) -> None:
    summary = data["summary"]
    flagged = ", ".join(f"{flag.replace('_', ' ')} {count}" for flag, count in summary["flags"].items() if count)
    _err.print(
        f"{summary['questions']} questions, {summary['answered']} answered"
        + (f"; flags: {flagged}" if flagged else "")
    )
    comparison = data.get("comparison")
    if comparison:
        counts = ", ".join(f"{status} {n}" for status, n in comparison["counts"].items()) or "no answer changed"
        library = comparison["library"]
        _err.print(
            f"since {comparison['previous_created_at']}: {counts}; sources added "
            f"{len(library['added'])}, removed {len(library['removed'])}, changed {len(library['changed'])}"
        )
    _err.print("written: " + ", ".join(str(path) for path in paths), soft_wrap=True)


def _escaped(text: str) -> str:
    from rich.markup import escape

    from assistant.core.printable import printable

    return escape(printable(text))
