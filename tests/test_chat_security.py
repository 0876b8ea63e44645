"""The chat's security review, each finding checked on a real `assistant chat` server over HTTP
and socket.io: what the server accepts is bounded before any work and the guard runs off the event
loop; a rating comes only from the chat that received the answer; off this machine a log-in is
needed, failed log-ins are throttled and requests must name this chat's host; Chainlit's API
documentation is not served."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid

import aiohttp
import httpx
import pytest

from assistant.chat.feedback import FeedbackStore
from assistant.settings import PROJECT_ROOT
from tests.support import CLI, ChatClient, ChatServer, free_port, run_cli

pytestmark = pytest.mark.slow

QUESTION = "Can I paste my case notes into ChatGPT?"
PASSWORD = "a long enough password"
STICKY_COOKIE = "X-Chainlit-Session-id"  # the page sets it (POST /set-session-cookie) to its chat


@pytest.fixture(scope="module")
def chat(tmp_path_factory, library_settings):
    folder = tmp_path_factory.mktemp("chat-security")
    server = ChatServer(
        folder / "chat.log",
        "--db",
        str(library_settings.data_dir),
        env={
            "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
            "ASSISTANT_CHAT_ALLOWED_HOSTS": '["chat.team.example"]',
        },
    )
    server.store = FeedbackStore(folder / "feedback.sqlite3")
    yield server
    log = server.stop()
    assert "Traceback" not in log, log


async def _chat(url: str, cookie: str = "") -> ChatClient:
    client = ChatClient(url)
    await client.connect(headers={"Cookie": cookie} if cookie else None)
    await client.wait_for("chat_settings")
    return client


async def _answered(client: ChatClient, question: str = QUESTION) -> str:
    """Ask; the id of the answer's run, which is what Chainlit's thumbs rate."""
    _, start = await client.ask(question)
    return client.after(start, "update_message", name="on_message")[-1]["id"]


async def _put(url: str, feedback: dict, session_id: str | None, **options) -> httpx.Response:
    body: dict = {"feedback": feedback}
    if session_id is not None:
        body["sessionId"] = session_id
    async with httpx.AsyncClient(**options) as http:
        return await http.put(f"{url}/feedback", json=body)


async def _delete(url: str, feedback_id: str, cookie: str = "") -> httpx.Response:
    headers = {"Cookie": cookie} if cookie else {}
    async with httpx.AsyncClient() as http:
        return await http.request(
            "DELETE", f"{url}/feedback", json={"feedbackId": feedback_id}, headers=headers
        )


def _rows(store: FeedbackStore, run_ids: set[str]) -> list:
    return [row for row in store.all() if row.id in run_ids or row.message_id in run_ids]


class LoopWatch:
    """How long the server takes to answer /health while something else runs: a blocked event
    loop answers nobody."""

    def __init__(self, url: str) -> None:
        self.url, self.latencies, self._on = url, [], True

    async def run(self) -> None:
        async with httpx.AsyncClient() as http:
            while self._on:
                started = time.monotonic()
                await http.get(f"{self.url}/health", timeout=60)
                self.latencies.append(time.monotonic() - started)
                await asyncio.sleep(0.02)

    def stop(self) -> float:
        self._on = False
        return max(self.latencies)


# -- 2. What the server accepts is bounded before any work; the guard runs off the event loop.


def test_a_long_feedback_comment_is_refused_before_it_is_guarded(chat):
    async def scenario() -> tuple[float, float, str]:
        client = await _chat(chat.url)
        run_id = await _answered(client)
        watch = LoopWatch(chat.url)
        watching = asyncio.create_task(watch.run())
        started = time.monotonic()
        pasted = await client.rate(run_id, 0, "Mrs Smith said " * 7000)  # 105,000 characters
        refused_in = time.monotonic() - started
        await asyncio.sleep(0.3)
        worst = watch.stop()
        await watching
        assert pasted.status_code in (400, 413), pasted.text
        over = await client.rate(run_id, 0, "x" * 2001)
        assert over.status_code == 400 and "2,000" in over.json()["detail"], over.text
        accepted = await client.rate(run_id, 0, "Mrs Jones thinks it is old. " * 70)  # 1,960
        assert accepted.status_code == 200, accepted.text
        await client.sio.disconnect()
        return refused_in, worst, run_id

    refused_in, worst, run_id = asyncio.run(scenario())
    print(f"\n105,000-character comment refused in {refused_in:.2f} s; /health {worst:.2f} s")
    assert refused_in < 1.0 and worst < 0.5
    (row,) = _rows(chat.store, {run_id})
    assert "Jones" not in row.comment and "[name]" in row.comment  # still guarded


# Loaded by every Python process of the server below: the network guard (as in every process the
# tests start), then a guard that takes two seconds per call. Asleep in a worker thread it holds
# up nobody; asleep on the event loop it holds up every chat for two seconds at a time.
SLOW_GUARD = """
import runpy, sys, time
runpy.run_path({netguard!r}, run_name="sitecustomize")
sys.path.insert(0, {root!r})
import assistant.core.guard

