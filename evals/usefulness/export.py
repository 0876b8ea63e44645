"""Write the assistant's current answers for people to rate (evals/usefulness/labels.yaml).

    python -m evals.usefulness.export [--set NAME ...] [--out FILE] [--db DIR]

Each entry: the case id, its set, the question, the answer as the reader sees it (notices, the
answer text, the sources cited) and the answer's hash, which a label must carry. Rate by reading,
as the person who asked would: 0 does not answer, 1 the reader must infer or it is incomplete,
2 direct and correct.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from assistant.adapters.factory import open_assistant
from assistant.settings import load_settings
from evals.cases import load_cases
from evals.usefulness.rubric import answer_hash


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.usefulness.export", description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", metavar="NAME")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args(argv)
    assistant = open_assistant(load_settings(data_dir=args.db))
    entries = []
    for case in load_cases(args.sets):
        if case.expect != "answer":
            continue
        history: list[str] = []
        for earlier in case.history:
            history.append(assistant.ask(earlier, history).searched_for)
        answer = assistant.ask(case.question, history)
        cited = "\n".join(
            f"[{c.n}] {c.passage.chunk.title} — {c.passage.chunk.section}" for c in answer.citations
        )
        shown = "\n\n".join(part for part in ("\n".join(answer.notices), answer.text, cited) if part)
        entries.append({
            "case": case.id, "set": case.set, "question": case.question,
            "earlier_turns": list(case.history), "answer": shown, "answer_sha": answer_hash(answer.text),
        })  # fmt: skip
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=100)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
