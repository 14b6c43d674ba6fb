"""The local archive viewer: a stdlib HTTP server on 127.0.0.1.

Why stdlib `http.server`: a handful of read-only routes for one user on loopback; no
framework to install or audit. HTTP/1.0 (each connection closes after its answer).

Routes
    /?q=...                 search records
    /record/<key>           a record's fields, each with its source, and its captures
    /view/<ts>/<url>        time banner, other captures, headers, and the page in a sandbox
    /raw/<ts>/<url>         the archived body (capture nearest <ts>), URLs rewritten
    /missing/<ts>/<url>     what a link to something never archived leads to
Archived bodies go out under a CSP that allows nothing but this server ('self') and
inline data, with no script at all, and with the `sandbox` directive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from archive.catalog import Capture
from archive.replay import NotArchived, StoredResponse, closest, load, parse_when, timestamp14
from archive.replay_index import NoArchive, ReplayIndex
from archive.replay_rendered import DOM_SCHEME, SCREENSHOT_SCHEME, rendered_page_url
from archive.viewer import pages
from archive.viewer.rewrite import rewrite_css, rewrite_html
from extractors.encoding import decode_body
from extractors.errors import UnusableInput

logger = logging.getLogger(__name__)

VIEWER_CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-src 'self'; frame-ancestors 'none'; img-src 'self' data:; "
    "style-src 'self'"
)
ARCHIVED_CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; connect-src 'none'; img-src 'self' data:; font-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; media-src 'self'; frame-src 'self'; "
    "frame-ancestors 'self'; sandbox"
)
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
SEARCH_LIMIT = 200
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
_REDIRECTS = (301, 302, 303, 307, 308)


class ViewerServer(ThreadingHTTPServer):
    """Reads requests on many threads (a browser keeps idle connections open, which would
    stall a one-at-a-time server) and answers them one at a time on a single worker thread,
    which opens the index and alone touches it (SQLite connections stay on their thread)."""

    def __init__(self, address: tuple[str, int], open_index: Callable[[], ReplayIndex]) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="viewer-index")
        try:
            self.index: ReplayIndex = self._worker.submit(open_index).result()  # errors surface here
        except BaseException:
            self._worker.shutdown()
            raise
        try:
            super().__init__(address, ViewerHandler)
        except BaseException:
            self.close_index()
            raise

    def call(self, work: Callable[[], None]) -> None:
        self._worker.submit(work).result()

    def close_index(self) -> None:
        self._worker.submit(self.index.close).result()
        self._worker.shutdown()

    def server_close(self) -> None:
        super().server_close()
        self.close_index()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"


class ViewerHandler(BaseHTTPRequestHandler):
    server: ViewerServer
    server_version = "coprod-viewer"
    _head_only = False

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base class name
        logger.debug("%s " + format, self.address_string(), *args)

    @property
    def index(self) -> ReplayIndex:
        return self.server.index

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.server.call(self._get)

    def _get(self) -> None:
        path = self.path
        if not self._host_allowed():
            self._html(421, pages.message_page("Wrong host", "The viewer answers only to the "
                                               "address it listens on."))
            return
        try:
            if path == "/" or path.startswith("/?"):
                self._search(parse_qs(urlsplit(path).query).get("q", [""])[0])
            elif path.startswith("/record/"):
                self._record(unquote(path[len("/record/"):]))
            elif path.startswith(("/view/", "/raw/", "/missing/")):
                kind, _, rest = path[1:].partition("/")
                stamp, _, url = rest.partition("/")
                getattr(self, f"_{kind}")(stamp, url)
            elif path == "/static/viewer.css":
                self._send(200, pages.STYLE.encode(), "text/css; charset=utf-8", VIEWER_CSP)
            else:
                self._html(404, pages.message_page("Not found", "No such page in the viewer."))
        except NotArchived as missing:
            self._html(404, pages.message_page("Not archived", str(missing)))
        except (NoArchive, OSError) as broken:  # a WARC gone since the catalog named it
            self._html(500, pages.message_page("Archive file unreadable", str(broken)))

    def do_HEAD(self) -> None:  # noqa: N802 - http.server API
        self._head_only = True
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        page = pages.message_page("Not allowed", "The viewer only reads.")
        self.server.call(lambda: self._html(405, page))

    # -- pages ---------------------------------------------------------------------------

    def _search(self, query: str) -> None:
        query = query.strip()
        if "://" in query:
            found = self.index.find_captures(query)
            if found:
                self._redirect(pages.view_url(closest(found, None)))
                return
        rows = self.index.search(query, SEARCH_LIMIT) if query else self.index.record_rows(SEARCH_LIMIT)
        self._html(200, pages.search_page(query, rows, self.index.counts()["records"]))

    def _record(self, key: str) -> None:
        row = self.index.record_row(key)
        if row is None:
            self._html(404, pages.message_page("No such record", "Nothing in the catalog has this key.", key))
            return
        prov = row.data.get("provenance", {})
        ids = list(dict.fromkeys([*prov.get("captures", []), prov.get("warc_record_id")]))
        captures = sorted((c for c in map(self.index.capture, filter(None, ids)) if c),
                          key=lambda c: c.warc_date)
        primary = self.index.capture(prov["warc_record_id"]) if prov.get("warc_record_id") else None
        self._html(200, pages.record_page(row, captures, primary))

    def _view(self, stamp: str, url: str) -> None:
        capture = self._capture(stamp, url)
        stored = load(self.index, capture)
        others = self.index.find_captures(capture.uri)
        records = self.index.records_resting_on(capture.record_id)
        renders = [c for scheme in (DOM_SCHEME, SCREENSHOT_SCHEME)
                   for c in self.index.captures_for(scheme + capture.uri)]
        self._html(200, pages.frame_page(stored, others, records, renders))

    def _raw(self, stamp: str, url: str) -> None:
        capture = self._capture(stamp, url)
        stored = load(self.index, capture)
        location = stored.header("Location")
        if stored.status in _REDIRECTS and location:
            from urllib.parse import urljoin

            self._redirect(self._link(timestamp14(capture.warc_date))(urljoin(capture.uri, location)))
            return
        body, content_type = self._rewritten(stored)
        self._send(200, body, content_type, ARCHIVED_CSP,
                   {"X-Archived-Status": str(stored.status or ""), "X-Frame-Options": "SAMEORIGIN"})

    def _missing(self, stamp: str, url: str) -> None:
        text = pages.message_page("Not archived", "This link leads to something never captured; "
                                  "the viewer does not fetch from the live web.", url, home=False)
        self._send(404, text.encode(), "text/html; charset=utf-8", ARCHIVED_CSP)

    # -- helpers -------------------------------------------------------------------------

    def _host_allowed(self) -> bool:
        """Only requests naming this server (or loopback) in Host: a web page that re-points
        its own hostname at 127.0.0.1 (DNS rebinding) must not read the archive."""
        host = urlsplit(f"//{self.headers.get('Host', '')}").hostname or ""
        return host in (*LOOPBACK_NAMES, str(self.server.server_address[0]))

    def _capture(self, stamp: str, url: str) -> Capture:
        try:
            at: datetime | None = parse_when(stamp)
        except ValueError:
            at = None
        found = self.index.find_captures(url) or self.index.find_captures(unquote(url))
        if not found:
            raise NotArchived(f"nothing archived for {url}")
        return closest(found, at)

    def _link(self, stamp: str):  # noqa: ANN202 - a closure
        def link(url: str) -> str:
            kind = "raw" if self.index.find_captures(url) else "missing"
            return f"/{kind}/{stamp}/{url}"

        return link

    def _rewritten(self, stored: StoredResponse) -> tuple[bytes, str]:
        content_type = stored.content_type
        mime = content_type.split(";")[0].strip().lower()
        if mime not in ("text/html", "application/xhtml+xml", "text/css"):
            return stored.body, content_type
        try:
            text, _ = decode_body(stored.body, content_type)
        except UnusableInput:
            return stored.body, content_type
        link = self._link(timestamp14(stored.capture.warc_date))
        base = rendered_page_url(stored.capture.uri) or stored.capture.uri  # a DOM: its page's
        if mime == "text/css":
            return rewrite_css(text, base, link).encode(), "text/css; charset=utf-8"
        return rewrite_html(text, base, link).encode(), "text/html; charset=utf-8"

    def _html(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/html; charset=utf-8", VIEWER_CSP)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        for name, value in COMMON_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()

    def _send(self, status: int, body: bytes, content_type: str, csp: str,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", csp)
        for name, value in {**COMMON_HEADERS, **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if not self._head_only:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the browser moved on
                logger.debug("client left before %s was sent", self.path)


def serve(open_index: Callable[[], ReplayIndex], host: str = "127.0.0.1", port: int = 0,
          announce: Callable[[str], object] = print) -> None:
    """Serve until interrupted; `announce` is told the URL once the port is bound."""
    with ViewerServer((host, port), open_index) as server:
        announce(server.url)
        server.serve_forever()