_redact = assistant.core.guard.redact


def _slow_redact(*args, **kwargs):
    time.sleep({seconds})
    return _redact(*args, **kwargs)


assistant.core.guard.redact = _slow_redact
"""


@pytest.fixture(scope="module")
def slow_guard_chat(tmp_path_factory, library_settings):
    folder = tmp_path_factory.mktemp("slow-guard")
    site = folder / "site"
    site.mkdir()
    netguard = PROJECT_ROOT / "tests" / "netguard" / "sitecustomize.py"
    code = SLOW_GUARD.format(netguard=str(netguard), root=str(PROJECT_ROOT), seconds=2.0)
    (site / "sitecustomize.py").write_text(code)
    server = ChatServer(
        folder / "chat.log",
        "--db",
        str(library_settings.data_dir),
        env={
            "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
            "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
        },
    )
    yield server
    server.stop()


def test_the_guard_runs_off_the_event_loop(slow_guard_chat):
    """A question and a comment, each guarded (slowly), while /health is asked every 20 ms; then
    a pasted 200,000-character document and a comment over the limit, refused without being
    guarded at all (the guard takes two seconds here)."""
    url = slow_guard_chat.url

    async def scenario() -> tuple[float, float, float, float]:
        client = await _chat(url)
        watch = LoopWatch(url)
        watching = asyncio.create_task(watch.run())
        await asyncio.sleep(0.2)
        run_id = await _answered(client)
        rated = await client.rate(run_id, 0, "Mrs Jones thinks it is out of date.")
        assert rated.status_code == 200, rated.text
        worst = watch.stop()
        await watching
        started = time.monotonic()
        pasted = "Mrs Smith of 10 Downing Street, SW1A 2AA, NHS number 943 476 5919, said. "
        _, start = await client.ask(pasted * 2700)
        question_refused = time.monotonic() - started
        (refusal,) = client.after(start, "new_message", type="assistant_message")
        assert "limited to 2,000" in refusal["output"]
        started = time.monotonic()
        assert (await client.rate(run_id, 0, "x" * 2001)).status_code == 400
        comment_refused = time.monotonic() - started
        await client.sio.disconnect()
        return worst, question_refused, comment_refused, len(watch.latencies)

    worst, question_refused, comment_refused, polls = asyncio.run(scenario())
    print(
        f"\n/health at worst {worst:.2f} s ({polls} polls) while a question and a comment were "
        f"guarded; 200k pasted refused in {question_refused:.2f} s, a long comment in "
        f"{comment_refused:.2f} s"
    )
    # A guard on the event loop holds /health for its two seconds; a busy machine has shown
    # one-off half-second hiccups that have nothing to do with the guard.
    assert worst < 1.0
    assert question_refused < 1.0 and comment_refused < 1.0


def test_settings_sent_by_a_crafted_client_are_not_kept_or_shown_back(chat):
    """The settings panel sends known source ids and an audience; anything else is dropped."""

    async def scenario() -> str:
        client = await _chat(chat.url)
        junk = "Z" * 300_000
        await client.sio.emit(
            "chat_settings_change", {"sources": [junk, 7], "audience": junk, "extra": junk}
        )
        _, start = await client.ask(QUESTION)
        (answer,) = client.after(start, "new_message", type="assistant_message")
        await client.sio.disconnect()
        return answer["output"]

    output = asyncio.run(scenario())
    assert "ZZZZ" not in output and "[1]" in output and len(output) < 20_000


def test_a_reason_button_works_only_in_the_chat_that_was_offered_it(chat):
    async def scenario() -> str:
        owner, other = await _chat(chat.url), await _chat(chat.url)
        run_id = await _answered(owner)
        mark = len(owner.events)
        assert (await owner.rate(run_id, 0)).status_code == 200
        offered = await owner.wait_for("action", mark, name="feedback_reason")
        taken = dict(offered, payload={**offered["payload"], "reason": "outdated"})
        other_mark = len(other.events)
        assert (await other.call_action(taken)).status_code == 200
        toast = await other.wait_for("toast", other_mark)
        assert "no longer recorded" in toast["message"]
        for client in (owner, other):
            await client.sio.disconnect()
        return run_id

    run_id = asyncio.run(scenario())
    (row,) = _rows(chat.store, {run_id})
    assert row.rating == "down" and row.reason == ""  # another chat could not set it


# -- 3. A rating comes only from the chat that received the answer.


def test_ratings_come_only_from_the_chat_that_received_the_answer(chat):
    async def scenario() -> str:
        owner, other = await _chat(chat.url), await _chat(chat.url)
        run_id = await _answered(owner)
        thumbs = {"forId": run_id, "value": 0, "comment": "raw"}

        # No chat, a made-up one, another live chat: refused, nothing stored.
        for session_id in (None, str(uuid.uuid4()), other.session_id):
            refused = await _put(chat.url, thumbs, session_id)
            assert refused.status_code in (403, 422), (session_id, refused.text)
        assert _rows(chat.store, {run_id}) == []

        # The chat that got the answer; an id it chooses is not used (it could be another's).
        rated = await _put(chat.url, {**thumbs, "id": "someone-elses"}, owner.session_id)
        assert rated.status_code == 200, rated.text
        feedback_id = rated.json()["feedbackId"]
        assert feedback_id != "someone-elses" and len(_rows(chat.store, {run_id})) == 1

        # Deleting: without the chat's session cookie, or with another chat's, refused.
        for cookie in ("", f"{STICKY_COOKIE}={other.session_id}"):
            refused = await _delete(chat.url, feedback_id, cookie)
            assert refused.status_code == 403, refused.text
        assert len(_rows(chat.store, {run_id})) == 1
        deleted = await _delete(chat.url, feedback_id, f"{STICKY_COOKIE}={owner.session_id}")
        assert deleted.status_code == 200, deleted.text
        for client in (owner, other):
            await client.sio.disconnect()
        return run_id

    run_id = asyncio.run(scenario())
    assert _rows(chat.store, {run_id}) == []


# -- 4 and 7. The Host header; Chainlit's API documentation.


def test_requests_naming_another_host_are_refused(chat):
    port = chat.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"chat.team.example:{port}"):
        assert httpx.get(chat.url + "/", headers={"Host": host}).status_code == 200, host
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"):
        assert httpx.get(chat.url + "/", headers={"Host": host}).status_code == 400, host
        polling = httpx.get(
            chat.url + "/ws/socket.io/?EIO=4&transport=polling", headers={"Host": host}
        )
        assert polling.status_code == 400, host

    async def websocket(host: str) -> None:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(
                f"ws://127.0.0.1:{port}/ws/socket.io/?EIO=4&transport=websocket",
                headers={"Host": host, "Origin": f"http://{host}"},
            ) as ws:
                await ws.receive(timeout=10)

    asyncio.run(websocket(f"127.0.0.1:{port}"))
    with pytest.raises(aiohttp.WSServerHandshakeError):  # a rebound name, with its own origin
        asyncio.run(websocket(f"evil.example:{port}"))


def test_api_documentation_is_not_served(chat):
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        response = httpx.get(chat.url + path)
        assert response.status_code == 404, path
        assert "swagger" not in response.text.lower() and "cdn" not in response.text.lower()


def test_a_request_body_is_bounded(chat):
    response = httpx.post(
        chat.url + "/project/action",
        content=json.dumps({"sessionId": "x", "action": {"payload": "A" * 200_000}}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


# -- 4. Log-in: required off this machine, throttled, and the rating bound to the user.


def test_the_chat_on_another_address_refuses_to_start_without_a_log_in(tmp_path):
    port = free_port()
    refused = subprocess.run(
        [*CLI, "chat", "--host", "0.0.0.0", "--port", str(port), "--db", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2, refused.stderr
    assert "--no-login" in refused.stderr and "chat-user add" in refused.stderr

    server = ChatServer(
        tmp_path / "chat.log", "--host", "0.0.0.0", "--no-login", "--db", str(tmp_path / "d")
    )
    try:
        assert not httpx.get(server.url + "/auth/config").json()["requireLogin"]
    finally:
        log = server.stop()
    assert "without a log-in" in log


def _log_in(url: str, name: str, password: str, client: str = "127.0.0.1") -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=client)
    with httpx.Client(transport=transport) as http:
        return http.post(url + "/login", data={"username": name, "password": password})


@pytest.fixture(scope="module")
def login_chat(tmp_path_factory, library_settings):
    folder = tmp_path_factory.mktemp("login-chat")
    users = folder / "users"
    for name in ("sam", "alex", "kim"):
        added = run_cli("chat-user", "add", name, "--file", str(users), input=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    server = ChatServer(
        folder / "chat.log",
        "--db",
        str(library_settings.data_dir),
        env={
            "ASSISTANT_CHAT_USERS_FILE": str(users),
            "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
            "CHAINLIT_AUTH_SECRET": "",
        },
    )
    server.store = FeedbackStore(folder / "feedback.sqlite3")
    yield server
    server.stop()


def test_failed_log_ins_are_throttled_per_name_and_per_client(login_chat):
    url = login_chat.url
    assert _log_in(url, "kim", PASSWORD, "127.0.0.5").status_code == 200
    for _ in range(5):
        assert _log_in(url, "sam", "wrong password!", "127.0.0.2").status_code == 401
    # The name is paused, whichever client asks, even with the right password.
    assert _log_in(url, "sam", PASSWORD, "127.0.0.3").status_code == 401
    # So is the client, whichever name it tries; other clients and names are not.
    for name in ("nobody-1", "nobody-2", "nobody-3", "nobody-4", "nobody-5"):
        assert _log_in(url, name, "wrong password!", "127.0.0.4").status_code == 401
    assert _log_in(url, "alex", PASSWORD, "127.0.0.4").status_code == 401
    assert _log_in(url, "alex", PASSWORD, "127.0.0.6").status_code == 200
    assert _log_in(url, "kim", PASSWORD, "127.0.0.5").status_code == 200
    assert _log_in(url, "x" * 10_000, "y" * 100_000, "127.0.0.7").status_code in (401, 413)


def test_a_rating_is_bound_to_the_user_logged_in_to_that_chat(login_chat):
    url = login_chat.url
    cookies = {}
    for name in ("kim", "alex"):
        accepted = _log_in(url, name, PASSWORD, "127.0.0.8")
        assert accepted.status_code == 200, accepted.text
        cookies[name] = "; ".join(f"{k}={v}" for k, v in accepted.cookies.items())

    async def scenario() -> str:
        kim = await _chat(url, cookies["kim"])
        run_id = await _answered(kim)
        thumbs = {"forId": run_id, "value": 1}
        # Alex, logged in, naming Kim's chat: refused.
        async with httpx.AsyncClient(headers={"Cookie": cookies["alex"]}) as http:
            refused = await http.put(
                f"{url}/feedback", json={"feedback": thumbs, "sessionId": kim.session_id}
            )
        assert refused.status_code == 403, refused.text
        async with httpx.AsyncClient(headers={"Cookie": cookies["kim"]}) as http:
            rated = await http.put(
                f"{url}/feedback", json={"feedback": thumbs, "sessionId": kim.session_id}
            )
        assert rated.status_code == 200, rated.text
        feedback_id = rated.json()["feedbackId"]
        # Over plain HTTP from another machine the page keeps no session cookie (Chainlit marks
        # it Secure): the user's own log-in is enough to remove their rating, another's is not.
        assert (await _delete(url, feedback_id, cookies["alex"])).status_code == 403
        assert len(_rows(login_chat.store, {run_id})) == 1
        assert (await _delete(url, feedback_id, cookies["kim"])).status_code == 200
        await kim.sio.disconnect()
        return run_id

    run_id = asyncio.run(scenario())
    assert _rows(login_chat.store, {run_id}) == []
