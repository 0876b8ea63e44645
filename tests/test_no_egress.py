"""No egress: the network guard every test runs behind (tests/netguard/), and, where the system
allows it, tests run inside a network namespace that has no network at all."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator

import pytest

from assistant.settings import PROJECT_ROOT
from tests.support import netguard

# TEST-NET-1 (RFC 5737): never routed, so even a guard that failed would reach nothing.
UNROUTABLE = ("192.0.2.1", 9)


@pytest.fixture
def loopback_listener() -> Iterator[tuple[str, int]]:
    """A listener on 127.0.0.1 that accepts connections and closes them."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                listener.accept()[0].close()
            except (TimeoutError, OSError):
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[:2]
    stop.set()
    thread.join()
    listener.close()


def test_the_guard_refuses_internet_connections_and_lookups(tmp_path):
    log = tmp_path / "attempts.jsonl"
    with netguard.recording_to(log):
        with pytest.raises(netguard.NetworkAttempt):
            socket.create_connection(UNROUTABLE, timeout=1)
        with pytest.raises(netguard.NetworkAttempt):
            socket.getaddrinfo("pypi.org", 443)
        with pytest.raises(netguard.NetworkAttempt):
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53))
        with pytest.raises(netguard.NetworkAttempt):
            socket.socket().connect_ex(("198.51.100.7", 443))
    attempts = netguard.read_log(log)
    print(f"network attempts refused on purpose: {len(attempts)}")
    assert [a["kind"] for a in attempts] == ["connection", "name lookup", "datagram", "connection"]


def test_loopback_localhost_and_unix_sockets_are_allowed(loopback_listener, no_network):
    host, port = loopback_listener
    socket.create_connection((host, port), timeout=2).close()
    socket.create_connection(("localhost", port), timeout=2).close()
    path = tempfile.mktemp(prefix="guard-", suffix=".sock", dir="/tmp")  # short: 108 bytes at most
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        server.bind(path)
        server.listen(1)
        client.connect(path)
    os.unlink(path)
    assert no_network == []


def test_python_processes_started_by_tests_run_behind_the_guard(tmp_path, loopback_listener):
    """The subprocess loads tests/netguard/sitecustomize.py from the PYTHONPATH conftest set."""
    log = tmp_path / "child-attempts.jsonl"
    port = loopback_listener[1]
    code = (
        "import socket\n"
        f"socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
        "print('loopback ok', flush=True)\n"
        f"socket.create_connection({UNROUTABLE!r}, timeout=1)\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, netguard.GUARD_LOG_VARIABLE: str(log)},
    )  # fmt: skip
    assert "loopback ok" in child.stdout
    assert child.returncode != 0 and "NetworkAttempt" in child.stderr
    (attempt,) = netguard.read_log(log)
    assert attempt["pid"] != os.getpid() and "192.0.2.1" in attempt["target"]


def _namespace_works() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


# The quick tests that talk to servers (the Ollama stand-in, a fake publisher), the guard's own
# tests, and the settings; run again inside a network namespace with only a loopback interface.
IN_NAMESPACE = [
    "tests/test_no_egress.py",
    "tests/test_backends.py",
    "tests/test_fetch.py",
    "tests/test_settings.py",
]


@pytest.mark.slow
def test_tests_pass_inside_a_network_namespace_without_network(tmp_path):
    if not _namespace_works():
        pytest.skip("user network namespaces (unshare -rn) are not available here")
    # -I: no PYTHONPATH, so no guard: the kernel itself must refuse.
    bare = subprocess.run(
        ["unshare", "-rn", sys.executable, "-I", "-c",
         f"import socket; print(socket.socket().connect_ex({UNROUTABLE!r}))"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bare.stdout.strip() == "101", bare.stderr  # ENETUNREACH: there is no network at all
    command = (
        "ip link set lo up && exec " + sys.executable
        + " -m pytest -q -p no:cacheprovider -m 'not slow' --basetemp "
        + str(tmp_path / "inner") + " " + " ".join(IN_NAMESPACE)
    )  # fmt: skip
    inner = subprocess.run(
        ["unshare", "-rn", "sh", "-c", command],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    lines = inner.stdout.strip().splitlines()
    summary = next((line for line in reversed(lines) if " passed" in line), "")
    print(f"inside a network namespace: {summary}; {_attempts_line(lines)}")
    assert inner.returncode == 0, inner.stdout[-3000:] + inner.stderr[-2000:]
    assert "network attempts: 0" in lines and " failed" not in summary


def _attempts_line(lines: list[str]) -> str:
    return next((line for line in lines if line.startswith("network attempts:")), "no count")
