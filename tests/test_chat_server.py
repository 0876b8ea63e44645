"""`assistant chat` starts a real Chainlit server; a real socket.io client talks to it the way the
page does (the browser itself is driven by the end-to-end test)."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import os
import re
import subprocess
import time

import httpx
import pytest
import socketio

from assistant.chat.launch import WEB_ROOT
from assistant.settings import PROJECT_ROOT
from tests.support import CLI, ChatClient, ChatServer, run_cli

pytestmark = pytest.mark.slow

NHS_NUMBER = "943 476 5919"
QUESTION = (
    f"My service user John Smith (NHS number {NHS_NUMBER}) asks: "
    "can I paste my case notes into ChatGPT?"
)








def ollama_chat(tmp_path, library_settings, standin) -> ChatServer:
    """`assistant chat` answering through the Ollama stand-in."""
    return ChatServer(
        tmp_path / "chat.log",
        "--db",
        str(library_settings.data_dir),
        env={
            "ASSISTANT_BACKEND": "ollama",
            "ASSISTANT_OLLAMA_HOST": standin.url,
            "ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        },
    )


def _decoded(data_url: str) -> str:
    return base64.b64decode(data_url.split(",", 1)[1]).decode("utf-8")


def test_chat_serves_the_page_without_fetching_anything_from_the_internet(chat):
    page = httpx.get(chat.url + "/", timeout=10)
    assert page.status_code == 200
    assert "<title>Guidance Assistant</title>" in page.text and '<div id="root">' in page.text
    assert not re.search(r"<(?:link|script)\b[^>]*(?:href|src)=\"https?://", page.text)
    settings = httpx.get(chat.url + "/project/settings", timeout=10).json()
    assert settings["dataPersistence"] is True  # so the page shows thumbs up/down
    assert settings["features"]["spontaneous_file_upload"]["enabled"] is False
    assert [s["message"] for s in settings["starters"]][-1] == "/library"
    assert "Guidance Assistant" in settings["markdown"]  # the readme, in en-GB


def test_a_conversation_through_the_real_server(chat, tmp_path):
    async def conversation() -> None:
        client = ChatClient(chat.url)
        await client.connect()
        widgets = await client.wait_for("chat_settings")
        assert [w["id"] for w in widgets["value"]] == ["mode", "sources", "audience", "presenting"]
        assert widgets["value"][0]["disabled"] and "extractive" in widgets["value"][0]["initial"]

        # The redacted question replaces what was typed, in the bubble and the run step.
        question_id, start = await client.ask(QUESTION)
        echoed = client.after(start, "update_message", id=question_id)[-1]["output"]
        assert NHS_NUMBER not in echoed and "Smith" not in echoed and "[NHS number]" in echoed
        run = client.after(start, "update_message", name="on_message")[-1]
        assert run["input"] == echoed

        # The answer: a notice first, [n] markers, and under it one element listing a passage per
        # marker (not side panels: Chainlit shows those of the whole conversation as one).
        (answer,) = client.after(start, "new_message", type="assistant_message")
        content = answer["output"]
        assert content.startswith("> I removed personal details") and NHS_NUMBER not in content
        markers = set(re.findall(r"\[\d+\]", content))
        (passages,) = client.after(start, "element", forId=answer["id"], type="custom")
        assert passages["name"] == "Passages" and passages["display"] == "inline"
        items = passages["props"]["items"]
        assert markers and {item["marker"] for item in items} == markers
        for item in items:
            text = item["content"]
            assert "**Source:**" in text and re.search(r"\*\*[^*]+\*\*", text.split("---", 1)[1])

        # Export as Markdown: a file attached to the answer, carried in its URL (not written).
        (export,) = client.after(start, "action", name="export_markdown")
        assert (await client.call_action(export)).status_code == 200
        exported = await client.wait_for("element", start, type="file", forId=answer["id"])
        assert re.fullmatch(r"guidance-answer-[\d-]+\.md", exported["name"])
        assert "[NHS number]" in _decoded(exported["url"]) and "## References" in _decoded(
            exported["url"]
        )

        # Thumbs down with a comment, then a reason from the buttons it offers.
        mark = len(client.events)
        rated = await client.rate(run["id"], 0, "Mrs Jones thinks it is old")
        assert rated.status_code == 200, rated.text
        for _ in range(50):  # the buttons come over the socket, the response over HTTP
            offered = client.after(mark, "action", name="feedback_reason")
            if len(offered) == 5:
                break
            await asyncio.sleep(0.1)
        reasons = {action["payload"]["reason"]: action for action in offered}
        assert set(reasons) == {"wrong citation", "outdated", "missing", "unclear", "other"}
        assert (await client.call_action(reasons["outdated"])).status_code == 200
        await client.wait_for("toast", mark)

        # Settings: only one source searched; every citation then comes from it.
        await client.sio.emit("chat_settings_change", {"sources": ["dch-reimagining-webinar-2026"]})
        _, start = await client.ask("Who is accountable for a case record that AI helped me draft?")
        (answer,) = client.after(start, "new_message", type="assistant_message")
        assert "Reimagining social work" in answer["output"]
        assert "Understanding the emerging use" not in answer["output"]

        # The library view, and a pasted document refused before any work.
        _, start = await client.ask("/library")
        (library,) = client.after(start, "new_message", type="assistant_message")
        assert "The library:" in library["output"] and "Excerpts only." in library["output"]
        pasted_id, start = await client.ask("Mrs Smith said that " * 200)
        assert "Smith" not in client.after(start, "update_message", id=pasted_id)[-1]["output"]
        (refusal,) = client.after(start, "new_message", type="assistant_message")
        assert "limited to 2,000" in refusal["output"]
        await client.sio.disconnect()

    asyncio.run(conversation())
    log = chat.stop()
    assert "Smith" not in log and NHS_NUMBER not in log and "Jones" not in log  # never logged
    files = WEB_ROOT / ".files"
    assert not files.exists() or not any(p.is_file() for p in files.rglob("*"))  # nothing left

    exported = subprocess.run(
        [*CLI, "feedback", "export"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        env={**os.environ, "ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")},
        check=False,
    )
    (row,) = csv.DictReader(io.StringIO(exported.stdout))
    assert (row["rating"], row["reason"], row["backend"]) == ("down", "outdated", "extractive")
    assert "[NHS number]" in row["question"] and NHS_NUMBER not in exported.stdout
    assert "Jones" not in row["comment"] and row["cited_chunk_ids"]


def test_another_site_cannot_open_the_chat_websocket(chat):
    async def attempt(origin: str) -> None:
        client = ChatClient(chat.url)
        await client.connect(headers={"Origin": origin})
        await client.sio.disconnect()

    asyncio.run(attempt(chat.url))  # the page itself
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(attempt("http://evil.example"))


def test_login_when_a_users_file_is_set_and_no_index_says_what_to_run(tmp_path):
    users = tmp_path / "users"
    added = run_cli("chat-user", "add", "sam", "--file", str(users), input="s3cret phrase\n")
    assert added.returncode == 0, added.stderr
    server = ChatServer(
        tmp_path / "chat.log",
        "--db",
        str(tmp_path / "empty"),
        env={"ASSISTANT_CHAT_USERS_FILE": str(users), "CHAINLIT_AUTH_SECRET": ""},
    )
    try:
        assert httpx.get(server.url + "/auth/config").json()["requireLogin"] is True
        refused = httpx.post(server.url + "/login", data={"username": "sam", "password": "wrong"})
        assert refused.status_code == 401
        accepted = httpx.post(server.url + "/login", data={"username": "sam", "password": "s3cret phrase"})
        assert accepted.status_code == 200
        cookie = "; ".join(f"{name}={value}" for name, value in accepted.cookies.items())

        async def conversation() -> None:
            stranger = ChatClient(server.url)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await stranger.connect()
            client = ChatClient(server.url)
            await client.connect(headers={"Cookie": cookie})
            notice = await client.wait_for("new_message", type="assistant_message")
            assert "assistant ingest" in notice["output"]
            await client.sio.disconnect()

        asyncio.run(conversation())
    finally:
        server.stop()
    assert (tmp_path / "empty" / "chat_auth_secret").is_file()  # generated, kept for restarts


def test_a_model_draft_is_never_shown_before_it_is_checked(
    tmp_path, library_settings, ollama_standin
):
    invented = "The Care Act requires every council to buy approved chatbots for all staff."
    ollama_standin.reply = (
        '{"answered": true, "sentences": [{"text": "'
        + invented
        + '", "citations": [{"n": 1, "quote": ""}]}]}'
    )
    ollama_standin.chunk_delay_s = 0.1  # long enough for progress updates
    server = ollama_chat(tmp_path, library_settings, ollama_standin)

    async def conversation() -> None:
        client = ChatClient(server.url)
        await client.connect()
        widgets = await client.wait_for("chat_settings")
        assert "Ollama, model llama3.1:8b" in widgets["value"][0]["initial"]
        _, start = await client.ask("Can I paste my case notes into ChatGPT?")
        steps = [
            data
            for name, data in client.events[start:]
            if name in ("new_message", "update_message") and data.get("type") == "tool"
        ]
        assert steps and steps[0]["name"] == "writing and checking the answer"
        assert "pieces of a draft" in " ".join(step["output"] for step in steps)
        assert steps[-1]["output"].startswith("Every sentence was checked")
        (answer,) = client.after(start, "new_message", type="assistant_message")
        assert "could not be checked against the guidance" in answer["output"]  # the notice
        sent = repr(client.events)
        assert "Care Act" not in sent and "stream_token" not in sent  # the draft never left
        await client.sio.disconnect()

    try:
        asyncio.run(conversation())
    finally:
        server.stop()
    assert ollama_standin.count("/api/chat") == 1


def test_the_stop_button_ends_the_model_generation(tmp_path, library_settings, ollama_standin):
    """Chainlit's stop cancels the chat's task; the model, in its own thread, must stop too, and
    hang up on the server, instead of generating to the end for nobody."""
    ollama_standin.reply = " ".join(f"word{n}" for n in range(400))
    ollama_standin.chunk_delay_s = 0.1  # 40 s to the end of the reply
    total = len(ollama_standin.chunks) + 1
    server = ollama_chat(tmp_path, library_settings, ollama_standin)
    timings: dict[str, float] = {}

    async def conversation() -> None:
        client = ChatClient(server.url)
        await client.connect()
        await client.wait_for("chat_settings")
        _, start = await client.send("Can I paste my case notes into ChatGPT?")
        deadline = time.monotonic() + 60
        while ollama_standin.lines_sent < 20:  # the model is writing
            assert time.monotonic() < deadline, "the model was never asked"
            await asyncio.sleep(0.05)
        stopped_at = time.monotonic()
        await client.sio.emit("stop")
        while not ollama_standin.hangups and time.monotonic() < stopped_at + 10:
            await asyncio.sleep(0.02)
        assert ollama_standin.hangups, "the generation went on after the stop"
        timings["hang-up"] = ollama_standin.hangups[0] - stopped_at
        await asyncio.sleep(1)  # anything the cancelled run might still send
        answers = client.after(start, "new_message", type="assistant_message")
        assert not any("What the guidance says" in answer["output"] for answer in answers)
        await client.sio.disconnect()

    try:
        asyncio.run(conversation())
    finally:
        log = server.stop()
    print(
        f"stop button: the model server saw the hang-up {timings['hang-up']:.2f} s after the "
        f"stop, {ollama_standin.lines_sent} of {total} lines streamed"
    )
    assert timings["hang-up"] < 1.0
    assert ollama_standin.lines_sent < total // 2
    assert "Traceback" not in log and "never retrieved" not in log
