"""The http(s) download handler: Scrapy's capturing HTTP/1.1 client for every request, and
Chromium (through scrapy-playwright) for requests marked `meta["playwright"]`.

On top of scrapy-playwright it adds what an archive and a long crawl need:
- the browser starts on the first page to render, not with every crawl;
- each render records the browser's traffic (crawler.render.page) and ends in a settled
  DOM and a screenshot; the response handed to the spider carries exactly the DOM that is
  archived (UTF-8), never passed off as what the server sent;
- a page gets COPROD_RENDER_TIMEOUT seconds in all, then is closed and the request fails
  with RenderTimeout (a page that will not close takes the browser with it);
- the browser is started afresh every COPROD_RENDER_RESTART_EVERY pages, once the pages
  in flight are done, and after a crash (scrapy-playwright relaunches a disconnected one).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import signals
from scrapy.http import HtmlResponse, Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from archive.replay_rendered import DOM_TYPE, NOT_OF_THE_DOM
from crawler.capture import CapturingHTTP11DownloadHandler
from crawler.render import PAGE_CAPTURE_KEY, RENDER_REASON_KEY
from crawler.render.browser import request_guard
from crawler.render.config import RenderConfig
from crawler.render.page import PageCapture, finish_page

logger = logging.getLogger(__name__)
_RENDERER_ATTR = "_coprod_renderer"
FAILED_DRAIN = 4.0  # seconds to let a failed page's finished responses be read


class RenderError(Exception):
    """A page the browser could not render; the request fails with it (not retried)."""


class RenderTimeout(RenderError):
    """A page that did not load and settle within COPROD_RENDER_TIMEOUT."""


class RenderingDownloadHandler(ScrapyPlaywrightDownloadHandler, CapturingHTTP11DownloadHandler):
    """scrapy-playwright's handler whose plain-HTTP side is coprod's capturing one (by the MRO:
    its `super().download_request` for unmarked requests lands in CapturingHTTP11DownloadHandler)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        # scrapy-playwright starts Playwright when the engine starts; here, on the first render
        crawler.signals.disconnect(self._maybe_launch_in_thread, signals.engine_started)
        # Scrapy builds one handler per scheme; the first renders for both (one browser)
        self.renderer: RenderingDownloadHandler = getattr(crawler, _RENDERER_ATTR, self)
        setattr(crawler, _RENDERER_ATTR, self.renderer)
        self.render = RenderConfig.from_settings(crawler.settings)
        guard = request_guard(self.render.resolve)
        self.abort_request = lambda request: guard(request.url)
        self._launched = False
        self._launch_gate = asyncio.Lock()
        self._turn = asyncio.Condition()
        self._in_flight = 0
        self._since_start = 0
        self._max_in_flight = self.render.contexts * self.render.pages

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        if self.renderer is not self:
            return await self.renderer.download_request(request)
        await self._start_playwright()
        await self._admit()
        capture = PageCapture(request.url, max_body=self._default_maxsize or 50 * 1024 * 1024,
                              reason=request.meta.get(RENDER_REASON_KEY, ""))
        request.meta[PAGE_CAPTURE_KEY] = capture
        request.meta.update(self._page_meta(request, capture))
        try:
            response = await asyncio.wait_for(super().download_request(request), self.render.timeout)
        except TimeoutError:
            self.stats.inc_value("coprod/render/timeout")
            await capture.drain(FAILED_DRAIN)  # what did arrive is archived all the same
            had_page = capture.page is not None
            if not await capture.close_page() or not had_page:  # a browser that hangs
                await self._restart_browser("after a page that would not close")
            raise RenderTimeout(
                f"page did not load and settle within {self.render.timeout:g} s") from None
        except Exception as exc:
            self.stats.inc_value("coprod/render/failed")
            await capture.drain(FAILED_DRAIN)
            await capture.close_page()
            raise RenderError(f"{type(exc).__name__}: {exc}"[:300]) from exc
        finally:
            await self._leave()
        self.stats.inc_value("coprod/render/pages")
        return rendered_response(response, capture)

    # -- page set-up -----------------------------------------------------------------------

    def _page_meta(self, request: Request, capture: PageCapture) -> dict[str, Any]:
        host = request.url.split("/")[2] if "://" in request.url else ""
        context = f"render-{sum(host.encode()) % self.render.contexts}"
        context_kwargs: dict[str, Any] = {
            "service_workers": "block",  # so every request goes through the page's own events
            "viewport": {"width": 1280, "height": 1024},
            "accept_downloads": False,
        }
        if self.render.user_agent:
            context_kwargs["user_agent"] = self.render.user_agent

        async def init(page: Any, _request: Request) -> None:
            capture.attach(page)
            # which browser since the crawl began: scrapy-playwright counts its launches
            capture.browser_session = self.stats.get_value("playwright/browser_count", 0)

        return {
            "playwright_context": context,
            "playwright_context_kwargs": context_kwargs,
            "playwright_page_init_callback": init,
            "playwright_page_goto_kwargs": {"wait_until": "load",
                                            "timeout": self.render.timeout * 1000},
            "playwright_page_methods": [PageMethod(
                finish_page, capture, settle=self.render.settle,
                screenshot=self.render.screenshot,
                max_height=self.render.screenshot_max_height)],
        }

    # -- browser life cycle ----------------------------------------------------------------

    async def _start_playwright(self) -> None:
        async with self._launch_gate:
            if not self._launched:
                await self._launch()  # scrapy-playwright's: starts Playwright, not the browser
                self._launched = True

    async def _admit(self) -> None:
        """Wait for a free page (so a page's time starts when it can run); every N pages,
        let the pages in flight finish and restart the browser."""
        async with self._turn:
            while (self._since_start >= self.render.restart_every
                   or self._in_flight >= self._max_in_flight):
                if self._in_flight == 0:
                    await self._restart_browser(f"after {self._since_start} pages")
                else:
                    await self._turn.wait()
            self._in_flight += 1
            self._since_start += 1  # pages this browser was given

    async def _leave(self) -> None:
        async with self._turn:
            self._in_flight -= 1
            self._turn.notify_all()

    async def _restart_browser(self, why: str) -> None:
        """Close the browser; scrapy-playwright launches a new one for the next page."""
        self._since_start = 0
        browser = getattr(self, "browser", None)
        if browser is None:
            return
        logger.info("restarting Chromium %s", why)
        self.stats.inc_value("coprod/render/browser_restarts")
        try:
            await asyncio.wait_for(browser.close(), 10)
        except Exception as exc:
            logger.warning("Chromium did not close cleanly: %s", exc)
        for _ in range(100):  # scrapy-playwright forgets it in its "disconnected" handler
            if getattr(self, "browser", None) is not browser:
                return
            await asyncio.sleep(0.02)
        self.context_wrappers.clear()
        if getattr(self, "browser", None) is browser:
            del self.browser


def rendered_response(response: Response, capture: PageCapture) -> Response:
    """The response the spider gets: the page's status and headers, the archived DOM as body."""
    headers = response.headers.copy()
    for name in NOT_OF_THE_DOM:  # as archive.replay_rendered.dom_headers, for the audit
        headers.pop(name, None)
    headers["Content-Type"] = DOM_TYPE
    return HtmlResponse(
        url=response.url, status=response.status, headers=headers, body=capture.dom_bytes,
        encoding="utf-8", request=response.request, flags=[*response.flags, "rendered"],
        ip_address=response.ip_address, protocol=response.protocol)
