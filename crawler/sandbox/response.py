"""A scripted answer of the sandbox web: status, headers, body, and how the body misbehaves.

A `Response` is data: the server reads it and acts it out (delay before the status line,
a slow body, chunked encoding, a reset, a truncated body, a body that never finishes).
"""

from __future__ import annotations

import gzip as gzip_lib
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Literal

Cut = Literal["reset", "truncate", "stall"]

# Content types by suffix where `mimetypes` answers differently from what servers send.
_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".bib": "application/x-bibtex",
    ".ris": "application/x-research-info-systems",
}
_TEXTUAL = ("text/", "application/json", "application/xml", "application/x-bibtex")


@dataclass
class Response:
    """One answer. `body` or `file` (read at serve time, never copied) gives the bytes.

    Behaviours:
      delay          seconds to wait before the status line
      slow_bytes     send the body this many bytes at a time, `slow_interval` seconds apart
      gzip           store the body gzip-compressed and send it as is, Content-Encoding: gzip
                     (a `file` is compressed on first use and kept)
      chunked        Transfer-Encoding: chunked (chunks of `chunk_size` bytes)
      cut            "reset" (RST via SO_LINGER 0), "truncate" (close cleanly, Content-Length
                     promised more) or "stall" (never finish) after `cut_after` bytes of the
                     body as sent on the wire; `cut_after=None` cuts before the status line
      etag, last_modified  sent as headers; a matching If-None-Match / If-Modified-Since
                     gets 304
    """

    status: int = 200
    body: bytes | str | None = None
    file: Path | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    delay: float = 0.0
    slow_bytes: int | None = None
    slow_interval: float = 0.05
    gzip: bool = False
    chunked: bool = False
    chunk_size: int = 4096
    cut: Cut | None = None
    cut_after: int | None = 0
    stall_seconds: float = 300.0
    etag: str | None = None
    last_modified: str | datetime | None = None
    _gzipped: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.body is not None and self.file is not None:
            raise ValueError("give body or file, not both")
        if self.cut not in (None, "reset", "truncate", "stall"):
            raise ValueError(f"unknown cut {self.cut!r}")
        if self.file is not None:
            self.file = Path(self.file)
        if self.etag and not self.etag.startswith(('"', "W/")):
            self.etag = f'"{self.etag}"'
        if isinstance(self.last_modified, datetime):
            self.last_modified = format_datetime(self.last_modified, usegmt=True)
        if self.gzip and self.file is None:
            self._gzipped = _compress(self._raw())

    def _raw(self) -> bytes:
        if self.file is not None:
            return self.file.read_bytes()
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return self.body or b""

    def payload(self) -> bytes:
        """The body bytes as sent (compressed when `gzip`)."""
        if not self.gzip:
            return self._raw()
        if self._gzipped is None:
            self._gzipped = _compress(self._raw())
        return self._gzipped

    def media_type(self) -> str:
        """Content-Type: explicit, else from the file suffix, else sniffed from the body."""
        if self.content_type:
            return self.content_type
        if self.file is not None:
            suffix = self.file.suffix.lower()
            kind = _TYPES.get(suffix) or mimetypes.guess_type(self.file.name)[0]
            kind = kind or "application/octet-stream"
        else:
            head = self._raw()[:512].lstrip().lower()
            if head.startswith((b"<!doctype html", b"<html")) or b"<head" in head:
                kind = "text/html"
            elif head.startswith((b"{", b"[")):
                kind = "application/json"
            elif head.startswith(b"<?xml"):
                kind = "application/xml"
            else:
                kind = "text/plain"
        if kind.startswith(_TEXTUAL) and _is_utf8(self._raw()[:65536]):
            kind += "; charset=utf-8"
        return kind

    def header_list(self) -> list[tuple[str, str]]:
        """Headers this response carries besides framing (Content-Length, Transfer-Encoding)."""
        out = [(k, v) for k, v in self.headers.items()]
        names = {k.lower() for k, _ in out}
        if "content-type" not in names and (self.body is not None or self.file is not None):
            out.append(("Content-Type", self.media_type()))
        if self.gzip and "content-encoding" not in names:
            out.append(("Content-Encoding", "gzip"))
        if self.etag and "etag" not in names:
            out.append(("ETag", self.etag))
        if self.last_modified and "last-modified" not in names:
            out.append(("Last-Modified", str(self.last_modified)))
        return out

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """True when a conditional GET may be answered 304 (RFC 9110 13.1.2 / 13.1.3)."""
        if self.status != 200:
            return False
        etag = self.etag or _header(self.headers, "etag")
        if if_none_match is not None:
            if not etag:
                return False
            wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in wanted or etag.removeprefix("W/") in wanted
        modified = self.last_modified or _header(self.headers, "last-modified")
        if if_modified_since and modified:
            try:
                return parsedate_to_datetime(str(modified)) <= parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
        return False


def redirect(to: str, status: int = 301) -> Response:
    """A redirect with the small HTML body real servers send along with Location."""
    body = f'<html><body>Moved: <a href="{to}">{to}</a></body></html>\n'
    return Response(status=status, body=body, headers={"Location": to}, content_type="text/html")


def not_found(url: str) -> Response:
    return Response(status=404, body=f"404 Not Found (sandbox web): {url}\n")


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _compress(data: bytes) -> bytes:
    return gzip_lib.compress(data, mtime=0)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(data) - 3  # a character split at the 64 KiB sniff boundary
    return True
