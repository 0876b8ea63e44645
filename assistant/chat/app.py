"""The Chainlit chat: maps Chainlit's events to the one answer path (Assistant.ask) and its results
back to messages. No answer logic lives here.

Started by `assistant chat` (launch.py) as `python -m chainlit run assistant/chat/app.py`; the
settings come from ASSISTANT_* variables as at every entry point. Never logs a question.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
import traceback
from datetime import datetime
from typing import Any

import chainlit as cl
import chainlit.server
from chainlit.config import config as chainlit_config
from chainlit.input_widget import MultiSelect, Select, Switch, TextInput

from assistant.core.answer import Answer, Assistant, QuestionEmpty, QuestionTooLong, UnknownSource
from assistant.chat.adapter import (
    AUDIENCES,
    RateLimit,
    SharedAssistant,
    answer_mode,
    conversation_handout,
    data_url,
    echo,
    render_answer,
    render_library,
    starters,
    valid_choices,
    without_external_links,
)
from assistant.chat.data_layer import Answered, FeedbackOnlyDataLayer
from assistant.chat.edge import client_address, guard_edge
from assistant.chat.routes import bind_feedback_to_chats
from assistant.chat.users import LogIns
from assistant.core.embeddings import EmbedderUnavailable
from assistant.chat.feedback import REASONS, FeedbackStore, feedback_path
from assistant.core.llm import GenerationCancelled
from assistant.adapters.offline import enforce_offline
from assistant.core.prompts import load_template
from assistant.settings import load_settings
from assistant.core.store import IndexInfo, IndexProblem

enforce_offline()
SETTINGS = load_settings()
TEXT = load_template("chat.v1.md")
SHARED = SharedAssistant(SETTINGS)
DATA_LAYER = FeedbackOnlyDataLayer(
    FeedbackStore(feedback_path(SETTINGS)), SETTINGS.chat_max_comment_chars
)
LIBRARY_COMMAND = TEXT.render("library_command")
_HISTORY = 20  # earlier questions kept per chat, for follow-ups
_EXPLAINED = (IndexProblem, EmbedderUnavailable, QuestionEmpty, QuestionTooLong, UnknownSource)
_log = logging.getLogger("assistant.chat")

# Two changes to Chainlit's server, made here because its configuration has no switch for them:
# the page must not fetch fonts or CSS from the internet, and engine.io's same-origin check on
# the websocket, which Chainlit turns off, goes back on (another site open in the browser must
# not be able to talk to the chat).
_chainlit_page = chainlit.server.get_html_template
chainlit.server.get_html_template = lambda root_path: without_external_links(
    _chainlit_page(root_path)
)
chainlit.server.sio.eio.cors_allowed_origins = None
# Before Chainlit sees a request: the Host must be this chat's, no API documentation, bodies
# bounded (edge.py); ratings only from the chat that got the answer (routes.py).
guard_edge(
    chainlit.server.app,
    listening_on=chainlit_config.run.host,
    names=SETTINGS.chat_allowed_hosts,
    socket_path=chainlit.server.SOCKET_IO_PATH,
    unknown_host=TEXT.render("unknown_host"),
    too_large=TEXT.render("too_large", limit=f"{SETTINGS.chat_max_comment_chars:,}"),
)
bind_feedback_to_chats(chainlit.server.app, chainlit.server.router.prefix, DATA_LAYER, TEXT)


@cl.data_layer
def _data_layer() -> FeedbackOnlyDataLayer:
    return DATA_LAYER


@cl.on_app_startup
async def open_the_library() -> None:
    """The index and the models are loaded before the first chat, not during it: loading holds
    the interpreter for moments at a time, which would stall every chat already open. A library
    that cannot be opened yet is not an error here: each chat says what to run."""
    try:
        await asyncio.to_thread(SHARED.open)
    except Exception as exc:  # noqa: BLE001 (each chat reports it in plain English)
        _log.warning("The library is not open yet: %s", exc)


if SETTINGS.chat_users_file:
    log_ins = LogIns(SETTINGS.chat_users_file)

    @cl.password_auth_callback
    async def log_in(username: str, password: str) -> cl.User | None:
        ok = await log_ins.check(username, password, client=client_address())
        return cl.User(identifier=username, metadata={"provider": "credentials"}) if ok else None


@cl.set_starters
async def set_starters(
    user: cl.User | None = None, language: str | None = None
) -> list[cl.Starter]:
    return [cl.Starter(label=s.label, message=s.message) for s in starters(TEXT)]


@cl.on_chat_start
async def start() -> None:
    cl.user_session.set("history", [])
    cl.user_session.set("exports", {})
    cl.user_session.set("answers", [])  # this conversation's answers, for its handout
    cl.user_session.set("reason_actions", {})
    cl.user_session.set("rate_limit", RateLimit(SETTINGS.chat_questions_per_minute))
    try:
        assistant, info = await asyncio.to_thread(SHARED.open)
    except Exception as exc:  # noqa: BLE001 (reported in plain English)
        await _report(exc)
        return
    await cl.ChatSettings(_settings_widgets(assistant, info)).send()


@cl.on_settings_update
async def settings_changed(_changed: dict[str, Any]) -> None:
    """Chainlit keeps whatever a client sends as settings: only what the panel can send stays."""
    chosen = cl.user_session.get("chat_settings")
    if isinstance(chosen, dict):
        try:
            _, info = await asyncio.to_thread(SHARED.open)
            known = info.sources
        except (IndexProblem, EmbedderUnavailable):  # the next question says what to run
            known = {}
        kept = valid_choices(chosen, known)
        chosen.clear()
        chosen.update(kept)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    question = message.content if isinstance(message.content, str) else ""
    # The user's bubble shows what the assistant keeps, never what was typed (names, NHS numbers).
    # echo() refuses a pasted document before any work; the guard runs in a thread: the event
    # loop serves every chat.
    message.content = await asyncio.to_thread(echo, question, SETTINGS.max_question_chars, TEXT)
    await message.update()
    run = cl.context.current_run
    if run is not None:
        run.input = message.content  # Chainlit copied the raw text into its run step
    wait = cl.user_session.get("rate_limit").wait(time.monotonic())
    if wait:
        await cl.Message(content=TEXT.render("rate_limited", seconds=f"{wait:.0f}")).send()
        return
    try:
        if question.strip().lower() == LIBRARY_COMMAND:
            _, info = await asyncio.to_thread(SHARED.open)
            library = cl.Message(content=render_library(info, TEXT))
            # Outside the question's run: Chainlit offers ratings only on a run's messages, and
            # there is no answer here to rate.
            library.parent_id = None
            await library.send()
        else:
            await _answer(question, message, run.id if run else None)
    except Exception as exc:  # noqa: BLE001 (reported in plain English)
        await _report(exc)


async def _report(exc: Exception) -> None:
    """Never a stack trace in the chat. Our own errors are written for the reader (what to run,
    e.g. `assistant ingest`); anything else is logged by type and place only: its message could
    quote the question."""
    if isinstance(exc, _EXPLAINED):
        await cl.Message(content=str(exc)).send()
        return
    trace = "".join(traceback.format_tb(exc.__traceback__))
    _log.error("Answering failed with %s:\n%s", type(exc).__name__, trace)
    await cl.Message(content=TEXT.render("failure")).send()


async def _answer(question: str, message: cl.Message, run_id: str | None) -> None:
    _, info = await asyncio.to_thread(SHARED.open)
    # Chainlit merges every change into these; a client could have sent anything.
    chosen = valid_choices(cl.user_session.get("chat_settings") or {}, info.sources)
    assistant = await asyncio.to_thread(SHARED.for_audience, chosen["audience"])
    history: list[str] = cl.user_session.get("history") or []
    answer = await _ask(assistant, question, history, chosen["sources"] or None)  # none: all
    if message.content != answer.question:
        message.content = answer.question
        await message.update()
    cl.user_session.set("history", (history + [answer.searched_for])[-_HISTORY:])

    rendered = render_answer(answer, info.sources, TEXT)
    # The passages under their own answer, collapsed, or open in large type when presenting
    # (why not side panels: adapter.py).
    props = rendered.passages(TEXT.render("passages_title"), presenting=chosen["presenting"])
    shown = rendered.panels or chosen["presenting"]
    passages = [cl.CustomElement(name="Passages", props=props, display="inline")] if shown else []
    actions = [
        cl.Action(name="export_markdown", payload={}, label=TEXT.render("export_action"), icon="download"),
        cl.Action(name="export_conversation", payload={}, label=TEXT.render("conversation_action"), icon="book-open"),
    ]  # fmt: skip
    reply = await cl.Message(content=rendered.content, elements=passages, actions=actions).send()
    cl.user_session.get("exports")[reply.id] = rendered.export
    cl.user_session.get("answers").append(answer)
    if run_id:
        chunk_ids = tuple(c.passage.chunk.id for c in answer.citations)
        answered = Answered(
            reply.id, answer.question, answer.text, chunk_ids, answer.backend, cl.context.session.id
        )
        DATA_LAYER.remember(run_id, answered)


async def _ask(
    assistant: Assistant, question: str, history: list[str], sources: list[str] | None
) -> Answer:
    """Extractive answers come at once. A model's draft is never shown as it streams: it has not
    been checked yet (assistant/core/verify.py). A step shows progress instead."""
    ask = functools.partial(assistant.ask, question, history=history, source_ids=sources)
    if assistant.llm is None:
        return await asyncio.to_thread(ask)
    pieces = [0]
    stopped = threading.Event()

    def on_token(_piece: str) -> None:
        # The stop button cancels this coroutine, not the thread the model runs in: raising here
        # ends the generation, and closes its connection, at the next token.
        if stopped.is_set():
            raise GenerationCancelled
        pieces[0] += 1

    async with cl.Step(name=TEXT.render("progress_step"), type="tool", show_input=False) as step:
        task = asyncio.ensure_future(asyncio.to_thread(ask, on_token=on_token))
        try:
            while not task.done():
                await asyncio.wait({task}, timeout=1.0)
                if pieces[0] and not task.done():
                    step.output = TEXT.render("progress", pieces=pieces[0])
                    await step.update()
        except asyncio.CancelledError:
            stopped.set()
            task.add_done_callback(_ended_after_stop)
            raise
        # Set here, not by an exception leaving the step: Chainlit would show its text.
        step.output = TEXT.render("progress_failed" if task.exception() else "progress_done")
    return task.result()


def _ended_after_stop(task: asyncio.Future) -> None:
    """Collect the outcome of an answer nobody waits for any more (GenerationCancelled, or an
    answer that finished first), so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()


