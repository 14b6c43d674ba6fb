"""Pages rendered in a browser (crawler.render), read back from the archive.

A rendered page leaves, beside the plain fetch of its HTML: the browser's exchanges
(request/response pairs marked `Coprod-Capture: browser`), a resource `urn:dom:<page URL>`
(the DOM the record was extracted from), a resource `urn:screenshot:<page URL>`, both
`WARC-Concurrent-To` the page's response from the browser, and a metadata record
`{"coprod_render": ...}` logging the render, written right after them. The audit re-extracts
from the DOM, and `--from-archive` / `--resume` hand it to the spider again, from here.

    page = read_rendered(index, index_opener(index), latest_dom(index, url))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from archive.catalog import Capture, Catalog
from archive.replay import warc_time
from archive.replay_index import ReplayIndex

DOM_SCHEME = "urn:dom:"
SCREENSHOT_SCHEME = "urn:screenshot:"
DOM_TYPE = "text/html; charset=utf-8"
CAPTURE_HEADER = "Coprod-Capture"  # on the browser's request/response records
CAPTURE_VALUE = "browser"
LOG_KEY = "coprod_render"
# Headers of the served page that are not true of the DOM handed on in its place.
NOT_OF_THE_DOM = ("content-length", "content-encoding", "transfer-encoding", "content-type")
MAX_DOM = 64 * 1024 * 1024
MAX_LOG = 4 * 1024 * 1024
FOLLOWING = 3  # records after the DOM looked at for its screenshot and render log

Opener = Callable[[str], IO[bytes]]  # a WARC file's name (as catalog rows give it) -> stream


def index_opener(index: ReplayIndex) -> Opener:
    return lambda name: index.file(name).open()


def rendered_page_url(uri: str) -> str | None:
    """The page a `urn:dom:` or `urn:screenshot:` resource is of, else None."""
    for scheme in (DOM_SCHEME, SCREENSHOT_SCHEME):
        if uri.startswith(scheme):
            return uri[len(scheme):]
    return None


def is_dom(capture: Capture) -> bool:
    return capture.record_type == "resource" and capture.uri.startswith(DOM_SCHEME)


def dom_headers(page_headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers a spider gets with a rendered page: the page's own, less those about the
    served bytes, and the DOM's type (crawler.render.handler does the same live)."""
    kept = [(k, v) for k, v in page_headers if k.lower() not in NOT_OF_THE_DOM]
    return [*kept, ("Content-Type", DOM_TYPE)]


@dataclass
class RenderedPage:
    """One render as the archive holds it."""

    url: str  # the page as the browser ended on it
    dom: Capture
    body: bytes  # the DOM, exactly as archived
    document: Capture | None  # the page's response record from the browser
    status: int
    headers: list[tuple[str, str]]  # as the spider got them (dom_headers)
    screenshot: Capture | None = None
    log: dict[str, Any] = field(default_factory=dict)  # the render log's `coprod_render`

    @property
    def capture_ids(self) -> list[str]:
        """The records a record extracted from this DOM rests on (as the crawl noted them)."""
        return [c.record_id for c in (self.document, self.dom, self.screenshot) if c is not None]


def latest_dom(catalog: Catalog, url: str, since: datetime | None = None) -> Capture | None:
    """The newest DOM archived for the page at `url` (captured at `since` or later)."""
    found = [c for c in catalog.captures_for(DOM_SCHEME + url) if c.record_type == "resource"]
    if since is not None:
        found = [c for c in found if warc_time(c.warc_date) >= since]
    return found[-1] if found else None


def read_rendered(catalog: Catalog, opener: Opener, dom: Capture) -> RenderedPage:
    """The render whose DOM is `dom`: its body, the page's response, screenshot and log.
    OSError or ValueError when the DOM cannot be read."""
    records = _read(opener, dom, 1 + FOLLOWING)
    if not records or records[0][0].rec_type != "resource":
        raise ValueError(f"{dom.warc_file}@{dom.offset}: no resource record there")
    head, body = records[0]
    url = dom.uri[len(DOM_SCHEME):]
    document_id = head.rec_headers.get_header("WARC-Concurrent-To")
    log: dict[str, Any] = {}
    screenshot_id = None
    for record, content in records[1:]:  # written with the DOM, in one group
        headers = record.rec_headers
        if record.rec_type == "resource" and headers.get_header("WARC-Target-URI") == (
                SCREENSHOT_SCHEME + url) and headers.get_header("WARC-Concurrent-To") == document_id:
            screenshot_id = headers.get_header("WARC-Record-ID")
        elif record.rec_type == "metadata" and content:
            found = _render_log(content)
            ids = found.get("records")
            if isinstance(ids, dict) and ids.get("dom") == dom.record_id:
                log = found
                screenshot_id = ids.get("screenshot") or screenshot_id
                break
    document = _capture_of(catalog, url, document_id)
    status, page_headers = (_http_head(opener, document) if document is not None else (200, []))
    screenshot = _capture_of(catalog, SCREENSHOT_SCHEME + url, screenshot_id)
    return RenderedPage(url, dom, body, document, status, dom_headers(page_headers), screenshot, log)


def is_browser_capture(opener: Opener, capture: Capture) -> bool:
    """Whether `capture` is one of the browser's exchanges (Coprod-Capture: browser)."""
    records = _read(opener, capture, 1, content=False)
    return bool(records) and records[0][0].rec_headers.get_header(CAPTURE_HEADER) == CAPTURE_VALUE


def served_captures(catalog: Catalog, opener: Opener, url: str,
                    captures: list[Capture]) -> list[Capture]:
    """`captures` of `url` without the browser's copies of a rendered page, which are not
    what a plain fetch got; all of them when no other is left. Records are read only for
    URLs with a DOM archived."""
    if not catalog.captures_for(DOM_SCHEME + url):
        return captures
    plain = [c for c in captures if not is_browser_capture(opener, c)]
    return plain or captures


# -- reading -------------------------------------------------------------------------------------


def _read(opener: Opener, capture: Capture, count: int, *,
          content: bool = True) -> list[tuple[Any, bytes]]:
    """Up to `count` records from `capture` on in its file; the first one's content and any
    following metadata record's are read (bounded), a screenshot's never."""
    out: list[tuple[Any, bytes]] = []
    with opener(capture.warc_file) as stream:
        stream.seek(capture.offset)
        for record in _records(stream):
            wanted = content and (not out or record.rec_type == "metadata")
            limit = MAX_DOM if not out else MAX_LOG
            out.append((record, record.content_stream().read(limit) if wanted else b""))
            if len(out) >= count:
                break
    return out


def _records(stream: IO[bytes]) -> Iterator[Any]:
    try:
        yield from ArchiveIterator(stream)
    except Exception:  # a torn or foreign file past the records asked for: they were read
        return


def _render_log(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except ValueError:
        return {}
    log = data.get(LOG_KEY) if isinstance(data, dict) else None
    return log if isinstance(log, dict) else {}


def _capture_of(catalog: Catalog, uri: str, record_id: str | None) -> Capture | None:
    if not record_id:
        return None
    return next((c for c in catalog.captures_for(uri) if c.record_id == record_id), None)


def _http_head(opener: Opener, capture: Capture) -> tuple[int, list[tuple[str, str]]]:
    records = _read(opener, capture, 1, content=False)
    http = records[0][0].http_headers if records else None
    status = http.get_statuscode() if http is not None else None
    if http is None or not (status or "").isdigit():
        raise ValueError(f"{capture.warc_file}@{capture.offset}: no HTTP response there")
    return int(status), list(http.headers)
