"""Scrapy's RedirectMiddleware, with redirect loops cut at once and every give-up recorded.

Scrapy follows a loop until REDIRECT_MAX_TIMES (or, for a request the dupefilter catches,
drops it without a word). Here a chain that comes back to a URL it has already fetched
twice is a loop (once is allowed: sites that set a cookie and redirect back to the page),
and a chain that runs past REDIRECT_MAX_TIMES is too long; both are recorded as failures
(crawler.failures) and reach the errback as RedirectFailed. Every hop stays archived.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.failures import FailureLog, archived_response_id

LOOP_VISITS = 2  # a URL fetched this often in one chain is not fetched again


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