@cl.action_callback("export_markdown")
async def export_markdown(action: cl.Action) -> None:
    markdown = (cl.user_session.get("exports") or {}).get(action.forId)
    if markdown is None:
        return
    name = TEXT.render("export_file", stamp=datetime.now().strftime("%Y-%m-%d-%H%M"))
    await cl.File(
        name=name, url=data_url(markdown, "text/markdown"), mime="text/markdown", display="inline"
    ).send(for_id=action.forId)
    await action.remove()


@cl.action_callback("export_conversation")
async def export_conversation(action: cl.Action) -> None:
    """The whole conversation so far, as a Markdown file and a self-contained HTML handout."""
    answers = cl.user_session.get("answers") or []
    if not answers:
        return
    _, info = await asyncio.to_thread(SHARED.open)
    markdown, handout = conversation_handout(answers, info.sources, TEXT)
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M")
    files = [
        cl.File(name=TEXT.render("conversation_file", stamp=stamp, suffix="md"),
                url=data_url(markdown, "text/markdown"), mime="text/markdown", display="inline"),
        cl.File(name=TEXT.render("conversation_file", stamp=stamp, suffix="html"),
                url=data_url(handout, "text/html"), mime="text/html", display="inline"),
    ]  # fmt: skip
    for file in files:
        await file.send(for_id=action.forId)


