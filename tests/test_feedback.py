"""Feedback: the SQLite store, the Chainlit data layer that fills it (and keeps nothing else), and
`assistant feedback export` as CSV, run as the real command."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3

import pytest

from assistant.feedback import Feedback, FeedbackStore, write_csv
from tests.test_ingest import run_cli


def _row(id: str = "f1", rating: str = "down", **changes) -> Feedback:
    fields = {
        "id": id,
        "timestamp": "2026-01-02T03:04:05+00:00",
        "message_id": "m1",
        "rating": rating,
        "comment": "",
        "backend": "extractive",
        "question": "Can I use [name]'s notes?",
        "answer": "- “Quote.” [1]",
        "cited_chunk_ids": ("c1", "c2"),
    }
    return Feedback(**{**fields, **changes})


def test_store_round_trip_reason_update_and_delete(tmp_path):
    store = FeedbackStore(tmp_path / "deep" / "feedback.sqlite3")
    assert store.all() == [] and not store.path.exists()  # reading creates nothing
    assert not store.set_reason("f1", "outdated") and not store.delete("f1")

    store.save(_row())
    assert store.set_reason("f1", "outdated")
    assert store.all() == [_row(reason="outdated")]

    store.save(_row(comment="edited"))  # the same rating edited: the reason stays
    assert store.all()[0].reason == "outdated" and store.all()[0].comment == "edited"
    store.save(_row(rating="up"))  # the rating changed: the old reason no longer applies
    assert store.all()[0].reason == ""
    assert not store.set_reason("f1", "unclear")  # reasons belong to thumbs-down only
    with pytest.raises(ValueError):
        store.set_reason("f1", "because")

    assert store.delete("f1") and store.all() == []


def test_csv_has_a_header_and_defuses_spreadsheet_formulas():
    out = io.StringIO()
    write_csv([_row(comment='=HYPERLINK("http://x")', reason="missing")], out)
    header, line = list(csv.reader(io.StringIO(out.getvalue())))
    assert header[:4] == ["timestamp", "message_id", "rating", "reason"]
    record = dict(zip(header, line))
    assert record["comment"] == '\'=HYPERLINK("http://x")'
    assert record["answer"] == "'- “Quote.” [1]"  # an answer's list starts with "-"
    assert record["cited_chunk_ids"] == "c1 c2" and record["rating"] == "down"


def test_data_layer_stores_feedback_with_the_answer_and_nothing_else(tmp_path):
    from chainlit.types import Feedback as ChainlitFeedback
    from chainlit.user import User

    from assistant.chat.data_layer import Answered, FeedbackOnlyDataLayer

    layer = FeedbackOnlyDataLayer(FeedbackStore(tmp_path / "feedback.sqlite3"))
    layer.remember(
        "run-1", Answered("msg-1", "Can [name] use it?", "An answer [1]", ("c9",), "ollama")
    )

    async def scenario() -> None:
        rated = ChainlitFeedback(forId="run-1", value=0, comment="Mrs Smith said it is out of date")
        feedback_id = await layer.upsert_feedback(rated)
        assert rated.id == feedback_id  # on_feedback, called next, offers reasons for this id
        (row,) = layer.store.all()
        assert (row.message_id, row.rating, row.question, row.cited_chunk_ids, row.backend) == (
            "msg-1",
            "down",
            "Can [name] use it?",
            ("c9",),
            "ollama",
        )
        assert "Smith" not in row.comment and "[name]" in row.comment  # comments are guarded too

        unknown = await layer.upsert_feedback(ChainlitFeedback(forId="run-x", value=1))
        assert layer.store.all()[1].message_id == "run-x" and layer.store.all()[1].rating == "up"
        assert await layer.delete_feedback(unknown)

        # Chat history goes nowhere: these are accepted and forgotten.
        await layer.create_step({"id": "s", "output": "Mrs Smith"})
        await layer.update_thread("t", name="Mrs Smith")
        assert await layer.get_thread("t") is None
        assert (await layer.list_threads(None, None)).data == []
        user = await layer.create_user(User(identifier="sam"))
        assert user.identifier == "sam" and await layer.get_user("sam") is None

    asyncio.run(scenario())
    with sqlite3.connect(tmp_path / "feedback.sqlite3") as db:
        assert [name for (name,) in db.execute("SELECT name FROM sqlite_master")] == [
            "feedback",
            "sqlite_autoindex_feedback_1",
        ]


def test_feedback_export_command_writes_csv(tmp_path):
    data = tmp_path / "data"
    FeedbackStore(data / "feedback.sqlite3").save(_row(reason="wrong citation"))

    to_stdout = run_cli("feedback", "export", "--db", str(data))
    assert to_stdout.returncode == 0, to_stdout.stderr
    rows = list(csv.DictReader(io.StringIO(to_stdout.stdout)))
    assert [(r["rating"], r["reason"], r["question"]) for r in rows] == [
        ("down", "wrong citation", "Can I use [name]'s notes?")
    ]

    out = tmp_path / "ratings.csv"
    to_file = run_cli("feedback", "export", "--db", str(data), "--out", str(out))
    assert to_file.returncode == 0 and "1 ratings written" in to_file.stderr
    assert out.read_text(encoding="utf-8") == to_stdout.stdout

    empty = run_cli("feedback", "export", "--db", str(tmp_path / "none"))
    assert empty.returncode == 0 and empty.stdout.startswith("timestamp,message_id,rating")
    assert not (tmp_path / "none").exists()
