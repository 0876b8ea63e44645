"""What every request to the chat passes before Chainlit sees it (an ASGI middleware app.py puts
in front of Chainlit's server):

- its Host must be a name this chat is reached by. Otherwise a web page on another site, whose
  name its owner points at this machine (DNS rebinding), is "same origin" to the chat: the
  websocket's origin check lets it in, and it could ask and read as the user's browser;
- Chainlit's API documentation (/docs, /redoc, /openapi.json) is not served: it advertises every
  route, and /docs loads its script from a CDN;
- a request body is bounded before anything reads it (the page's own requests are small; the
  websocket's messages are bounded by engine.io);
- the client's address is kept for the log-in throttle (client_address()).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from contextvars import ContextVar

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024  # a feedback comment at its limit, every character escaped, fits
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
ALL_ADDRESSES = ("0.0.0.0", "::", "")
_CLIENT: ContextVar[str] = ContextVar("client_address", default="")


def client_address() -> str:
    """The address of the client whose request is being handled ("" outside a request)."""
    return _CLIENT.get()


def host_allowed(header: str, listening_on: str, names: Iterable[str] = ()) -> bool:
    """Whether a Host header names this chat: its own address or name (`--host`), this
    machine's loopback names, one of `names`, or, when it listens on every address, any IP
    address (a rebound name is never an address)."""
    name = _host_name(header)
    listening_on = listening_on.lower()
    if name in (*LOOPBACK_NAMES, listening_on, *(n.lower().rstrip(".") for n in names)):
        return bool(name)
    return listening_on in ALL_ADDRESSES and _is_address(name)


def guard_edge(
    app: FastAPI,
    *,
    listening_on: str,
    names: Iterable[str],
    socket_path: str,
    unknown_host: str,
    too_large: str,
) -> None:
    """Put EdgeGuard in front of everything `app` serves (before it has started)."""
    app.add_middleware(
        EdgeGuard,
        listening_on=listening_on,
        names=names,
        closed_paths=(
            app.docs_url,
            app.redoc_url,
            app.openapi_url,
            app.swagger_ui_oauth2_redirect_url,
        ),
        max_body_bytes=MAX_BODY_BYTES,
        unbounded_prefix=socket_path,  # engine.io bounds the websocket's messages itself
        unknown_host=unknown_host,
        too_large=too_large,
    )


class EdgeGuard:
    """The checks above, for HTTP requests and websockets alike."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        listening_on: str,
        names: Iterable[str],
        closed_paths: Iterable[str],
        max_body_bytes: int,
        unbounded_prefix: str,
        unknown_host: str,
        too_large: str,
    ) -> None:
        self.app = app
        self.listening_on, self.names = listening_on, tuple(names)
        self.closed_paths = frozenset(path for path in closed_paths if path)
        self.max_body_bytes, self.unbounded_prefix = max_body_bytes, unbounded_prefix
        self.unknown_host, self.too_large = unknown_host, too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not host_allowed(Headers(scope=scope).get("host", ""), self.listening_on, self.names):
            if scope["type"] == "websocket":
                await receive()  # the connection request, refused (the server answers 403)
                await send({"type": "websocket.close", "code": 1008})
            else:
                await PlainTextResponse(self.unknown_host, 400)(scope, receive, send)
            return
        client = scope.get("client")
        _CLIENT.set(client[0] if client else "")
        if scope["type"] == "http":
            if scope["path"] in self.closed_paths:
                await PlainTextResponse("Not Found", 404)(scope, receive, send)
                return
            if not scope["path"].startswith(self.unbounded_prefix):
                body = await _body(scope, receive, self.max_body_bytes)
                if body is None:
                    await JSONResponse({"detail": self.too_large}, 413)(scope, receive, send)
                    return
                receive = _replay(body, receive)
        await self.app(scope, receive, send)


async def _body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it is known to be longer than `limit` bytes."""
    declared = Headers(scope=scope).get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive() that gives the body already read, then what the client sends next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def _host_name(header: str) -> str:
    """"Name:port", "[v6 address]:port" or either without the port: the name, lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    if header.count(":") == 1:
        header = header.partition(":")[0]
    return header.rstrip(".")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
