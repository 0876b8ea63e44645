"""Concurrency: 20 chats at once on a real `assistant chat` server for 60 seconds, through the
socket.io protocol the page uses; a 100,000-character message in the middle of it; and the
per-chat rate limit. Prints the figures."""

from __future__ import annotations

import asyncio
import statistics
import time

import pytest

from evals.cases import load_cases
from evals.metrics import percentile
from tests.support import ChatClient, ChatServer

pytestmark = pytest.mark.slow

SESSIONS = 20
SECONDS = 60
PAUSE_S = 4.0  # between one chat's questions: 15 a minute, under the default limit of 20
QUESTIONS = [case.question for case in load_cases(["dev"])]
FAILURE = "Something went wrong"  # prompts/chat.v1.md, failure


async def one_chat(url: str, number: int, until: float, latencies: list, errors: list) -> None:
    client = ChatClient(url)
    await client.connect()
    await client.wait_for("chat_settings")
    asked = number
    while time.monotonic() < until:
        question = QUESTIONS[asked % len(QUESTIONS)]
        asked += 1
        started = time.monotonic()
        try:
            _, start = await client.ask(question)
            replies = client.after(start, "new_message", type="assistant_message")
            if not answered(replies):
                errors.append((number, question, [r["output"][:80] for r in replies]))
            latencies.append((started, time.monotonic() - started))
        except Exception as exc:  # noqa: BLE001 (counted, the load goes on)
            errors.append((number, question, repr(exc)))
        await asyncio.sleep(PAUSE_S)
    await client.sio.disconnect()


def answered(replies: list[dict]) -> bool:
    """One reply, with citations or the plain "not covered" message, and no failure."""
    if len(replies) != 1 or FAILURE in replies[0]["output"]:
        return False
    return "[1]" in replies[0]["output"] or "does not cover" in replies[0]["output"]


async def pasted_document(url: str, at: float) -> float:
    """Seconds from sending a 100,000-character message to its refusal."""
    client = ChatClient(url)
    await client.connect()
    await client.wait_for("chat_settings")
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    started = time.monotonic()
    _, start = await client.ask("My notes from the visit say the following. " * 2330)
    (refusal,) = client.after(start, "new_message", type="assistant_message")
    took = time.monotonic() - started
    assert "limited to 2,000" in refusal["output"]
    await client.sio.disconnect()
    return took


def test_twenty_chats_at_once(tmp_path, library_settings):
    server = ChatServer(tmp_path / "chat.log", "--db", str(library_settings.data_dir),
                        env={"ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")})  # fmt: skip
    latencies: list[tuple[float, float]] = []
    errors: list = []
    try:

        async def load() -> float:
            begin = time.monotonic()
            until = begin + SECONDS
            chats = [one_chat(server.url, n, until, latencies, errors) for n in range(SESSIONS)]
            refused = pasted_document(server.url, begin + SECONDS / 2)
            *_, refusal_s = await asyncio.gather(*chats, refused)
            return refusal_s

        refusal_s = asyncio.run(load())
    finally:
        log = server.stop()
    took = [seconds for _, seconds in latencies]
    ordered = sorted(latencies)
    middle = [
        s
        for t, s in ordered
        if ordered[0][0] + SECONDS / 2 <= t <= ordered[0][0] + SECONDS / 2 + 10
    ]
    print(
        f"\n{SESSIONS} chats for {SECONDS} s: {len(took)} answers, {len(errors)} errors; answer "
        f"latency p50 {statistics.median(took):.2f} s, p95 {percentile(took, 0.95):.2f} s; "
        f"100,000-character message refused in {refusal_s:.2f} s; p95 in the 10 s after it "
        f"{percentile(middle, 0.95) if middle else float('nan'):.2f} s"
    )
    assert errors == []
    assert len(took) >= SESSIONS * 5  # every chat kept being answered
    # Refused before any work: under 1 s on a quiet machine, 2.0 s once when other jobs shared its
    # 2 cores; before the length check ran first, 10 s (docs/hardening.md, section 11).
    assert refusal_s < 3.0
    assert "Traceback" not in log


def test_one_chat_cannot_flood_the_server(tmp_path, library_settings):
    server = ChatServer(tmp_path / "chat.log", "--db", str(library_settings.data_dir),
                        env={"ASSISTANT_CHAT_QUESTIONS_PER_MINUTE": "3"})  # fmt: skip
    try:

        async def flood() -> tuple[list[str], str]:
            eager, other = ChatClient(server.url), ChatClient(server.url)
            for client in (eager, other):
                await client.connect()
                await client.wait_for("chat_settings")
            replies = []
            for question in QUESTIONS[:5]:
                _, start = await eager.ask(question)
                replies.append(client_reply(eager, start))
            _, start = await other.ask(QUESTIONS[0])  # another chat is not held up
            return replies, client_reply(other, start)

        replies, other = asyncio.run(flood())
    finally:
        server.stop()
    limited = ["a lot of questions in a short time" in reply for reply in replies]
    print(f"\nrate limit 3 a minute: {sum(limited)} of 5 quick questions asked to wait")
    assert limited == [False, False, False, True, True]
    assert "[1]" in other


def client_reply(client: ChatClient, start: int) -> str:
    (reply,) = client.after(start, "new_message", type="assistant_message")
    return reply["output"]
