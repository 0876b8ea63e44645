"""Chainlit shows thumbs up/down only when a data layer is configured. This one stores feedback
in the local SQLite store and nothing else: no users, threads, steps or elements are kept, so
there is no chat history anywhere. Being configured, it also stops Chainlit from picking a data
layer of its own from DATABASE_URL or LITERAL_API_KEY.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from chainlit.data.base import BaseDataLayer
from chainlit.types import Feedback, PageInfo, PaginatedResponse, Pagination, ThreadFilter
from chainlit.user import PersistedUser, User

from assistant.feedback import Feedback as FeedbackRow
from assistant.feedback import FeedbackStore
from assistant.guard import redact

_REMEMBERED = 1000  # answers whose feedback can still be stored with their question and citations


@dataclass(frozen=True)
class Answered:
    """What the chat showed for one question, kept in memory so a rating can be stored with it."""

    message_id: str  # the answer's Chainlit message
    question: str  # redacted
    answer: str
    chunk_ids: tuple[str, ...]
    backend: str


class FeedbackOnlyDataLayer(BaseDataLayer):
    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self._answers: OrderedDict[str, Answered] = OrderedDict()

    def remember(self, run_id: str, answered: Answered) -> None:
        """Chainlit rates the run (the on_message step), not the message: key by the run's id."""
        self._answers[run_id] = answered
        while len(self._answers) > _REMEMBERED:
            self._answers.popitem(last=False)

    def answered(self, run_id: str) -> Answered | None:
        return self._answers.get(run_id)

    async def upsert_feedback(self, feedback: Feedback) -> str:
        answered = self._answers.get(feedback.forId)
        feedback.id = feedback.id or str(uuid4())  # on_feedback, called next, needs it
        self.store.save(
            FeedbackRow(
                id=feedback.id,
                timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
                message_id=answered.message_id if answered else feedback.forId,
                rating="up" if feedback.value == 1 else "down",
                # A comment is typed like a question: the same guard runs before it is stored.
                comment=redact(feedback.comment or "").text,
                backend=answered.backend if answered else "",
                question=answered.question if answered else "",
                answer=answered.answer if answered else "",
                cited_chunk_ids=answered.chunk_ids if answered else (),
            )
        )
        return feedback.id

    async def delete_feedback(self, feedback_id: str) -> bool:
        return self.store.delete(feedback_id)

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
