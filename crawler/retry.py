"""Scrapy's retry with exponential backoff, and Retry-After (seconds or an HTTP date) honoured.

Scrapy retries at once; a server that is overloaded, or that said when to come back,
deserves a wait. The wait happens in `process_request` of the retried request, off the
reactor's back (a Twisted timer), so other hosts keep being fetched meanwhile.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

DELAY_META_KEY = "coprod_retry_delay"


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Full-jitter exponential backoff: uniform in [0.5, 1] x base x 2^(attempt-1), capped."""
    if base <= 0:
        return 0.0
    return min(cap, base * 2 ** max(0, attempt - 1)) * random.uniform(0.5, 1.0)


class BackoffRetryMiddleware(RetryMiddleware):
    """Replaces Scrapy's RetryMiddleware (same settings) and adds:
    RETRY_BACKOFF_BASE (s), RETRY_BACKOFF_MAX (s), RETRY_AFTER_MAX (s: a longer Retry-After
    is not waited for; the request fails and says so)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop(DELAY_META_KEY, 0)
        if delay > 0:
            from twisted.internet import reactor  # the one Scrapy installed; never at import time

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if "dataloss" in response.flags:  # the server cut the body short (crawler.sizelimit)
            return self._retry_truncated(request, response)
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            return response  # not retried: the caller sees the 429/503 and records it
        result = super().process_response(request, response)
        if isinstance(result, Request):
            attempt = result.meta.get("retry_times", 1)
            backoff = backoff_seconds(attempt, self.backoff_base, self.backoff_max)
            result.meta[DELAY_META_KEY] = max(backoff, wait or 0.0)
        return result

    def _retry_truncated(self, request: Request, response: Response) -> Request:
        """Retry a body that arrived cut short; when retrying gives up, record the failure and
        raise TruncatedResponse, so no extractor reads a partial page as if it were whole."""
        from crawler.sizelimit import declared_length, give_up

        if not request.meta.get("dont_retry"):
            retried = self._retry(request, "body cut short (dataloss)")
            if isinstance(retried, Request):
                attempt = retried.meta.get("retry_times", 1)
                retried.meta[DELAY_META_KEY] = backoff_seconds(attempt, self.backoff_base,
                                                               self.backoff_max)
                return retried
        tries = request.meta.get("retry_times", 0)
        raise give_up(self.crawler, request, response, "truncated",
                      f"body cut short: {len(response.body)} of {declared_length(response)} bytes "
                      f"arrived before the connection closed"
                      + (f" (after {tries} retries)" if tries else ""))

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            attempt = result.meta.get("retry_times", 1)
            result.meta[DELAY_META_KEY] = backoff_seconds(attempt, self.backoff_base, self.backoff_max)
        return result
