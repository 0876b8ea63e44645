"""Privacy at rest: after a chat session and a batch `assistant ask` full of planted identifiers,
nothing on disk holds any of them: the data folder (index, feedback database), the logs, the
temporary folder and home folder the processes were given, and Chainlit's folders."""

from __future__ import annotations

import asyncio
import os
import re
import shutil

import pytest

from assistant.chat.launch import WEB_ROOT
from tests.support import ChatClient, ChatServer, run_cli

pytestmark = pytest.mark.slow

# One of every kind the guard knows, invented (the NHS number passes its checksum).
PLANTED = {
    "name": "Rosalind Okonjo",
    "nhs": "628 194 8211",
    "nino": "JG 10 37 52 A",
    "postcode": "LS6 2AB",
    "phone": "07700 900461",
    "email": "r.okonjo77@example.org",
    "dob": "14/02/1987",
    "address": "22 Victoria Road",
    "case": "CR-2024-118734",
}
QUESTIONS = [
    f"My service user {PLANTED['name']} (NHS number {PLANTED['nhs']}, DOB {PLANTED['dob']}) asks: "
    "can I paste my case notes into ChatGPT?",
    f"She lives at {PLANTED['address']}, {PLANTED['postcode']}; phone {PLANTED['phone']}. "
    "Do I need consent to record a home visit for AI transcription?",
    f"Case ref {PLANTED['case']}, NI number {PLANTED['nino']}, email {PLANTED['email']}: "
    "who is responsible for the accuracy of case records drafted with AI?",
]


def forms(value: str) -> set[bytes]:
    """The value as it might be stored: as typed, without spaces, lower case, UTF-16."""
    variants = {value, value.lower(), re.sub(r"[\s/-]", "", value)}
    return {v.encode("utf-8") for v in variants} | {v.encode("utf-16-le") for v in variants}


def search(folders, extra_files=()) -> tuple[int, int, list[tuple[str, str]]]:
    """(files searched, bytes searched, (file, planted kind) for every hit)."""
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
    files += list(extra_files)
    hits, total = [], 0
    for path in files:
        data = path.read_bytes()
        total += len(data)
        for kind, value in PLANTED.items():
            if any(form in data for form in forms(value)):
                hits.append((str(path), kind))
    return len(files), total, hits


def test_no_planted_identifier_is_stored_anywhere(tmp_path, library_settings):
    data = tmp_path / "data"
    shutil.copytree(library_settings.data_dir, data)  # a data folder of its own
    temporary, home = tmp_path / "tmp", tmp_path / "home"
    temporary.mkdir()
    home.mkdir()
    env = {"TMPDIR": str(temporary), "HOME": str(home), "ASSISTANT_DATA_DIR": str(data)}
    chainlit_files = WEB_ROOT / ".files"
    before = {p for p in chainlit_files.rglob("*")} if chainlit_files.exists() else set()

    server = ChatServer(tmp_path / "chat.log", "--db", str(data), env=env)
    try:

        async def conversation() -> None:
            client = ChatClient(server.url)
            await client.connect()
            await client.wait_for("chat_settings")
            for question in QUESTIONS:
                _, start = await client.ask(question)
            run = client.after(start, "update_message", name="on_message")[-1]
            (answer,) = client.after(start, "new_message", type="assistant_message")
            (export,) = client.after(start, "action", name="export_markdown")
            assert (await client.call_action(export)).status_code == 200
            comment = f"{PLANTED['name']} at {PLANTED['postcode']} disagrees"
            rated = await client.rate(run["id"], 0, comment)
            assert rated.status_code == 200 and answer["output"]
            await client.sio.disconnect()

        asyncio.run(conversation())
    finally:
        server.stop()

    batch = run_cli("ask", "--db", str(data), input="\n".join(QUESTIONS) + "\n",
                    env={**os.environ, **env})  # fmt: skip
    assert batch.returncode == 0, batch.stderr
    one = run_cli("ask", "--json", "--db", str(data), QUESTIONS[0], env={**os.environ, **env})
    assert one.returncode == 0, one.stderr
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    for name, text in (("batch.out", batch.stdout), ("batch.err", batch.stderr),
                       ("one.out", one.stdout), ("one.err", one.stderr)):  # fmt: skip
        (outputs / name).write_text(text, encoding="utf-8")

    exported = run_cli("feedback", "export", "--db", str(data), env={**os.environ, **env})
    assert exported.returncode == 0 and "disagrees" in exported.stdout  # the comment was kept...
    (outputs / "feedback.csv").write_text(exported.stdout, encoding="utf-8")

    new_chainlit = (
        [p for p in chainlit_files.rglob("*") if p not in before] if chainlit_files.exists() else []
    )
    files, size, hits = search(
        [data, temporary, home, outputs, WEB_ROOT / ".chainlit"],
        extra_files=[server.log, *[p for p in new_chainlit if p.is_file()]],
    )
    print(f"\nprivacy at rest: {files} files, {size / 1e6:.1f} MB searched for "
          f"{len(PLANTED)} planted identifiers: {len(hits)} hits")  # fmt: skip
    assert files > 10 and (data / "feedback.sqlite3").exists()
    assert hits == []  # ...without the name and postcode in it


def test_the_search_finds_a_planted_value_however_it_is_written(tmp_path):
    (tmp_path / "a.sqlite3").write_bytes(b"\x00\x01" + "6281948211".encode() + b"\x00")
    (tmp_path / "b.log").write_bytes("rosalind okonjo".encode("utf-16-le"))
    _, _, hits = search([tmp_path])
    assert sorted(kind for _, kind in hits) == ["name", "nhs"]
