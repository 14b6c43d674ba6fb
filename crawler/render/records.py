"""A rendered page into the WARC: the browser's exchanges as request/response records, the
DOM and the screenshot as resource records, and a log of the render as a metadata record.

Chromium gives no raw bytes, only what its network stack reports, so the HTTP heads are
rebuilt from that report. What is normalised (also in the README):
- the request line and status line say HTTP/1.1 whatever the protocol was (Playwright does
  not report it); the reason phrase is Chromium's;
- header names, values and order are as Chromium reports them; a request whose full header
  list Chromium did not report (redirect hops) has the headers it did report, and `Host`
  is added when missing; CR/LF inside a value become spaces;
- the body is the one Chromium decoded: `Content-Encoding` and `Transfer-Encoding` lines
  are dropped and `Content-Length` is set to the stored body's length;
- a body Chromium does not expose (redirects) or that was too large is left empty, with
  `WARC-Truncated` (unless the server sent none).
Every such record carries `Coprod-Capture: browser`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archive import warcrecords
from archive.catalog import capture_values
from archive.replay_rendered import (
    CAPTURE_HEADER,
    CAPTURE_VALUE,
    DOM_SCHEME,
    DOM_TYPE,
    SCREENSHOT_SCHEME,
)
from archive.warcwriter import WrittenRecord

if TYPE_CHECKING:  # only for annotations: reading renders back needs no Playwright
    from crawler.archiving import WarcArchive
    from crawler.render.page import BrowserExchange, PageCapture

_DROPPED = {"transfer-encoding", "content-encoding"}


@dataclass
class RenderRecords:
    """Where a render landed in the archive."""

    document: WrittenRecord | None = None  # the page's own response record
    dom: WrittenRecord | None = None
    screenshot: WrittenRecord | None = None
    log: WrittenRecord | None = None
    responses: list[str] = field(default_factory=list)  # every response record id, in order

    @property
    def capture_ids(self) -> list[str]:
        """The records a record extracted from the DOM rests on."""
        found = (self.document, self.dom, self.screenshot)
        return [w.record_id for w in found if w is not None]


def render_notes(browser: str, reason: str, page_url: str, dom_id: str | None,
                 notes: Iterable[str]) -> list[str]:
    """The provenance notes of a record read from a rendered DOM: made live from the render,
    and again from its log when the page is answered from the archive."""
    dom = f" {DOM_SCHEME}{page_url} {dom_id}" if dom_id else ""
    return [f"rendered DOM ({browser}; {reason or 'asked'}){dom}", *(f"render: {n}" for n in notes)]


def request_bytes(exchange: BrowserExchange) -> bytes:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{exchange.method} {target} HTTP/1.1"]
    if not any(name.lower() == "host" for name, _ in exchange.request_headers):
        lines.append(f"Host: {parts.netloc}")
    lines += [f"{name}: {_clean(value)}" for name, value in exchange.request_headers]
    return _encode("\r\n".join(lines) + "\r\n\r\n") + (exchange.post_data or b"")


def response_head(exchange: BrowserExchange) -> bytes:
    lines = [f"HTTP/1.1 {exchange.status} {_clean(exchange.status_text)}".rstrip()]
    for name, value in exchange.response_headers:
        lowered = name.lower()
        if lowered in _DROPPED and exchange.body is not None:
            continue
        if lowered == "transfer-encoding":
            continue
        if lowered == "content-length" and exchange.body is not None:
            value = str(len(exchange.body))
        lines.append(f"{name}: {_clean(value)}")
    return _encode("\r\n".join(lines) + "\r\n\r\n")


def truncation(exchange: BrowserExchange) -> str | None:
    """WARC-Truncated for a response stored without the body the server sent, else None."""
    if exchange.body is not None:
        return None
    declared = next((v for n, v in exchange.response_headers if n.lower() == "content-length"), None)
    if declared is not None and declared.strip() == "0":
        return None
    return "length" if "not kept" in exchange.body_note else "unspecified"


def write_capture(archive: WarcArchive, capture: PageCapture) -> RenderRecords:
    """Archive everything one render produced; the DOM and screenshot are WARC-Concurrent-To
    the page's response record, the log refers to it."""
    written = RenderRecords()
    document = capture.document
    for exchange in sorted(capture.exchanges, key=lambda e: e.started):
        response = _write_exchange(archive, exchange)
        written.responses.append(response.record_id)
        if exchange is document:
            written.document = response
    page_url = capture.page_url or capture.requested_url
    concurrent = written.document.record_id if written.document else None
    resources = []  # (attribute of RenderRecords, record)
    if capture.dom is not None:
        resources.append(("dom", warcrecords.resource_record(
            DOM_SCHEME + page_url, capture.dom_bytes, DOM_TYPE, concurrent_to=concurrent)))
    if capture.screenshot:
        resources.append(("screenshot", warcrecords.resource_record(
            SCREENSHOT_SCHEME + page_url, capture.screenshot, "image/png",
            concurrent_to=concurrent)))
    ids = {name: warcrecords.record_id(record) for name, record in resources}
    log = capture.log()
    log["coprod_render"]["records"] = {
        "document": concurrent, "dom": ids.get("dom"), "screenshot": ids.get("screenshot"),
        "responses": written.responses,
    }
    # one group, so the log always follows its DOM in the same file (archive.replay_rendered)
    records = [record for _, record in resources]
    records.append(warcrecords.metadata_record(page_url, log, refers_to=concurrent))
    *placed, written.log = archive.writer.write_group(records)
    for (name, record), where in zip(resources, placed, strict=True):
        _index(archive, record, where)
        setattr(written, name, where)
    return written


def _write_exchange(archive: WarcArchive, exchange: BrowserExchange) -> WrittenRecord:
    date = warcrecords.iso_date(exchange.started)
    extra = {CAPTURE_HEADER: CAPTURE_VALUE}
    if reason := truncation(exchange):
        extra["WARC-Truncated"] = reason
    response = warcrecords.response_record(
        exchange.url, response_head(exchange), exchange.body or b"", date=date,
        ip_address=exchange.ip_address, extra=extra)
    request = warcrecords.request_record(
        exchange.url, request_bytes(exchange), date=date,
        concurrent_to=warcrecords.record_id(response))
    request.rec_headers.add_header(CAPTURE_HEADER, CAPTURE_VALUE)
    _, written = archive.writer.write_group([request, response])
    _index(archive, response, written)
    return written


def _index(archive: WarcArchive, record: object, written: WrittenRecord) -> None:
    archive.catalog.add_capture(**capture_values(record), warc_file=written.warc_file,
                                offset=written.offset, record_length=written.length)


def _clean(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def _encode(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")
