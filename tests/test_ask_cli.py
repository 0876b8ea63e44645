"""`assistant ask` as a user runs it: a real process over the session's library."""

from __future__ import annotations

import json

import pytest

from tests.test_ingest import run_cli

pytestmark = pytest.mark.slow

JSON_KEYS = {"question", "searched_for", "question_type", "answer", "abstained", "backend", "notices",
             "lead", "claims", "lists", "citations", "passages", "personal_data", "removed",
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
    assert set(answer["claims"][0]) == {"text", "part", "role", "item", "citations"}
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
    assert no_index.returncode == 2 and "assistant ingest" in no_index.stderr
    unknown = run_cli("ask", "--db", str(library_settings.data_dir), "--source", "nope", "A question?")
    assert unknown.returncode == 2 and "Unknown source: nope" in unknown.stderr
    bad_k = run_cli("ask", "--db", str(library_settings.data_dir), "--k", "0", "A question?")
    assert bad_k.returncode == 2
    pasted = run_cli("ask", "--db", str(library_settings.data_dir), "Mrs Smith said " * 300)
    assert pasted.returncode == 2 and "limited to 2,000" in pasted.stderr
    assert "Mrs Smith" not in pasted.stderr  # the refusal does not echo what was pasted
