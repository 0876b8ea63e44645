"""Feedback: the SQLite store, the Chainlit data layer that fills it (and keeps nothing else), and
`assistant feedback export` as CSV, run as the real command."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sqlite3
from contextlib import closing

import pytest

from assistant.chat.feedback import Feedback, FeedbackStore, write_csv
from tests.support import run_cli


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


def _in_chat(session_id: str | None) -> None:
    """What Chainlit's request handling sets before the data layer is called: the chat asking."""
    from chainlit.context import ChainlitContext, context_var
    from chainlit.session import HTTPSession

    if session_id is not None:
        context_var.set(ChainlitContext(HTTPSession(id=session_id, client_type="webapp")))


def test_data_layer_stores_feedback_with_the_answer_and_nothing_else(tmp_path):
    from chainlit.types import Feedback as ChainlitFeedback
    from chainlit.user import User

    from assistant.chat.data_layer import Answered, FeedbackOnlyDataLayer

    layer = FeedbackOnlyDataLayer(FeedbackStore(tmp_path / "feedback.sqlite3"))
    layer.remember(
        "run-1",
        Answered("msg-1", "Can [name] use it?", "An answer [1]", ("c9",), "ollama", "chat-a"),
    )

    async def scenario() -> None:
        _in_chat("chat-a")
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
        assert await layer.delete_feedback(feedback_id) and layer.store.all() == []

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


@pytest.mark.parametrize("chat", [None, "chat-b"])
def test_only_the_chat_that_received_an_answer_can_rate_it(tmp_path, chat):
    """Chainlit's HTTP route would store a rating for any id, from anyone, with no chat at all."""
    from chainlit.types import Feedback as ChainlitFeedback

    from assistant.chat.data_layer import Answered, FeedbackOnlyDataLayer, FeedbackRefused

    layer = FeedbackOnlyDataLayer(FeedbackStore(tmp_path / "feedback.sqlite3"))
    layer.remember("run-1", Answered("msg-1", "Q", "A [1]", ("c1",), "extractive", "chat-a"))

    async def as_owner() -> str:
        _in_chat("chat-a")
        # An id the client picks is not used: it could be another rating's.
        return await layer.upsert_feedback(ChainlitFeedback(forId="run-1", value=1, id="theirs"))

    async def as_another() -> None:
        _in_chat(chat)
        for attempt in (
            layer.upsert_feedback(ChainlitFeedback(forId="run-1", value=0, comment="spam")),
            layer.upsert_feedback(ChainlitFeedback(forId="never-answered", value=0)),
            layer.delete_feedback(feedback_id),
        ):
            with pytest.raises(FeedbackRefused):
                await attempt
        assert layer.chat_of(feedback_id) == "chat-a"

    feedback_id = asyncio.run(as_owner())
    assert feedback_id != "theirs"
    asyncio.run(as_another())
    (row,) = layer.store.all()
    assert (row.id, row.rating, row.comment) == (feedback_id, "up", "")


def test_a_long_comment_is_refused_before_it_is_guarded(tmp_path, monkeypatch):
    from chainlit.types import Feedback as ChainlitFeedback

    from assistant.chat import data_layer
    from assistant.chat.data_layer import Answered, CommentTooLong, FeedbackOnlyDataLayer

    guarded = []
    monkeypatch.setattr(data_layer, "redact", lambda text, *a: guarded.append(text))
    layer = FeedbackOnlyDataLayer(FeedbackStore(tmp_path / "feedback.sqlite3"), 2000)
    layer.remember("run-1", Answered("msg-1", "Q", "A [1]", ("c1",), "extractive", "chat-a"))

    async def scenario() -> None:
        _in_chat("chat-a")
        with pytest.raises(CommentTooLong) as refused:
            await layer.upsert_feedback(ChainlitFeedback(forId="run-1", value=0, comment="x" * 2001))
        assert refused.value.characters == 2001

    asyncio.run(scenario())
    assert guarded == [] and layer.store.all() == []


def test_the_feedback_file_is_readable_by_its_owner_only(tmp_path):
    previous = os.umask(0o022)  # the usual umask: files are made readable by everyone
    try:
        store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
        store.save(_row())
        assert store.path.stat().st_mode & 0o777 == 0o600
        # SQLite makes its journal while a change is written: the database file's mode is kept.
        with closing(sqlite3.connect(store.path)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE feedback SET comment = 'x'")
            journal = store.path.with_name(store.path.name + "-journal")
            assert journal.stat().st_mode & 0o777 == 0o600
            db.rollback()
        # A file left readable by an earlier version is made private when next opened.
        older = FeedbackStore(tmp_path / "older.sqlite3")
        older.save(_row())
        older.path.chmod(0o644)
        assert older.all() and older.path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(previous)


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
