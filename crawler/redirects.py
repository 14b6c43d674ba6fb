"""Scrapy's redirect middlewares: loops cut at once and every give-up recorded; meta
refreshes ruled out on the bytes before Scrapy decodes a page to look for one.

Scrapy follows a loop until REDIRECT_MAX_TIMES (or, for a request the dupefilter catches,
drops it without a word). Here a chain that comes back to a URL it has already fetched
twice is a loop (once is allowed: sites that set a cookie and redirect back to the page),
and a chain that runs past REDIRECT_MAX_TIMES is too long; both are recorded as failures
(crawler.failures) and reach the errback as RedirectFailed. Every hop stays archived.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawler.bytescan import labels_ascii_compatible
from crawler.failures import FailureLog, archived_response_id

LOOP_VISITS = 2  # a URL fetched this often in one chain is not fetched again
# scrapy.utils.response.get_meta_refresh reads response.text[:4096]; a character of an
# ASCII-compatible codec takes at most 4 bytes
REFRESH_SCANNED = 4 * 4096


class RedirectFailed(IgnoreRequest):
    """A redirect chain given up on: a loop, or longer than REDIRECT_MAX_TIMES."""


class RecordedRedirectMiddleware(RedirectMiddleware):
    """Replaces Scrapy's RedirectMiddleware (same order and settings)."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        try:
            result = super().process_response(request, response)
        except IgnoreRequest:  # Scrapy's "max redirections reached"
            hops = request.meta.get("redirect_times", 0)
            raise self._give_up(request, f"more than {self.max_redirect_times} redirects "
                                         f"(gave up after {hops} hops)") from None
        if isinstance(result, Request):
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if chain.count(result.url) >= LOOP_VISITS:
                raise self._give_up(request, f"redirect loop: {result.url} again after "
                                             f"{len(chain)} hops")
        return result

    def _give_up(self, request: Request, reason: str) -> RedirectFailed:
        first = (request.meta.get("redirect_urls") or [request.url])[0]  # where the chain began
        FailureLog.for_crawler(self.crawler).add(first, "redirect", reason,
                                                 refers_to=archived_response_id(request))
        return RedirectFailed(reason)


class ByteScanMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Replaces Scrapy's MetaRefreshMiddleware (same order and settings). Scrapy decodes the
    whole body (charset detection and all, ~5% of a crawl's CPU) to read its first 4,096
    characters for a meta refresh; most pages are ruled out on their bytes first."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if isinstance(response, HtmlResponse) and not may_refresh(response):
            return response
        return super().process_response(request, response)


def may_refresh(response: TextResponse) -> bool:
    """False when the characters Scrapy's get_meta_refresh reads cannot hold a meta refresh:
    no "refresh" in the bytes that hold them, read in an ASCII-compatible codec."""
    head = response.body[:REFRESH_SCANNED]
    if b"refresh" in head.lower() or b"\x00" in head:
        return True
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    labels = (read_bom(head)[0], response._encoding,  # the encoding= it was made with
              http_content_type_encoding(content_type), html_body_declared_encoding(head))
    return not labels_ascii_compatible(*labels)
