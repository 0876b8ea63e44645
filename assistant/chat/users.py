"""Optional chat log-ins: a file of `name:hash` lines (settings.chat_users_file).

Hashes are scrypt with a random salt per user, so the file can be read by others without giving
the passwords away. Add a user with `assistant chat-user add NAME`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

_N, _R, _P = 2**14, 8, 1  # scrypt cost: about 50 ms and 16 MB per check
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
    if not password:
        raise UsersFileError("The password is empty.")
    users = read_users(path) if path.exists() else {}
    users[name] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.write_text("".join(f"{n}:{h}\n" for n, h in users.items()), encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
