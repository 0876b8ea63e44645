"""`assistant ask` as a user runs it: a real process over the session's library."""

from __future__ import annotations

import json

import pytest

from assistant import exit_codes
from tests.support import run_cli

pytestmark = pytest.mark.slow

JSON_KEYS = {"question", "searched_for", "question_type", "subject", "answer", "abstained", "backend", "notices",
             "lead", "claims", "loosely_matched", "discussion", "lists", "citations", "passages", "personal_data", "removed",
             "timings_ms"}  # fmt: skip


def test_ask_json_has_the_documented_shape_and_no_personal_data(library_settings):
    result = run_cli("ask", "--db", str(library_settings.data_dir), "--json",
                     "Can I paste notes about Amira Khan (07700 900123) into ChatGPT?")  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == JSON_KEYS
    assert "Amira" not in result.stdout and "07700" not in result.stdout
    assert {d["type"] for d in answer["personal_data"]} == {"NAME", "PHONE"}
    assert set(answer["citations"][0]) == {"n", "chunk_id", "source_id", "title", "section", "page", "quote",
                                           "passage", "local_document", "label"}  # fmt: skip
    assert set(answer["passages"][0]) == {"rank", "chunk_id", "source_id", "title", "section", "page", "score", "text"}
    assert set(answer["timings_ms"]) >= {"guard", "retrieve", "generate", "verify", "total"}
    assert answer["question_type"] == "permission"
    assert set(answer["claims"][0]) == {"text", "part", "role", "item", "level", "citations"}
    assert answer["lead"] == answer["claims"][0] and answer["lead"]["part"] == "lead"


def test_ask_prints_the_answer_and_numbered_references(library_settings):
    result = run_cli("ask", "--db", str(library_settings.data_dir), "--k", "3",
                     "Do free AI tools use what I type to train their models?")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "In short:" in result.stdout and "References" in result.stdout
    assert "[1] Understanding the emerging use" in result.stdout


def test_ask_reads_questions_from_stdin_one_json_object_per_line(library_settings):
    questions = "Can I paste my case notes into ChatGPT?\n\nWhat is the capital of Peru?\n" + "x" * 3000 + "\n"
    result = run_cli("ask", "--db", str(library_settings.data_dir), input=questions)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["abstained"] for line in lines[:2]] == [False, True]
    assert "limited to" in lines[2]["error"]  # a bad line is reported, and the batch goes on


def test_ask_usage_errors(tmp_path, library_settings):
    no_index = run_cli("ask", "--db", str(tmp_path / "empty"), "A question?")
    assert no_index.returncode == 3 and "assistant ingest" in no_index.stderr
    unknown = run_cli("ask", "--db", str(library_settings.data_dir), "--source", "nope", "A question?")
    assert unknown.returncode == 2 and "Unknown source: nope" in unknown.stderr
    bad_k = run_cli("ask", "--db", str(library_settings.data_dir), "--k", "0", "A question?")
    assert bad_k.returncode == 2
    pasted = run_cli("ask", "--db", str(library_settings.data_dir), "Mrs Smith said " * 300)
    assert pasted.returncode == 2 and "limited to 2,000" in pasted.stderr
    assert "Mrs Smith" not in pasted.stderr  # the refusal does not echo what was pasted


@pytest.mark.parametrize("command", [["ask", "Can I paste case notes into ChatGPT?"], ["sources"]])
def test_a_missing_index_is_refused_and_nothing_is_created(tmp_path, command):
    """A mistyped --db: the message names the folder and the command that builds an index there,
    the exit code says so, and no folder or empty index is left behind."""
    missing = tmp_path / "not-there" / "x"
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (missing, empty):
        done = run_cli(*command, "--db", str(folder))
        said = " ".join(done.stderr.split())
        assert done.returncode == 3, done.stderr
        assert f"There is no index in {folder}." in said
        assert f"Build it with: assistant ingest --db {folder}" in said
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "not-there").exists()
    assert list(empty.iterdir()) == []


def test_the_sources_table_shows_the_ids_that_source_takes(library_settings):
    listed = run_cli("sources", "--db", str(library_settings.data_dir))
    assert listed.returncode == 0, listed.stderr
    as_json = json.loads(run_cli("sources", "--db", str(library_settings.data_dir), "--json").stdout)
    ids = [source["id"] for source in as_json["sources"]]
    header = next(line for line in listed.stdout.splitlines() if "title" in line)
    assert header.split()[1] == "id"  # the first column
    assert ids and all(source_id in listed.stdout for source_id in ids)  # whole, never cut short
    answered = run_cli("ask", "--db", str(library_settings.data_dir), "--json", "--source", ids[0],
                       "What does this document say about AI?")  # fmt: skip
    assert answered.returncode == 0, answered.stderr


EMPTY_AFTER_READING = [
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width characters pasted from Word or a web page
    " \t\u00a0\u2003 ",  # spaces of every kind
    "\x07\x1b\x7f",  # control characters
    "?!… --",  # punctuation
    "👍🙂",  # emoji
]


def test_input_that_is_empty_once_read_is_refused_like_an_empty_question(library_settings):
    data = str(library_settings.data_dir)
    empty = run_cli("ask", "--db", data, "")
    assert empty.returncode == 2 and "The question is empty." in empty.stderr
    for question in EMPTY_AFTER_READING:
        done = run_cli("ask", "--db", data, question)
        assert (done.returncode, done.stderr) == (empty.returncode, empty.stderr), repr(question)
    # In a batch, such a line is skipped like a blank one.
    batch = run_cli("ask", "--db", data, input="\n".join([*EMPTY_AFTER_READING, "Can I use Copilot?"]))
    assert batch.returncode == 0, batch.stderr
    assert [json.loads(line)["question"] for line in batch.stdout.splitlines()] == ["Can I use Copilot?"]


@pytest.mark.slow
def test_the_same_question_gets_the_same_answer_in_every_process(library_settings):
    """Python hashes strings differently in each process (PYTHONHASHSEED): nothing on the answer
    path may depend on a set's order. Two processes, two seeds, the same answers."""
    import os

    from evals.cases import load_cases

    questions = [" ".join(case.question.split()) for case in load_cases(["fast"])]
    answers = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = run_cli("ask", "--db", str(library_settings.data_dir), env=env, input="\n".join(questions) + "\n")
        assert done.returncode == 0, done.stderr
        answers.append([json.loads(line)["answer"] for line in done.stdout.splitlines()])
    assert len(answers[0]) == len(questions)
    differing = [q for q, a, b in zip(questions, *answers) if a != b]
    assert differing == [], differing


def test_eval_takes_the_harness_own_options_through_the_command_line(tmp_path):
    shown = run_cli("eval", "--help")
    assert shown.returncode == 0 and shown.stdout.startswith("usage: assistant eval")
    assert "--set NAME" in shown.stdout and "--no-baseline" in shown.stdout
    wrong = run_cli("--profile", str(tmp_path / "none.toml"), "eval", "--set", "no-such-set")
    assert wrong.returncode == exit_codes.USAGE and "Traceback" not in wrong.stderr
    assert "Profile file not found" in wrong.stderr
    unknown = run_cli("eval", "--set", "no-such-set", "--db", str(tmp_path / "data"))
    assert unknown.returncode == exit_codes.USAGE and "No case set 'no-such-set'" in unknown.stderr
    assert not (tmp_path / "data").exists()