@cl.on_feedback
async def feedback_given(feedback: Any) -> None:
    """After a thumbs-down, offer the reasons as buttons under the answer."""
    offered: dict[str, list[cl.Action]] = cl.user_session.get("reason_actions") or {}
    for action in offered.pop(feedback.id, []):
        await action.remove()
    answered = DATA_LAYER.answered(feedback.forId)
    if feedback.value == 0 and answered and feedback.id:
        actions = [
            cl.Action(
                name="feedback_reason",
                label=reason.capitalize(),
                payload={"feedback_id": feedback.id, "reason": reason},
            )
            for reason in REASONS
        ]
        for action in actions:
            await action.send(for_id=answered.message_id)
        offered[feedback.id] = actions
    cl.user_session.set("reason_actions", offered)


@cl.action_callback("feedback_reason")
async def reason_given(action: cl.Action) -> None:
    """Only a reason this chat was offered (an action's payload is whatever the client sends)."""
    feedback_id, reason = action.payload.get("feedback_id"), action.payload.get("reason")
    offered = cl.user_session.get("reason_actions") or {}
    ours = isinstance(feedback_id, str) and feedback_id in offered
    recorded = (
        ours
        and reason in REASONS
        and await asyncio.to_thread(DATA_LAYER.store.set_reason, feedback_id, reason)
    )
    note = (
        TEXT.render("feedback_thanks", reason=reason) if recorded else TEXT.render("feedback_gone")
    )
    await cl.context.emitter.send_toast(note, "success" if recorded else "info")
    for action_offered in offered.pop(feedback_id, []) if ours else []:
        await action_offered.remove()


def _settings_widgets(assistant: Assistant, info: IndexInfo) -> list[Any]:
    searchable = sorted((s for s in info.sources.values() if s.chunks), key=lambda s: s.title)
    mode = answer_mode(SETTINGS, TEXT)
    audiences = {TEXT.render(f"audience_{audience}"): audience for audience in AUDIENCES}
    return [
        TextInput(id="mode", label=TEXT.render("mode_label"), initial=mode, disabled=True),
        MultiSelect(
            id="sources",
            label=TEXT.render("sources_label"),
            items={source.title: source.id for source in searchable},
            initial=[],
            description=TEXT.render("sources_description"),
        ),
        Select(
            id="audience",
            label=TEXT.render("audience_label"),
            items=audiences,
            initial_value=assistant.settings.audience,
            description=TEXT.render("audience_description"),
        ),
        Switch(
            id="presenting",
            label=TEXT.render("presenting_label"),
            initial=False,
            description=TEXT.render("presenting_description"),
        ),
    ]
