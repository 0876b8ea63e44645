"""`assistant`: the command line. A thin shell: it parses options, builds the settings once, calls
the core and prints what it returns."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant import exit_codes
from assistant.exit_codes import listed_in_help
from assistant.adapters.offline import enforce_offline
from assistant.core.printable import printable
from assistant.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from ingest.fetch import FetchResult

_err = Console(stderr=True)
_out = Console()


def _shown(text: str) -> str:
    """Text from a document or a file name, for Rich: no control characters (a document's escape
    sequences must not reach the terminal), no markup."""
    from rich.markup import escape

    return escape(printable(text))


def _problem(exc: Exception) -> None:
    """An error the user can act on, on stderr, unwrapped: a command it names copies whole."""
    _err.print(f"[red]{_shown(str(exc))}[/red]", soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `assistant` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "eval":
        return _run_eval(args)  # settings are read by the harness, from its own options
    enforce_offline()
    try:
        settings = load_settings(
            args.profile, data_dir=getattr(args, "db", None), backend=getattr(args, "backend", None),
            audience=getattr(args, "audience", None),
        )  # fmt: skip
    except SettingsError as exc:
        _problem(exc)
        return exit_codes.USAGE
    return args.run(settings, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Guidance Assistant: answers from UK social work AI guidance, with citations.",
    )
    parser.add_argument("--profile", type=Path, help="settings profile (TOML)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest", help="index the guidance corpus into the local store", **listed_in_help(
            (exit_codes.OK, "indexed, or nothing had changed"),
            (exit_codes.NOTHING_INGESTED, "not one file could be indexed"),
            (exit_codes.USAGE, "a wrong option or folder, another ingest running, an index problem"),
            (exit_codes.DOWNLOAD_FAILED, "--fetch: a document could not be downloaded (the files "
                                         "already in the corpus folder were indexed)"),
        ),
    )  # fmt: skip
    ingest.add_argument("--corpus", type=Path, help="folder of documents (default: corpus/)")
    ingest.add_argument("--db", type=Path, help="data folder for the index (default: ./data)")
    ingest.add_argument("--fetch", action="store_true", help="download the official documents first")
    ingest.add_argument("--rebuild", action="store_true", help="re-process every file")
    ingest.add_argument("--json", action="store_true", help="print one JSON object")
    ingest.set_defaults(run=_run_ingest)

    sources = commands.add_parser(
        "sources", help="list what the index holds", **listed_in_help(
            (exit_codes.OK, "listed"),
            (exit_codes.USAGE, "the index cannot be read (the message says what to run)"),
            exit_codes.NO_INDEX_MEANING,
        ),
    )  # fmt: skip
    sources.add_argument("--db", type=Path, help="data folder for the index (default: ./data)")
    sources.add_argument("--json", action="store_true", help="print one JSON object")
    sources.set_defaults(run=_run_sources)

    ask = commands.add_parser(
        "ask", help="answer a question from the guidance, with citations",
        description="Answer QUESTION; with no QUESTION, read one question per line from standard "
        "input and write one JSON object per line.",
        **listed_in_help(
            (exit_codes.OK, "answered (an answer may be that the guidance does not cover it)"),
            (exit_codes.USAGE, "an empty or too long question, an unknown --source, a wrong option, "
                               "an index that cannot be read"),
            exit_codes.NO_INDEX_MEANING,
        ),
    )  # fmt: skip
    ask.add_argument("question", nargs="?", help="the question (omit to read questions from stdin)")
    ask.add_argument("--db", type=Path, help="data folder for the index (default: ./data)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    ask.add_argument("--backend", choices=["extractive", "ollama", "llamacpp"], help="answer mode")
    ask.add_argument("--audience", choices=["practitioner", "educator", "policy"],
                     help="who is asking (educator: the guidance's own questions for discussion)")  # fmt: skip
    ask.add_argument("--k", type=int, help="passages to retrieve (default: 5)")
    ask.set_defaults(run=_run_ask)

    chat = commands.add_parser("chat", help="start the chat in the browser (Chainlit)")
    chat.add_argument("--host", help="address to listen on (default: 127.0.0.1, this machine only)")
    chat.add_argument("--port", type=int, help="port (default: 8000)")
    chat.add_argument("--db", type=Path, help="data folder for the index (default: ./data)")
    chat.add_argument("--no-login", action="store_true",
                      help="on another address, start without a users file (trusted network)")
    # SUPPRESS: a subcommand's default would overwrite `assistant --profile X chat`.
    chat.add_argument("--profile", type=Path, default=argparse.SUPPRESS, help="settings profile (TOML)")
    chat.set_defaults(run=_run_chat)

    chat_user = commands.add_parser("chat-user", help="manage the chat's log-ins")
    chat_user_commands = chat_user.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_user = chat_user_commands.add_parser(
        "add", help="add a user (or change their password)",
        description="Add NAME to the users file, asking for the password (or reading one line "
        "from standard input when it is not a terminal).",
    )  # fmt: skip
    add_user.add_argument("name")
    add_user.add_argument("--file", type=Path, help="users file (default: ASSISTANT_CHAT_USERS_FILE)")
    add_user.set_defaults(run=_run_chat_user_add)

    feedback = commands.add_parser("feedback", help="the chat's thumbs up/down")
    feedback_commands = feedback.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = feedback_commands.add_parser("export", help="write every rating as CSV")
    export.add_argument("--out", type=Path, help="CSV file to write (default: standard output)")
    export.add_argument("--db", type=Path, help="data folder (default: ./data)")
    export.set_defaults(run=_run_feedback_export)

    from assistant.review.command import EXIT_CODES as REVIEW_EXIT_CODES
    from assistant.review.command import add_arguments as review_arguments
    from assistant.review.command import run_review

    review = commands.add_parser(
        "review", help="answer a bank of questions into a pack to review and sign off (HTML, CSV, JSON)",
        description="Answer every question in QUESTIONS and write review.html, review.csv and "
        "review.json to --out; with --compare, what changed since an earlier review.",
        **REVIEW_EXIT_CODES,
    )  # fmt: skip
    review_arguments(review)
    review.set_defaults(run=run_review)

    # The harness reads its own options (evals/run.py), so that nothing of it is imported until
    # `assistant eval` runs: every other command works without the harness' extra installed.
    # "+" as the only option prefix hands every word after `eval` to it, options included.
    evaluate = commands.add_parser(
        "eval", help="measure answers against the evaluation cases, beside a baseline "
        "(`assistant eval --help` for its options)", add_help=False, prefix_chars="+",
    )  # fmt: skip
    evaluate.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


def _run_eval(args: argparse.Namespace) -> int:
    from evals.run import main as evaluate

    profile = ["--profile", str(args.profile)] if args.profile else []
    return evaluate(profile + args.arguments, prog="assistant eval")


# -- ingest ----------------------------------------------------------------------------------


def _run_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.core.embeddings import EmbedderUnavailable
    from assistant.adapters.factory import load_embedder, open_index
    from assistant.core.store import IndexProblem
    from ingest.manifest import ManifestError
    from ingest.pipeline import IngestBusy, run_ingest

    corpus = args.corpus or settings.corpus_dir
    if not corpus.is_dir():
        _err.print(f"[red]Corpus folder not found: {_shown(str(corpus))}[/red]")
        return exit_codes.USAGE
    downloads = []
    try:
        if args.fetch:
            downloads = _download_official(settings, corpus)
        with _progress_bar(enabled=not args.json) as progress:
            report = run_ingest(
                settings,
                load_embedder(settings),
                open_index(settings),
                corpus_dir=corpus,
                rebuild=args.rebuild,
                progress=progress,
            )
    except (IngestBusy, IndexProblem, EmbedderUnavailable, ManifestError) as exc:
        _problem(exc)
        return exit_codes.USAGE
    failed = [result for result in downloads if result.status != "fetched"]
    if args.json:
        downloaded = [asdict(result) for result in downloads]
        print(json.dumps({**report.to_json(), "downloads": downloaded}, ensure_ascii=False))
    else:
        _print_ingest(report)
        if failed:
            _out.print(f"[red]{len(failed)} of {len(downloads)} official document(s) could not be "
                       "downloaded (the reasons are above). Run the same command again once that "
                       "is put right.[/red]")  # fmt: skip
    if not report.anything_indexed:
        return exit_codes.NOTHING_INGESTED
    return exit_codes.DOWNLOAD_FAILED if failed else exit_codes.OK


def _download_official(settings: Settings, corpus: Path) -> list[FetchResult]:
    """`--fetch`: the official documents, downloaded into the corpus folder; one line each."""
    from ingest.fetch import fetch_official
    from ingest.manifest import load_manifest

    results = fetch_official(
        load_manifest(corpus).official, corpus, settings.fetch_timeout_s,
        int(settings.fetch_max_mb * 1e6),
    )  # fmt: skip
    for result in results:
        colour = "green" if result.status == "fetched" else "red"
        _err.print(f"[{colour}]{_shown(result.describe())}[/{colour}]", soft_wrap=True)
    return results


class _progress_bar:
    """Rich progress bars on stderr for the pipeline's (stage, done, total[, item]) callbacks: one
    bar a stage, with the file just read beside the files' bar."""

    _LABELS = {"load": "Loading the parser and models", "parse": "Reading files",
               "embed": "Embedding chunks"}  # fmt: skip

    def __init__(self, enabled: bool) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[item]}", style="dim"),
            console=_err, disable=not enabled or not _err.is_terminal, transient=True,
        )
        self._tasks: dict[str, int] = {}

    def __enter__(self):
        self._bar.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._bar.__exit__(*exc_info)

    def __call__(self, stage: str, done: int, total: int, item: str = "") -> None:
        if stage not in self._tasks:
            label = self._LABELS.get(stage, stage)
            self._tasks[stage] = self._bar.add_task(label, total=total, item="")
        self._bar.update(self._tasks[stage], completed=done, total=total, item=_shown(item))


