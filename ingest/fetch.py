"""`assistant ingest --fetch`: download the four official documents into the corpus folder.

The only code in the product that reaches the network, and only when a person asks for it. Each
download is bounded in time, size and content type, and written atomically, so a failed download
never leaves half a file to be ingested.
"""

from __future__ import annotations

import errno
import os
import socket
import ssl
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from ingest.manifest import OfficialDocument

# What a publisher may send for each kind of file we store.
_ACCEPTED = {
    ".html": ("text/html", "application/xhtml+xml"),
    ".pdf": ("application/pdf",),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
}
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchResult:
    id: str
    path: str
    status: str  # "fetched" or "failed"
    reason: str = ""  # why it failed, in plain words ("no network (name resolution failed)")
    bytes: int = 0
    host: str = ""  # where it was downloaded from

    def describe(self) -> str:
        """One line for the person who asked for the download."""
        if self.status == "fetched":
            return f"downloaded {self.id} from {self.host} ({_size(self.bytes)}) to {self.path}"
        return f"could not download {self.id} from {self.host}: {self.reason}"


def _size(count: int) -> str:
    if count >= 1e6:
        return f"{count / 1e6:.1f} MB"
    return f"{count / 1e3:.0f} kB" if count >= 1e3 else f"{count} bytes"


def fetch_official(
    documents: list[OfficialDocument], corpus_dir: Path, timeout_s: float, max_bytes: int
) -> list[FetchResult]:
    """Download each document to `corpus_dir / document.file`; one result per document."""
    return [_fetch_one(document, corpus_dir, timeout_s, max_bytes) for document in documents]


def _fetch_one(document: OfficialDocument, corpus_dir: Path, timeout_s: float, max_bytes: int):
    result = _download(document, corpus_dir, timeout_s, max_bytes)
    host = urlparse(document.fetch_url).netloc or document.fetch_url
    return replace(result, host=host)


def _download(document: OfficialDocument, corpus_dir: Path, timeout_s: float, max_bytes: int):
    target = corpus_dir / document.file
    accepted = _ACCEPTED.get(target.suffix.lower())
    if accepted is None:
        return FetchResult(document.id, document.file, "failed", f"cannot store {target.suffix} files")
    request = urllib.request.Request(
        document.fetch_url, headers={"User-Agent": "GuidanceAssistant/1.0 (+fetch official guidance)"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            content_type = response.headers.get_content_type()
            if content_type not in accepted:
                return FetchResult(
                    document.id, document.file, "failed",
                    f"unexpected content type {content_type} (expected {', '.join(accepted)})",
                )
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                return FetchResult(document.id, document.file, "failed", _too_big(max_bytes))
            size = _save(response, target, max_bytes)
    except _TooBig:
        return FetchResult(document.id, document.file, "failed", _too_big(max_bytes))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return FetchResult(document.id, document.file, "failed", plain_reason(exc, timeout_s))
    return FetchResult(document.id, document.file, "fetched", bytes=size)


def plain_reason(exc: BaseException, timeout_s: float) -> str:
    """Why a download failed, in words a social worker can act on, not an errno."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"the website answered {exc.code} {exc.reason}".rstrip()
    cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(cause, socket.gaierror):
        if cause.errno == socket.EAI_NONAME:
            return "no network, or no such website (name resolution failed)"
        return "no network (name resolution failed)"
    if isinstance(cause, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout_s:g} seconds (a slow or missing network)"
    if isinstance(cause, ConnectionRefusedError):
        return "the website refused the connection"
    if isinstance(cause, ssl.SSLError):
        return "the secure connection failed (check the computer's date and any proxy)"
    if isinstance(cause, OSError) and cause.errno in _NO_ROUTE:
        return "no network (the network is unreachable)"
    return f"the download failed ({cause})"


_NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH}


class _TooBig(Exception):
    pass


def _too_big(max_bytes: int) -> str:
    return f"larger than the {max_bytes / 1e6:.0f} MB download limit"


def _save(response, target: Path, max_bytes: int) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            while block := response.read(_CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise _TooBig()
                out.write(block)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return size
