"""The chat's safe configuration, checked against the installed Chainlit; log-ins; the launcher."""

from __future__ import annotations

import json
import tomllib
from importlib.util import find_spec
from pathlib import Path

import pytest

from assistant.chat.launch import (
    SECRET_VARIABLE,
    WEB_ROOT,
    ChatProblem,
    auth_secret,
    chat_command,
    start_chat,
)
from assistant.chat.users import UsersFileError, add_user, login_ok, read_users
from assistant.settings import PROJECT_ROOT, load_settings
from tests.support import CLI, run_cli

CHAINLIT = Path(find_spec("chainlit").origin).parent
CONFIG = tomllib.loads((WEB_ROOT / ".chainlit" / "config.toml").read_text(encoding="utf-8"))


def _keys(table: dict, prefix: str = "") -> set[str]:
    found = set()
    for key, value in table.items():
        found.add(prefix + key)
        if isinstance(value, dict):
            found |= _keys(value, f"{prefix}{key}.")
    return found


def test_config_is_safe():
    project, features = CONFIG["project"], CONFIG["features"]
    assert features["spontaneous_file_upload"]["enabled"] is False
    assert features["unsafe_allow_html"] is False
    assert (
        features["mcp"]["enabled"] is False and features["mcp"]["user_servers"]["enabled"] is False
    )
    assert features["auto_tag_thread"] is False and features["allow_thread_sharing"] is False
    assert features["audio"]["enabled"] is False and features["latex"] is False
    assert "*" not in project["allow_origins"]
    assert all(
        o.startswith(("http://127.0.0.1:", "http://localhost:")) for o in project["allow_origins"]
    )
    assert 0 < project["session_timeout"] <= 8 * 3600
    assert 0 < project["user_session_timeout"] <= 8 * 3600
    assert project["persist_user_env"] is False and project["user_env"] == []


def test_config_keys_are_ones_the_installed_chainlit_knows():
    from chainlit.config import DEFAULT_CONFIG_STR, FeaturesSettings, ProjectSettings, UISettings

    default = tomllib.loads(DEFAULT_CONFIG_STR.replace("{{", "{").replace("}}", "}"))
    assert CONFIG["meta"]["generated_by"] == default["meta"]["generated_by"]
    known = _keys(default) | {f"UI.{name}" for name in UISettings.model_fields}
    known |= {f"project.{name}" for name in ProjectSettings.model_fields}
    known |= {f"features.{name}" for name in FeaturesSettings.model_fields}
    assert _keys(CONFIG) - known == set()  # a misspelt key would be silently ignored


def test_our_translation_has_every_key_of_the_installed_chainlit():
    ours = json.loads(
        (WEB_ROOT / ".chainlit" / "translations" / "en-GB.json").read_text("utf-8")
    )
    theirs = json.loads((CHAINLIT / "translations" / "en-US.json").read_text("utf-8"))
    assert _keys(ours) == _keys(theirs)
    assert "case details" in ours["chat"]["input"]["placeholder"]


def test_readme_shown_in_the_chat_exists_in_the_configured_language():
    assert (WEB_ROOT / f"chainlit_{CONFIG['UI']['language']}.md").is_file()
    assert (WEB_ROOT / "chainlit.md").is_file()  # else Chainlit writes its own default there


def test_users_file_round_trip(tmp_path):
    users = tmp_path / "users"
    add_user(users, "sam", "correct horse")
    add_user(users, "alex", "battery staple")
    add_user(users, "sam", "new password")  # a second add changes the password
    assert list(read_users(users)) == ["sam", "alex"]
    assert users.stat().st_mode & 0o777 == 0o600
    assert "new password" not in users.read_text()
    assert login_ok(users, "sam", "new password") and not login_ok(users, "sam", "correct horse")
    assert not login_ok(users, "nobody", "new password")
    for bad in ("", "two words", "a:b"):
        with pytest.raises(UsersFileError):
            add_user(users, bad, "x")


def test_chat_user_add_command_reads_the_password_from_stdin(tmp_path):
    import subprocess

    users = tmp_path / "users"
    added = run_cli("chat-user", "add", "sam", "--file", str(users), input="s3cret phrase\n")
    assert added.returncode == 0, added.stderr
    assert login_ok(users, "sam", "s3cret phrase")
    no_file = subprocess.run(
        [*CLI, "chat-user", "add", "sam"],
        input="x\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=False,
    )
    assert no_file.returncode == 2 and "ASSISTANT_CHAT_USERS_FILE" in no_file.stderr