def _print_ingest(report) -> None:
    table = Table(title="Ingest", show_lines=False)
    for column in ("file", "status", "chunks", "withheld", "reason"):
        table.add_column(column)
    colours = {"ingested": "green", "unchanged": "cyan", "skipped": "yellow", "failed": "red"}
    for item in report.files:
        status = f"[{colours[item.status]}]{item.status}[/]"
        withheld = f"[red]{item.withheld}[/]" if item.withheld else ""
        reasons = "; ".join(item.withheld_reasons)
        reason = "; ".join(part for part in (item.reason, f"withheld: {reasons}" if reasons else "") if part)
        table.add_row(_shown(item.path), status, str(item.chunks or ""), withheld, _shown(reason))
    _out.print(table)
    withheld = sum(item.withheld for item in report.files)
    if withheld:
        _out.print(
            f"[red]{withheld} sentence(s) addressed to an AI were found in the documents and not "
            "indexed: they are never quoted. Check where those files came from.[/red]"
        )
    totals = ", ".join(f"{count} {status}" for status, count in report.totals().items())
    generation = f"generation {report.generation}" if report.generation else "no index"
    _out.print(f"{totals}; {report.total_chunks} chunks in the index ({generation}); {report.seconds:.1f} s")
    if not report.anything_indexed:
        _out.print("[red]Nothing could be ingested: add readable documents to the corpus folder.[/red]")


