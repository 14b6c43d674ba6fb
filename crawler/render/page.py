"""One page in Chromium: every exchange the browser had with servers, and the page once settled.

`PageCapture` listens to the page's network events (Playwright's `request`,
`requestfinished`, `requestfailed`) and keeps, for each finished request, what the
browser reports of it: request headers and post data, status, reason phrase, response
headers and body, server address. `finish_page` waits for the page to settle, dismisses a
consent banner by rule, and takes the rendered DOM and a full-page screenshot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from playwright._impl._errors import TargetClosedError  # what scrapy-playwright retries on

from crawler.render.consent import dismiss_consent

logger = logging.getLogger(__name__)

MAX_LISTED = 500  # URLs kept in a render's log
QUIET_IDLE = 0.5  # seconds without a request in flight that make a page settled
BODY_READ_TIMEOUT = 3.0  # seconds for one body to be handed over
BODY_TIMEOUT = 10.0  # seconds to wait for the bodies still being read when the page is done


@dataclass
class BrowserExchange:
    """One finished request as Chromium reports it (no raw bytes: see crawler.render.records)."""

    url: str
    method: str
    started: float  # time.time() when the browser issued it
    request_headers: list[tuple[str, str]]
    post_data: bytes | None
    status: int
    status_text: str
    response_headers: list[tuple[str, str]]
    body: bytes | None  # None: not available (a redirect) or not kept (too large)
    body_note: str = ""
    ip_address: str | None = None
    resource_type: str = ""
    navigation: bool = False  # a navigation of the page's main frame


@dataclass
class PageCapture:
    """What one render left behind; filled by the page's event handlers and finish_page."""

    requested_url: str
    max_body: int
    reason: str = ""  # why the page was rendered
    exchanges: list[BrowserExchange] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, error)
    requested: list[str] = field(default_factory=list)  # every URL the page asked for, in order
    page_url: str = ""
    dom: str | None = None
    screenshot: bytes | None = None
    consent: str | None = None
    settled: bool = False
    notes: list[str] = field(default_factory=list)
    browser_version: str = ""
    browser_session: int = 0  # 1 for the crawl's first browser, 2 after a restart, ...
    started: float = field(default_factory=time.time)
    finished: float | None = None
    page: Any = None
    _issued: dict[int, float] = field(default_factory=dict)
    _in_flight: int = 0
    _last_activity: float = field(default_factory=time.time)
    _tasks: set[asyncio.Task] = field(default_factory=set)

    # -- the page's events ---------------------------------------------------------------

    def attach(self, page: Any) -> None:
        """Start listening to `page`. Called again when scrapy-playwright retries a page whose
        browser went away; what the first attempt received is kept (it was sent)."""
        if self.page is not None:
            self.notes.append("page opened again: the browser went away during the first attempt")
            self._in_flight = 0  # the first attempt's requests will never finish
        self.page = page
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_finished)
        page.on("requestfailed", self._on_failed)
        try:
            self.browser_version = page.context.browser.version
        except Exception:  # a persistent context has no browser object
            self.browser_version = ""

    def _on_request(self, request: Any) -> None:
        self._issued[id(request)] = self._last_activity = time.time()
        self._in_flight += 1
        if len(self.requested) < MAX_LISTED:
            self.requested.append(request.url)

    def _on_finished(self, request: Any) -> None:
        self._settled_one()
        task = asyncio.ensure_future(self._record(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_failed(self, request: Any) -> None:
        self._settled_one()
        self.failed.append((request.url, str(request.failure or "failed")))

    def _settled_one(self) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self._last_activity = time.time()

    async def quiet(self, timeout: float, idle: float = QUIET_IDLE) -> bool:
        """Wait until no request has been in flight for `idle` seconds; False at `timeout`.

        By hand rather than Playwright's "networkidle" load state, which is reached once per
        navigation and so says nothing about requests a click starts later."""
        deadline = time.monotonic() + timeout
        while True:
            if self.page is not None and self.page.is_closed():
                # the browser went away: scrapy-playwright opens the page again on this error
                raise TargetClosedError()
            if self._in_flight == 0 and time.time() - self._last_activity >= idle:
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.05)

    async def _record(self, request: Any) -> None:
        if not request.url.startswith(("http://", "https://")):
            return
        try:
            response = await request.response()
            if response is None:
                return
            request_headers = await request.headers_array()
            response_headers = await response.headers_array()
            body, note = await self._body(response, response_headers)
            address = await response.server_addr()
        except Exception as exc:  # the page closed under us: what was not read is lost
            self.failed.append((request.url, f"not recorded: {exc}"))
            return
        self.exchanges.append(BrowserExchange(
            url=request.url, method=request.method,
            started=self._issued.pop(id(request), time.time()),
            request_headers=[(h["name"], h["value"]) for h in request_headers],
            post_data=request.post_data_buffer, status=response.status,
            status_text=response.status_text,
            response_headers=[(h["name"], h["value"]) for h in response_headers],
            body=body, body_note=note,
            ip_address=address["ipAddress"] if address else None,
            resource_type=request.resource_type,
            navigation=_main_frame_navigation(request),
        ))

    async def _body(self, response: Any, headers: list[dict[str, str]]) -> tuple[bytes | None, str]:
        if 300 <= response.status < 400:
            return None, "redirect: Chromium does not expose the body"
        length = next((h["value"] for h in headers if h["name"].lower() == "content-length"), "")
        if length.isdigit() and int(length) > self.max_body:
            return None, f"body of {length} bytes not kept (limit {self.max_body})"
        try:  # bounded: Chromium asks a hung renderer for its document's body, and waits
            return await asyncio.wait_for(response.body(), BODY_READ_TIMEOUT), ""
        except TimeoutError:
            return None, f"body not available within {BODY_READ_TIMEOUT:g} s"
        except Exception as exc:
            return None, f"body not available: {exc}"[:200]

    async def drain(self, timeout: float = BODY_TIMEOUT) -> None:
        """Wait for the bodies still being read."""
        if self._tasks:
            done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                self.notes.append(f"{len(pending)} response(s) still loading were not recorded")

    async def close_page(self, timeout: float = 5.0) -> bool:
        """Close the page if it is still open; False when it would not close in time."""
        page, self.page = self.page, None
        if page is None or page.is_closed():
            return True
        try:
            await asyncio.wait_for(page.close(), timeout)
        except Exception:
            return False
        return True

    # -- results -------------------------------------------------------------------------

    @property
    def document(self) -> BrowserExchange | None:
        """The page's own response: the last main-frame navigation that was not a redirect."""
        candidates = [e for e in self.exchanges if e.navigation and not 300 <= e.status < 400]
        if not candidates:
            return None
        same = [e for e in candidates if e.url == self.page_url]
        return (same or candidates)[-1]

    @property
    def dom_bytes(self) -> bytes:
        return (self.dom or "").encode("utf-8")

    def log(self) -> dict[str, Any]:
        """The render as JSON for the archive: what was asked, what happened, what failed."""
        return {
            "coprod_render": {
                "requested_url": self.requested_url, "page_url": self.page_url,
                "reason": self.reason, "browser": f"Chromium {self.browser_version}".strip(),
                "browser_session": self.browser_session,
                "started": self.started, "finished": self.finished,
                "settled": self.settled, "consent": self.consent,
                "requested": self.requested, "failed": self.failed[:MAX_LISTED],
                "notes": self.notes,
            }
        }


def _main_frame_navigation(request: Any) -> bool:
    try:
        return request.is_navigation_request() and request.frame.parent_frame is None
    except Exception:  # a service worker's request has no frame
        return False


async def finish_page(page: Any, capture: PageCapture, *, settle: float, screenshot: bool,
                      max_height: int) -> None:
    """Let the page settle, press away a consent banner, take the DOM and a screenshot.

    Called by scrapy-playwright after `page.goto` (a PageMethod). A network that never goes
    quiet is noted and the page taken as it is; a page that never loads or never answers is
    the handler's timeout (crawler.render.handler).
    """
    capture.settled = await capture.quiet(settle)
    if not capture.settled:
        capture.notes.append(f"network still busy after {settle:g} s; page taken as it was")
    capture.consent = await dismiss_consent(page)
    if capture.consent:
        capture.notes.append(f"consent banner dismissed ({capture.consent})")
        capture.settled = await capture.quiet(settle)
    capture.page_url = page.url
    capture.dom = await page.content()
    if screenshot:
        capture.screenshot = await _screenshot(page, capture, max_height)
    await capture.drain()
    capture.finished = time.time()
    logger.debug("rendered %s in %.2f s (settled: %s, consent: %s)", capture.page_url,
                 capture.finished - capture.started, capture.settled, capture.consent)


async def _screenshot(page: Any, capture: PageCapture, max_height: int) -> bytes | None:
    height = await page.evaluate(
        "Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)")
    options: dict[str, Any] = {"full_page": True, "type": "png", "animations": "disabled"}
    if isinstance(height, int | float) and height > max_height:
        width = (page.viewport_size or {}).get("width", 1280)
        options["clip"] = {"x": 0, "y": 0, "width": width, "height": max_height}
        capture.notes.append(f"screenshot cut to the first {max_height} of {int(height)} px")
    try:
        return await page.screenshot(**options)
    except Exception as exc:  # a screenshot is evidence, not the record: go on without it
        capture.notes.append(f"no screenshot: {exc}"[:200])
        return None