def test_a_password_needs_at_least_12_characters(tmp_path):
    users = tmp_path / "users"
    with pytest.raises(UsersFileError, match="at least 12 characters"):
        add_user(users, "sam", "eleven char")
    assert not users.exists()
    added = run_cli("chat-user", "add", "sam", "--file", str(users), input="s3cret\n")
    assert added.returncode == 2 and "at least 12 characters" in added.stderr
    assert not users.exists()


def test_failed_log_ins_pause_a_name_and_a_client_for_a_while():
    from assistant.chat.users import LoginThrottle

    throttle = LoginThrottle(limit=3, window_s=60)
    sam, other = ("name:sam", "client:10.0.0.1"), ("name:alex", "client:10.0.0.2")
    for second in range(3):
        assert throttle.attempt(sam, now=second)  # each attempt counts until it succeeds
    assert not throttle.attempt(sam, now=10)  # paused: the password is not even checked
    assert not throttle.attempt(("name:sam", "client:10.0.0.9"), now=10)  # the name, anywhere
    assert not throttle.attempt(("name:kim", "client:10.0.0.1"), now=10)  # the client, any name
    assert throttle.attempt(other, now=10)
    throttle.succeeded(other, now=10)  # a success is not counted
    for second in range(11, 13):
        assert throttle.attempt(other, now=second)
    assert throttle.attempt(other, now=13)  # 3 failures only now
    assert not throttle.attempt(other, now=14)
    assert throttle.attempt(sam, now=60.5)  # the first failure has left the window
    assert not throttle.attempt(sam, now=60.6)  # three failures in the window again


def test_log_ins_are_checked_in_a_thread_and_throttled(tmp_path):
    import asyncio

    from assistant.chat.users import LogIns, LoginThrottle

    users = tmp_path / "users"
    add_user(users, "sam", "twelve chars")
    log_ins = LogIns(users, LoginThrottle(limit=2, window_s=60))

    async def scenario() -> None:
        assert await log_ins.check("sam", "twelve chars", client="10.0.0.1")
        assert not await log_ins.check("sam", "wrong", client="10.0.0.1")
        assert not await log_ins.check("sam", "wrong", client="10.0.0.2")
        assert not await log_ins.check("sam", "twelve chars", client="10.0.0.3")  # paused
        assert await log_ins.check("x" * 201, "twelve chars", client="10.0.0.4") is False

    asyncio.run(scenario())


def test_log_in_throttle_memory_is_bounded():
    from assistant.chat.users import LoginThrottle

    throttle = LoginThrottle(limit=3, window_s=60, keys_kept=100)
    for n in range(1000):
        throttle.attempt((f"name:user{n}", "client:10.0.0.1" if n < 2 else f"client:{n}"), now=n / 100)
    assert len(throttle) <= 100


def test_chat_command_passes_settings_as_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    settings = load_settings(data_dir=Path("relative-data"))
    command, environment = chat_command(settings, "127.0.0.1", 8123, None)
    assert command[1:4] == ["-m", "chainlit", "run"] and command[-5:] == [
        "--host",
        "127.0.0.1",
        "--port",
        "8123",
        "--headless",
    ]
    assert environment["ASSISTANT_DATA_DIR"] == str(tmp_path / "relative-data")
    assert SECRET_VARIABLE not in environment  # no log-in, no secret

    users = tmp_path / "users"
    users.write_text("# nobody yet\n")
    with_login = load_settings(data_dir=tmp_path / "data", chat_users_file=users)
    with pytest.raises(ChatProblem, match="assistant chat-user add"):
        chat_command(with_login, "127.0.0.1", 8123, None)
    add_user(users, "sam", "twelve chars")
    _, environment = chat_command(with_login, "127.0.0.1", 8123, None)
    secret = environment[SECRET_VARIABLE]
    assert len(secret) >= 40 and secret == auth_secret(tmp_path / "data")  # kept across restarts
    assert (tmp_path / "data" / "chat_auth_secret").stat().st_mode & 0o777 == 0o600


def test_only_the_chat_app_and_its_data_layer_import_chainlit():
    import subprocess
    import sys

    code = (
        "import sys, assistant.cli, assistant.chat.feedback, assistant.chat.adapter, "
        "assistant.chat.users, assistant.chat.launch\n"
        "assert 'chainlit' not in sys.modules, 'chainlit imported outside the chat app'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_busy_port_is_a_clear_error_before_anything_starts():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ChatProblem, match="already running"):
            start_chat(load_settings(), "127.0.0.1", port, None)
