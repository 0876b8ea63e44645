"""A socket guard for the test session: a connection or name lookup that would leave the machine
fails, and is recorded. Loopback addresses, `localhost` and Unix sockets are allowed.

tests/conftest.py installs it in the pytest process and, through `sitecustomize.py` beside this
file (it puts this folder on PYTHONPATH and names the record file in GUARD_LOG_VARIABLE), in every
Python process the tests start. Each attempt is one JSON line in that file, so the session can
count them all, its subprocesses' included, and fail if there is any. Standard library only: it
runs before anything else in those processes.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

GUARD_LOG_VARIABLE = "GUIDANCE_TEST_NETWORK_LOG"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}
_INTERNET = (socket.AF_INET, socket.AF_INET6)


class NetworkAttempt(AssertionError):
    """Raised instead of connecting: an AssertionError, so no library mistakes it for a network
    failure it should quietly retry or ignore."""


class _State:
    def __init__(self, log: Path | None) -> None:
        self.log = log
        self.lock = threading.Lock()
        self.watchers: list[list[dict[str, Any]]] = []  # per-test views (the no_network fixture)


def is_local(host: object) -> bool:
    """Loopback, the unspecified address (which Linux routes to this machine) or localhost."""
    if host is None:
        return True
    text = (host.decode(errors="replace") if isinstance(host, bytes) else str(host)).lower()
    text = text.strip("[]").split("%", 1)[0]
    if text in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False  # a host name: resolving it is already traffic
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def _is_numeric(host: object) -> bool:
    text = host.decode(errors="replace") if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def install(log: Path | str | None) -> None:
    """Guard this process; attempts go to `log` (JSON lines). A second call only moves the log
    (a pytest run inside a test's subprocess has the guard from sitecustomize already)."""
    state = getattr(socket, "_guidance_network_guard", None)
    if state is not None:
        state.log = Path(log) if log else None
        return
    state = _State(Path(log) if log else None)
    socket._guidance_network_guard = state  # type: ignore[attr-defined]

    def refuse(kind: str, target: object) -> NetworkAttempt:
        entry = {
            "pid": os.getpid(),
            "kind": kind,
            "target": repr(target),
            "process": " ".join(sys.argv[:3]),
            "test": os.environ.get("PYTEST_CURRENT_TEST", ""),
        }
        with state.lock:
            for watcher in state.watchers:
                watcher.append(entry)
            if state.log is not None:
                with state.log.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(entry) + "\n")
        return NetworkAttempt(f"network {kind} attempted to {target!r} (tests run offline)")

    def guarded_address(method: Callable, kind: str, address_at: int) -> Callable:
        def guarded(self, *args):
            address = args[address_at] if len(args) > address_at else None
            if self.family in _INTERNET and isinstance(address, tuple) and not is_local(address[0]):
                raise refuse(kind, address)
            return method(self, *args)

        guarded.__wrapped__ = method  # type: ignore[attr-defined]
        return guarded

    def guarded_lookup(function: Callable) -> Callable:
        def guarded(host, *args, **kwargs):
            if not is_local(host) and not _is_numeric(host):
                raise refuse("name lookup", host)
            return function(host, *args, **kwargs)

        guarded.__wrapped__ = function  # type: ignore[attr-defined]
        return guarded

    cls = socket.socket
    cls.connect = guarded_address(cls.connect, "connection", 0)
    cls.connect_ex = guarded_address(cls.connect_ex, "connection", 0)
    # sendto(data, address) or sendto(data, flags, address): UDP needs no connect.
    original_sendto = cls.sendto

    def guarded_sendto(self, data, *rest):
        address = rest[-1] if rest else None
        if self.family in _INTERNET and isinstance(address, tuple) and not is_local(address[0]):
            raise refuse("datagram", address)
        return original_sendto(self, data, *rest)

    cls.sendto = guarded_sendto
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        setattr(socket, name, guarded_lookup(getattr(socket, name)))


@contextlib.contextmanager
def recording_to(log: Path) -> Iterator[None]:
    """Send attempts to another file for a while: how the guard's own tests make attempts on
    purpose without failing the session."""
    state = socket._guidance_network_guard  # type: ignore[attr-defined]
    previous, state.log = state.log, log
    try:
        yield
    finally:
        state.log = previous


def watch() -> list[dict[str, Any]]:
    """A list that receives every attempt from now on, until `unwatch`."""
    seen: list[dict[str, Any]] = []
    socket._guidance_network_guard.watchers.append(seen)  # type: ignore[attr-defined]
    return seen


def unwatch(seen: list[dict[str, Any]]) -> None:
    socket._guidance_network_guard.watchers.remove(seen)  # type: ignore[attr-defined]


def read_log(log: Path) -> list[dict[str, Any]]:
    if not log.is_file():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
