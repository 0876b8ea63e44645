"""Feedback on the chat's answers: a small SQLite file beside the index, exported as CSV.

A row holds what a reviewer needs to act on a rating: the question as the assistant kept it
(personal data already replaced by placeholders), the answer as shown, the chunks it cited and the
backend that wrote it. Nothing here ever leaves the machine.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from assistant.settings import Settings

REASONS = ("wrong citation", "outdated", "missing", "unclear", "other")
COLUMNS = (
    "timestamp",
    "message_id",
    "rating",
    "reason",
    "comment",
    "backend",
    "question",
    "answer",
    "cited_chunk_ids",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    timestamp TEXT NOT NULL,
    message_id TEXT NOT NULL,
    rating TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    backend TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    cited_chunk_ids TEXT NOT NULL DEFAULT ''
)
"""


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer. `rating` is "up" or "down"; `reason` one of REASONS or ""."""

    id: str
    timestamp: str  # ISO 8601, UTC
    message_id: str
    rating: str
    reason: str = ""
    comment: str = ""
    backend: str = ""
    question: str = ""  # redacted
    answer: str = ""
    cited_chunk_ids: tuple[str, ...] = ()


def feedback_path(settings: Settings) -> Path:
    return settings.feedback_db or settings.data_dir / "feedback.sqlite3"


class FeedbackStore:
    """Feedback rows in one SQLite file, created on first write, readable by its owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, item: Feedback) -> None:
        """Insert, or update a rating the user changed (a reason stays only if the rating did)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Made here, before SQLite opens it, so that it is never readable by others; SQLite gives
        # its journal files the database file's mode.
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)
            db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO "
                "UPDATE SET timestamp = excluded.timestamp, comment = excluded.comment, "
                "reason = CASE WHEN rating = excluded.rating THEN reason ELSE excluded.reason END, "
                "rating = excluded.rating",
                (
                    item.id,
                    item.timestamp,
                    item.message_id,
                    item.rating,
                    item.reason,
                    item.comment,
                    item.backend,
                    item.question,
                    item.answer,
                    " ".join(item.cited_chunk_ids),
                ),
            )

    def set_reason(self, feedback_id: str, reason: str) -> bool:
        """Record why an answer was rated down; False if there is no such thumbs-down."""
        if reason not in REASONS:
            raise ValueError(f"Unknown reason: {reason}")
        sql = "UPDATE feedback SET reason = ? WHERE id = ? AND rating = 'down'"
        return self._change(sql, (reason, feedback_id)) == 1

    def delete(self, feedback_id: str) -> bool:
        return self._change("DELETE FROM feedback WHERE id = ?", (feedback_id,)) == 1

    def all(self) -> list[Feedback]:
        """Every row, oldest first; none (and no file created) before the first rating."""
        if not self.path.is_file():
            return []
        with closing(self._connect()) as db:
            db.execute(_SCHEMA)
            rows = db.execute(
                "SELECT id, timestamp, message_id, rating, reason, comment, backend, question, "
                "answer, cited_chunk_ids FROM feedback ORDER BY timestamp, rowid"
            ).fetchall()
        return [Feedback(*row[:9], tuple(row[9].split())) for row in rows]

    def _change(self, sql: str, parameters: tuple[str, ...]) -> int:
        """Rows changed; readers and updaters never create the file."""
        if not self.path.is_file():
            return 0
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)
            return db.execute(sql, parameters).rowcount

    def _connect(self) -> sqlite3.Connection:
        """Open the file (it exists); one an earlier version left readable by others is made
        private first."""
        if self.path.stat().st_mode & 0o077:
            self.path.chmod(0o600)
        return sqlite3.connect(self.path)


def write_csv(rows: Iterable[Feedback], out: TextIO) -> None:
    """One line per rating, with a header. Cells a spreadsheet would run as a formula (starting
    with =, +, - or @, and an answer's list often starts with "-") get a leading apostrophe."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        cells = (
            row.timestamp,
            row.message_id,
            row.rating,
            row.reason,
            row.comment,
            row.backend,
            row.question,
            row.answer,
            " ".join(row.cited_chunk_ids),
        )
        writer.writerow([_inert(cell) for cell in cells])


def _inert(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
