"""Downloader middlewares: which pages go through Chromium, and archiving what it did.

Every page is first fetched as usual (and archived byte for byte by the WARC tap). An HTML
page that needs a browser, by host rule, by `--render`, or by the automatic check
(crawler.render.detect), is then requested again through Chromium. So APIs, citation
exports and downloads never reach the browser, and the server's own HTML stays in the
archive beside what the browser made of it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response

from crawler.archiving import WarcArchive, tag_request
from crawler.render import NOTES_META_KEY, PAGE_CAPTURE_KEY, RENDER_REASON_KEY
from crawler.render.config import RenderConfig
from crawler.render.detect import needs_render
from crawler.render.page import PageCapture
from crawler.render.records import RenderRecords, render_notes, write_capture

logger = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def render_reason(config: RenderConfig, url: str, headers: dict[str, str], body: bytes) -> str | None:
    """Why this served HTML page should be rendered (host rule, --render, the check), or None."""
    if config.mode == "never":
        return None
    if pattern := config.host_rule(urlsplit(url).hostname or ""):
        return f"host rule {pattern}"
    if config.mode == "always":
        return "--render"
    if config.mode == "auto":
        return needs_render(url, headers, body)
    return None


class RenderMiddleware:
    """Order 575 (after redirects and decompression): send a page that needs it to Chromium."""

    def __init__(self, config: RenderConfig, stats: Any) -> None:
        self.config = config
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderMiddleware:
        return cls(RenderConfig.from_settings(crawler.settings), crawler.stats)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if (request.meta.get("playwright") or request.method != "GET" or response.status != 200
                or urlsplit(response.url).path == "/robots.txt"):
            return response
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        if content_type.split(";")[0].strip().lower() not in _HTML_TYPES:
            return response
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        reason = render_reason(self.config, response.url, headers, response.body)
        if reason is None:
            return response
        self.stats.inc_value("coprod/render/requested")
        logger.info("rendering %s in Chromium (%s)", response.url, reason)
        meta = {**request.meta, "playwright": True, RENDER_REASON_KEY: reason}
        meta.pop("download_slot", None)  # a redirect keeps its first host's slot (doi.org's)
        return request.replace(url=response.url, meta=meta, dont_filter=True)


class BrowserTapMiddleware:
    """Order 949 (beside the WARC tap): archive a render's traffic, DOM and screenshot, and
    point the request at them: WARC_META_KEY is the page's response record, the captures
    gain it and the DOM and screenshot resources, the notes say the DOM was extracted."""

    def __init__(self, archive: WarcArchive, stats: Any) -> None:
        self.archive = archive
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrowserTapMiddleware:
        return cls(WarcArchive.for_crawler(crawler), crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        capture: PageCapture | None = request.meta.pop(PAGE_CAPTURE_KEY, None)
        if capture is None:
            return response
        written = self._archive(request, capture)
        tag_request(request, written.document, *written.capture_ids)
        request.meta.setdefault(NOTES_META_KEY, []).extend(render_notes(
            f"Chromium {capture.browser_version}".strip(), capture.reason, capture.page_url,
            written.dom.record_id if written.dom else None, capture.notes))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A failed render: what the browser did receive is archived all the same."""
        capture: PageCapture | None = request.meta.pop(PAGE_CAPTURE_KEY, None)
        if capture is not None:
            capture.notes.append(f"render failed: {exception}"[:300])
            self._archive(request, capture)
        return None

    def _archive(self, request: Request, capture: PageCapture) -> RenderRecords:
        for key in ("playwright_page_methods", "playwright_page_init_callback"):
            request.meta.pop(key, None)  # they hold the capture: let it go with the request
        written = write_capture(self.archive, capture)
        self.stats.inc_value("coprod/render/archived_responses", len(written.responses))
        capture.exchanges.clear()
        capture.dom = capture.screenshot = capture.page = None
        return written
