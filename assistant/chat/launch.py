"""`assistant chat`: start Chainlit on the chat app.

Chainlit runs as its own program. Its web root is assistant/chat/web/ (CHAINLIT_APP_ROOT): the
configuration (.chainlit/config.toml), the readme (chainlit_en-GB.md) and the files it serves
(public/: logo, favicon, avatar, the passages element). The settings reach the app the way they
reach every entry point: ASSISTANT_* variables, with relative paths made absolute first.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
import sys
from pathlib import Path

from assistant.chat.users import UsersFileError, read_users
from assistant.settings import PROFILE_VARIABLE, Settings

APP = Path(__file__).with_name("app.py")
WEB_ROOT = Path(__file__).with_name("web")
SECRET_VARIABLE = "CHAINLIT_AUTH_SECRET"


class ChatProblem(Exception):
    """The chat cannot start; the message says why and what to do."""


def chat_command(
    settings: Settings, host: str, port: int, profile: Path | None
) -> tuple[list[str], dict[str, str]]:
    """The Chainlit command line and its environment (run it in WEB_ROOT)."""
    environment = dict(os.environ)  # the offline switches are already set in it
    environment["CHAINLIT_APP_ROOT"] = str(WEB_ROOT)
    if profile:
        environment[PROFILE_VARIABLE] = str(Path(profile).resolve())
    for name, value in settings:
        if isinstance(value, Path):
            environment[f"ASSISTANT_{name.upper()}"] = str(value.resolve())
    if settings.chat_users_file:
        _check_users(settings.chat_users_file)
        if not environment.get(SECRET_VARIABLE):
            environment[SECRET_VARIABLE] = auth_secret(settings.data_dir)
    command = [
        sys.executable,
        "-m",
        "chainlit",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--headless",
    ]
    return command, environment


def start_chat(
    settings: Settings, host: str, port: int, profile: Path | None, no_login: bool = False
) -> None:
    """Replace this process with the Chainlit server (signals then reach it directly)."""
    check_log_in(settings, host, no_login)
    _check_port(host, port)
    command, environment = chat_command(settings, host, port, profile)
    if not _is_loopback(host):
        print(
            f"Warning: the chat on {host} can be reached from other machines"
            + (
                "; it asks for a log-in."
                if settings.chat_users_file
                else ", without a log-in (--no-login): anyone who can reach it can use it."
            ),
            file=sys.stderr,
        )
    print(
        f"Guidance Assistant chat: http://{host}:{port} (Ctrl+C to stop)",
        file=sys.stderr,
        flush=True,
    )
    os.chdir(WEB_ROOT)  # Chainlit reads a .env from where it starts: none here
    os.execve(command[0], command, environment)


def auth_secret(data_dir: Path) -> str:
    """Chainlit signs log-in tokens with this. Kept in the data folder so that log-ins survive a
    restart; readable by its owner only."""
    path = data_dir / "chat_auth_secret"
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def check_log_in(settings: Settings, host: str, no_login: bool) -> None:
    """Other machines can reach a chat not on this machine's own address: it needs a log-in,
    unless its owner says the network is trusted."""
    if _is_loopback(host) or settings.chat_users_file or no_login:
        return
    raise ChatProblem(
        f"The chat on {host} could be reached from other machines, so it needs a log-in. "
        "Add a user with: assistant chat-user add NAME --file data/chat-users, then start it "
        "with ASSISTANT_CHAT_USERS_FILE=data/chat-users. On a network you trust, add "
        "--no-login to start it without."
    )


def _check_users(path: Path) -> None:
    try:
        users = read_users(path)
    except UsersFileError as exc:
        raise ChatProblem(str(exc)) from exc
    if not users:
        raise ChatProblem(f"No users in {path}. Add one with: assistant chat-user add NAME")


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ChatProblem(
                f"Cannot listen on {host}:{port} ({exc.strerror}). Is the chat already running? "
                "Choose another port with: assistant chat --port 8001"
            ) from exc


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
