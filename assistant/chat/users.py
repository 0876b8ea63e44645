"""Optional chat log-ins: a file of `name:hash` lines (settings.chat_users_file).

Hashes are scrypt with a random salt per user, so the file can be read by others without giving
the passwords away. Add a user with `assistant chat-user add NAME`. Failed log-ins are throttled
(LoginThrottle): a guessed password costs the guesser time, not the chat.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path

MIN_PASSWORD_CHARS = 12
MAX_NAME_CHARS, MAX_PASSWORD_CHARS = 200, 1000  # longer is refused without being checked
_N, _R, _P = 2**14, 8, 1  # scrypt cost: about 50 ms and 16 MB per check
_log = logging.getLogger("assistant.chat")
_DUMMY = (
    f"scrypt${_N}${_R}${_P}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)


class UsersFileError(ValueError):
    """The users file or a name in it is not usable."""


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def password_matches(password: str, hashed: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = hashed.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        given = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(given, expected)


def read_users(path: Path) -> dict[str, str]:
    """Name -> hash; blank lines and lines starting with # are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsersFileError(f"Cannot read the chat users file {path}: {exc.strerror}") from exc
    users = {}
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, hashed = line.strip().partition(":")
            users[name] = hashed
    return users


def login_ok(path: Path, name: str, password: str) -> bool:
    """Unknown names cost as much time as wrong passwords, so they cannot be told apart."""
    hashed = read_users(path).get(name)
    matches = password_matches(password, hashed or _DUMMY)
    return hashed is not None and matches


def add_user(path: Path, name: str, password: str) -> None:
    """Add `name`, or change their password; the file is readable by its owner only."""
    if not name or any(char.isspace() or char in ":#" for char in name):
        raise UsersFileError("A user name cannot be empty, or contain spaces, ':' or '#'.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise UsersFileError(
            f"A password needs at least {MIN_PASSWORD_CHARS} characters: a few words that "
            "belong together are easy to remember and hard to guess."
        )
    if len(password) > MAX_PASSWORD_CHARS or len(name) > MAX_NAME_CHARS:
        raise UsersFileError(
            f"A name can have at most {MAX_NAME_CHARS} characters and a password "
            f"{MAX_PASSWORD_CHARS}."
        )
    users = read_users(path) if path.exists() else {}
    users[name] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.write_text("".join(f"{n}:{h}\n" for n, h in users.items()), encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)


class LogIns:
    """Log-ins against the users file: a password is checked in a thread (scrypt takes 50 ms of
    a core, the event loop serves every chat), and failures pause the name and the client
    (LoginThrottle)."""

    def __init__(self, path: Path, throttle: LoginThrottle | None = None) -> None:
        self.path = path
        self.throttle = LoginThrottle() if throttle is None else throttle

    async def check(self, name: str, password: str, client: str) -> bool:
        keys, now = (f"name:{name[:MAX_NAME_CHARS]}", f"client:{client}"), time.monotonic()
        if not self.throttle.attempt(keys, now):
            _log.warning("A log-in was refused unchecked: too many failures (name or client)")
            return False
        if len(name) > MAX_NAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
            return False
        if not await asyncio.to_thread(login_ok, self.path, name, password):
            return False
        self.throttle.succeeded(keys, now)
        return True


class LoginThrottle:
    """At most `limit` failed log-ins in any `window_s` seconds for one name, and for one client
    address; past that, that name (or client) is refused without its password being checked
    until the oldest of those failures leaves the window. An attempt counts as failed from its
    start until it succeeds, so guesses sent all at once are counted too. Pausing a name also
    pauses its owner: the price of not letting anyone try passwords on it without end."""

    def __init__(self, limit: int = 5, window_s: float = 900.0, keys_kept: int = 10_000) -> None:
        self.limit, self.window_s, self.keys_kept = limit, window_s, keys_kept
        self._failures: dict[str, deque[float]] = {}

    def __len__(self) -> int:
        return len(self._failures)

    def attempt(self, keys: Iterable[str], now: float) -> bool:
        """False if any key is paused; else True, and the attempt counts until it succeeds."""
        keys = list(keys)
        if any(len(self._recent(key, now)) >= self.limit for key in keys):
            return False
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)
        while len(self._failures) > self.keys_kept:  # the oldest entries go first
            del self._failures[next(iter(self._failures))]
        return True

    def succeeded(self, keys: Iterable[str], now: float) -> None:
        """The attempt started at `now` succeeded: it is not a failure."""
        for key in keys:
            failures = self._failures.get(key)
            if failures and now in failures:
                failures.remove(now)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and now - failures[0] >= self.window_s:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