# -- sources ---------------------------------------------------------------------------------


def _run_sources(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.core.library import design_coverage, manifest_entry, sources_in
    from assistant.core.store import IndexProblem, ingest_command
    from assistant.adapters.factory import open_live

    try:
        live = open_live(settings)
    except IndexProblem as exc:
        _problem(exc)
        return _index_exit_code(exc)
    sources, coverage = sources_in(live.info), design_coverage(live.info)
    if args.json:
        print(json.dumps({
            "generation": live.info.generation,
            "embedding_model": live.info.embedding_model,
            "sources": [
                {"id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date,
                 "kind": s.kind, "url": s.url, "path": s.path, "chunks": s.chunks,
                 "withheld": s.withheld, "in_manifest": s.in_manifest,
                 "covers": [{"document": c.document, "extent": c.extent} for c in s.covers]}
                for s in sources
            ],
            "design_documents": [
                {"id": c.id, "name": c.name, "status": c.status, "via": list(c.via)}
                for c in coverage
            ],
        }, ensure_ascii=False))
        return 0
    table = Table(title=f"Library (index generation {live.info.generation})")
    any_withheld = any(source.withheld for source in sources)  # a column only when it says something
    # The id is what `assistant ask --source` takes: never cut or wrapped, so it copies whole.
    table.add_column("id", no_wrap=True)
    for column in ("title", "publisher", "date", "chunks", *(["withheld"] if any_withheld else []), "carries"):
        table.add_column(column, overflow="fold")  # a narrow terminal wraps words, never hides them
    local = [source for source in sources if not source.in_manifest]
    for source in sources:
        carries = ", ".join(
            f"{cover.document} ({'EXCERPTS ONLY' if cover.extent == 'excerpts' else cover.extent})"
            for cover in source.covers
        )
        withheld = [f"[red]{source.withheld}[/]" if source.withheld else ""] if any_withheld else []
        title = _shown(source.title) + ("" if source.in_manifest else " [yellow](local document)[/]")
        table.add_row(_shown(source.id), title, _shown(source.publisher), _shown(source.date),
                      str(source.chunks), *withheld, carries)  # fmt: skip
    _print_whole(table)
    if local:
        use = {"label": "are used, and labelled \"local document, not one of the library's published "
                        "sources\" wherever an answer cites them",
               "include": "are used like the library's own sources (ASSISTANT_LOCAL_DOCUMENTS=include)",
               "exclude": "are not used (ASSISTANT_LOCAL_DOCUMENTS=exclude)"}[settings.local_documents]  # fmt: skip
        _out.print(
            f"[yellow]! {len(local)} local document(s): files in {_shown(str(settings.corpus_dir))} that "
            f"sources.toml does not list. They {use}. To make one a library source, add its record to "
            f"{_shown(str(settings.corpus_dir / 'sources.toml'))} with who published it, when and where, "
            f"then run: {_shown(ingest_command(settings))}[/yellow]"
        )
        for source in local:
            _out.print(_shown(manifest_entry(source)) + "\n", highlight=False)
    if any_withheld:
        _out.print("[red]! Sentences addressed to an AI were withheld from some documents (the "
                   "'withheld' column): they are not indexed and never quoted.[/red]")
    for document in coverage:
        if document.warning:
            _out.print(f"[yellow]! {document.warning}[/yellow]")
        else:
            _out.print(f"[green]✓ {document.name}: full text indexed.[/green]")
    return 0


def _index_exit_code(problem: Exception) -> int:
    """No index to read is its own exit code (the message names the command that builds it);
    any other problem with the index or the model is a usage error."""
    from assistant.core.store import IndexMissing

    return exit_codes.NO_INDEX if isinstance(problem, IndexMissing) else exit_codes.USAGE


def _print_whole(table: Table) -> None:
    """A table in a terminal is as wide as the terminal; into a pipe or a file, which have no
    width, as wide as it needs: Rich's 80 columns there would cut ids and words short."""
    from rich.measure import Measurement

    if _out.is_terminal:
        _out.print(table)
        return
    needed = Measurement.get(_out, _out.options.update_width(1000), table).maximum
    Console(width=max(needed, _out.width)).print(table)  # print() can narrow a console, not widen it


# -- ask -------------------------------------------------------------------------------------


def _run_ask(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.core.answer import QuestionEmpty, QuestionTooLong, UnknownSource, check_question
    from assistant.adapters.factory import open_assistant
    from assistant.core.embeddings import EmbedderUnavailable
    from assistant.core.store import IndexProblem

    if args.k is not None and not 1 <= args.k <= 20:
        _err.print("[red]--k must be between 1 and 20[/red]")
        return exit_codes.USAGE
    try:
        if args.question is not None:
            check_question(args.question, settings)  # before seconds of loading
        assistant = open_assistant(settings)
    except (IndexProblem, EmbedderUnavailable) as exc:
        _problem(exc)
        return _index_exit_code(exc)
    except (QuestionEmpty, QuestionTooLong) as exc:
        _problem(exc)
        return exit_codes.USAGE
    try:
        if args.question is None:  # batch: one JSON object per line, models loaded once
            for line in sys.stdin:
                try:
                    result = assistant.ask(line.strip(), source_ids=args.source, k=args.k).to_dict()
                except QuestionEmpty:  # a blank line, or one of invisible characters: skipped
                    continue
                except QuestionTooLong as exc:  # one bad line does not end the batch
                    result = {"error": str(exc)}
                print(json.dumps(result, ensure_ascii=False), flush=True)
            return 0
        answer = assistant.ask(args.question, source_ids=args.source, k=args.k)
    except (UnknownSource, QuestionTooLong) as exc:
        _problem(exc)
        return exit_codes.USAGE
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        _print_answer(answer)
    return 0


def _print_answer(answer) -> None:
    from rich.markdown import Markdown

    for notice in answer.notices:
        _out.print(f"[yellow]{_shown(notice)}[/yellow]\n")
    _out.print(Markdown(printable(answer.text)))
    if answer.citations:
        _out.print("\n[bold]References[/bold]")
    for citation in answer.citations:
        chunk = citation.passage.chunk
        where = ", ".join(part for part in (chunk.section, f"p. {chunk.page}" if chunk.page else "") if part)
        label = f" ({citation.label})" if citation.label else ""
        _out.print(printable(f"[{citation.n}] {chunk.title}{label}" + (f" — {where}" if where else "")), markup=False)
    if answer.removed:
        _out.print(f"\n[dim]{len(answer.removed)} sentence(s) of the model's answer failed the citation checks and were removed.[/dim]")


# -- chat ------------------------------------------------------------------------------------


def _run_chat(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.chat.launch import ChatProblem, start_chat

    try:
        start_chat(settings, args.host or settings.chat_host, args.port or settings.chat_port,
                   args.profile, no_login=args.no_login)  # fmt: skip
    except ChatProblem as exc:
        _problem(exc)
        return exit_codes.USAGE
    return 0  # not reached: start_chat becomes the server


def _run_chat_user_add(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    from assistant.chat.users import UsersFileError, add_user

    path = args.file or settings.chat_users_file
    if path is None:
        _err.print("[red]Name the users file: --file FILE, or ASSISTANT_CHAT_USERS_FILE.[/red]")
        return exit_codes.USAGE
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            _err.print("[red]The passwords differ.[/red]")
            return exit_codes.USAGE
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        add_user(path, args.name, password)
    except UsersFileError as exc:
        _problem(exc)
        return exit_codes.USAGE
    _err.print(f"{args.name} can log in to the chat (users file: {path}).")
    if not settings.chat_users_file:
        _err.print(f"The chat asks for a log-in once started with ASSISTANT_CHAT_USERS_FILE={path}")
    return 0


def _run_feedback_export(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.chat.feedback import FeedbackStore, feedback_path, write_csv

    rows = FeedbackStore(feedback_path(settings)).all()
    if args.out is None:
        write_csv(rows, sys.stdout)
    else:
        with args.out.open("w", encoding="utf-8", newline="") as out:
            write_csv(rows, out)
        _err.print(f"{len(rows)} ratings written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
