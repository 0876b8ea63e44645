"""Chainlit's PUT and DELETE /feedback, put in front of its own (chainlit/server.py
update_feedback, delete_feedback): those store a rating for any message id from anyone, with no
chat at all. These take a rating only from a live chat of the user logged in (if log-in is on),
and put that chat in Chainlit's context before the data layer is called, which then checks that
the chat is the one that received the answer.
"""

from __future__ import annotations

import logging

from chainlit.config import config
from chainlit.context import init_ws_context
from chainlit.server import UserParam
from chainlit.session import WebsocketSession
from chainlit.types import DeleteFeedbackRequest, UpdateFeedbackRequest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from assistant.chat.data_layer import CommentTooLong, FeedbackOnlyDataLayer, FeedbackRefused
from assistant.core.prompts import PromptTemplate

SESSION_COOKIE = "X-Chainlit-Session-id"  # the page's chat, set before it opens its websocket
_log = logging.getLogger("assistant.chat")


def bind_feedback_to_chats(
    app: FastAPI, prefix: str, layer: FeedbackOnlyDataLayer, text: PromptTemplate
) -> None:
    """Route PUT and DELETE `prefix`/feedback to the handlers below, ahead of Chainlit's."""

    def enter(session: WebsocketSession | None, user: object) -> None:
        """Put the live chat named in Chainlit's context, if it belongs to the user logged in
        (to anyone, without log-in); else refuse the request."""
        identifier = getattr(user, "identifier", None)
        owner = getattr(session.user, "identifier", None) if session else None
        if session is None or (user is not None and owner != identifier):
            raise HTTPException(status_code=403, detail=text.render("rating_refused"))
        init_ws_context(session)

    async def rate(update: UpdateFeedbackRequest, current_user: UserParam) -> JSONResponse:
        enter(WebsocketSession.get_by_id(update.sessionId), current_user)
        try:
            feedback_id = await layer.upsert_feedback(update.feedback)
        except CommentTooLong as exc:
            detail = text.render(
                "comment_too_long", characters=f"{exc.characters:,}", limit=f"{exc.limit:,}"
            )
            raise HTTPException(status_code=400, detail=detail) from exc
        except FeedbackRefused as exc:
            raise HTTPException(status_code=403, detail=text.render("rating_refused")) from exc
        if config.code.on_feedback:
            try:
                await config.code.on_feedback(update.feedback)
            except Exception as exc:  # noqa: BLE001 (the rating is stored: the reply says so)
                _log.error("The feedback callback failed with %s", type(exc).__name__)
        return JSONResponse({"success": True, "feedbackId": feedback_id})

    async def unrate(
        request: Request, payload: DeleteFeedbackRequest, current_user: UserParam
    ) -> JSONResponse:
        rated_in = WebsocketSession.get_by_id(layer.chat_of(payload.feedbackId) or "")
        # The page names its chat in a cookie only (the body has just the rating's id). Tabs
        # share it, and over plain HTTP from another machine there is none (Chainlit marks it
        # Secure there): with log-in on, the user logged in to the rated chat will do.
        if current_user is None and rated_in and request.cookies.get(SESSION_COOKIE) != rated_in.id:
            rated_in = None
        enter(rated_in, current_user)
        try:
            await layer.delete_feedback(payload.feedbackId)
        except FeedbackRefused as exc:
            raise HTTPException(status_code=403, detail=text.render("rating_refused")) from exc
        return JSONResponse({"success": True})

    for endpoint, method in ((rate, "PUT"), (unrate, "DELETE")):
        app.add_api_route(
            f"{prefix}/feedback", endpoint, methods=[method], include_in_schema=False
        )
        app.router.routes.insert(0, app.router.routes.pop())  # routes match in order
