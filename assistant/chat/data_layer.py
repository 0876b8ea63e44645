"""Chainlit shows thumbs up/down only when a data layer is configured. This one stores feedback
in the local SQLite store and nothing else: no users, threads, steps or elements are kept, so
there is no chat history anywhere. Being configured, it also stops Chainlit from picking a data
layer of its own from DATABASE_URL or LITERAL_API_KEY.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chainlit.context import ChainlitContextException, context
from chainlit.data.base import BaseDataLayer
from chainlit.types import Feedback, PageInfo, PaginatedResponse, Pagination, ThreadFilter
from chainlit.user import PersistedUser, User

from assistant.chat.feedback import Feedback as FeedbackRow
from assistant.chat.feedback import FeedbackStore
from assistant.core.guard import redact

_REMEMBERED = 1000  # answers whose feedback can still be stored with their question and citations


class FeedbackRefused(Exception):
    """A rating that is not stored: see the subclasses."""


class NotYourAnswer(FeedbackRefused):
    """The rating does not come from the chat that received the answer (or the answer is not
    one this server gave, or has been forgotten)."""


class CommentTooLong(FeedbackRefused):
    """Refused before any work, like a question too long to be one."""

    def __init__(self, characters: int, limit: int) -> None:
        super().__init__(f"{characters} characters; at most {limit}")
        self.characters, self.limit = characters, limit


@dataclass(frozen=True)
class Answered:
    """What the chat showed for one question, kept in memory so a rating can be stored with it."""

    message_id: str  # the answer's Chainlit message
    question: str  # redacted
    answer: str
    chunk_ids: tuple[str, ...]
    backend: str
    session_id: str  # the chat that received it: the only one that may rate it


class FeedbackOnlyDataLayer(BaseDataLayer):
    """upsert_feedback and delete_feedback are called from the HTTP routes in routes.py, which
    put the requesting chat in Chainlit's context first: only that chat's answers can be rated.
    A rating's id is the rated run's: one rating per answer, and no client can name another
    rating to overwrite it."""

    def __init__(self, store: FeedbackStore, max_comment_chars: int = 2000) -> None:
        self.store = store
        self.max_comment_chars = max_comment_chars
        self._answers: OrderedDict[str, Answered] = OrderedDict()

    def remember(self, run_id: str, answered: Answered) -> None:
        """Chainlit rates the run (the on_message step), not the message: key by the run's id."""
        self._answers[run_id] = answered
        while len(self._answers) > _REMEMBERED:
            self._answers.popitem(last=False)

    def answered(self, run_id: str) -> Answered | None:
        return self._answers.get(run_id)

    def chat_of(self, feedback_id: str) -> str | None:
        """The chat session that may change this rating, while its answer is remembered."""
        answered = self._answers.get(feedback_id)
        return answered.session_id if answered else None

    async def upsert_feedback(self, feedback: Feedback) -> str:
        comment = feedback.comment or ""
        if len(comment) > self.max_comment_chars:  # before anything else is done with it
            raise CommentTooLong(len(comment), self.max_comment_chars)
        answered = self._own(feedback.forId)
        feedback.id = feedback.forId  # on_feedback, called next, needs it
        # A comment is typed like a question: the same guard runs before it is stored, in a
        # thread, as every guard run is: the event loop serves every chat.
        guarded = (await asyncio.to_thread(redact, comment)).text if comment else ""
        row = FeedbackRow(
            id=feedback.id,
            timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
            message_id=answered.message_id,
            rating="up" if feedback.value == 1 else "down",
            comment=guarded,
            backend=answered.backend,
            question=answered.question,
            answer=answered.answer,
            cited_chunk_ids=answered.chunk_ids,
        )
        await asyncio.to_thread(self.store.save, row)
        return feedback.id

    async def delete_feedback(self, feedback_id: str) -> bool:
        self._own(feedback_id)
        return await asyncio.to_thread(self.store.delete, feedback_id)

    def _own(self, run_id: str) -> Answered:
        """The answer, if the chat asking is the one that received it."""
        answered = self._answers.get(run_id)
        if answered is None or answered.session_id != _asking_chat():
            raise NotYourAnswer(run_id)
        return answered

    # Log-in works with a data layer present only if users "persist": they are made up, not kept.
    async def get_user(self, identifier: str) -> PersistedUser | None:
        return None

    async def create_user(self, user: User) -> PersistedUser | None:
        now = datetime.now(UTC).isoformat()
        return PersistedUser(
            id=user.identifier,
            identifier=user.identifier,
            display_name=user.display_name,
            metadata=user.metadata,
            createdAt=now,
        )

    # Everything else is chat history, which is not kept.
    async def create_element(self, element: Any) -> None:
        return None

    async def get_element(self, thread_id: str, element_id: str) -> None:
        return None

    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        return None

    async def create_step(self, step_dict: Any) -> None:
        return None

    async def update_step(self, step_dict: Any) -> None:
        return None

    async def delete_step(self, step_id: str) -> None:
        return None

    async def get_thread_author(self, thread_id: str) -> str:
        return ""

    async def delete_thread(self, thread_id: str) -> None:
        return None

    async def list_threads(
        self, pagination: Pagination, filters: ThreadFilter
    ) -> PaginatedResponse:
        return PaginatedResponse(
            pageInfo=PageInfo(hasNextPage=False, startCursor=None, endCursor=None), data=[]
        )

    async def get_thread(self, thread_id: str) -> None:
        return None

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict | None = None,
        tags: list[str] | None = None,
    ) -> None:
        return None

    async def build_debug_url(self) -> str:
        return ""

    async def close(self) -> None:
        return None

    async def get_favorite_steps(self, user_id: str) -> list:
        return []


def _asking_chat() -> str | None:
    """The chat session Chainlit's context names, if any."""
    try:
        return context.session.id
    except ChainlitContextException:
        return None
