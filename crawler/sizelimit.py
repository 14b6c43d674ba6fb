"""Bodies that do not arrive whole: archived as far as they came, never handed to extractors.

Scrapy's DOWNLOAD_MAXSIZE cancels a download and discards the body, so nothing would be
archived. Instead the download is stopped at COPROD_MAX_BODY bytes (StopDownload from the
`bytes_received` signal, fail=False, so the partial body arrives flagged "download_stopped")
and the WARC tap stores it with `WARC-Truncated: length`. DOWNLOAD_MAXSIZE (larger) is left
to bound decompression, so a gzip bomb is refused after its raw body has been archived.
A body the server cut off (DOWNLOAD_FAIL_ON_DATALOSS=False, flag "dataloss") is stored with
`WARC-Truncated: disconnect` and retried by crawler.retry.

The spider's errback gets TruncatedResponse (with `.response`) for both; each is recorded
as a failure (crawler.failures).
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Request, Response

from crawler.failures import FailureLog, archived_response_id

MAX_BODY_SETTING = "COPROD_MAX_BODY"
_RECEIVED = "_coprod_body_bytes"
_STOPPED = "_coprod_size_stopped"
_UNBOUNDED = "_coprod_maxsize_lifted"  # we lifted Scrapy's download_maxsize for this download


class TruncatedResponse(IgnoreRequest):
    """A response whose body is not whole; archived with WARC-Truncated, kept from extractors."""

    def __init__(self, message: str, response: Response) -> None:
        super().__init__(message)
        self.response = response


def truncation(request: Request, response: Response) -> str | None:
    """The WARC-Truncated value for this response ("length", "disconnect"), or None if whole."""
    if "download_stopped" in response.flags and request.meta.get(_STOPPED):
        return "length"
    if "dataloss" in response.flags:
        return "disconnect"
    return None


def declared_length(response: Response) -> str:
    value = response.headers.get("Content-Length")
    return value.decode("latin-1") if value else "?"


def give_up(crawler: Any, request: Request, response: Response, kind: str, reason: str) -> TruncatedResponse:
    """Record a truncated response as a failure; the exception to raise for the errback."""
    FailureLog.for_crawler(crawler).add(request.url, kind, reason,
                                        refers_to=archived_response_id(request))
    return TruncatedResponse(reason, response)


class BodySizeLimitMiddleware:
    """Downloader middleware (order 930, inside the retry and compression middlewares):
    stops each download at COPROD_MAX_BODY bytes; the truncated response is then refused."""

    def __init__(self, crawler: Any, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Any) -> BodySizeLimitMiddleware:
        limit = crawler.settings.getint(MAX_BODY_SETTING, 0)
        if limit <= 0:
            raise NotConfigured(f"{MAX_BODY_SETTING} is 0: Scrapy's DOWNLOAD_MAXSIZE applies")
        return cls(crawler, limit)

    def process_request(self, request: Request) -> None:
        request.meta[_RECEIVED] = 0  # a retry copies meta: count afresh
        request.meta.pop(_STOPPED, None)
        if "download_maxsize" not in request.meta:
            request.meta["download_maxsize"] = 0  # Scrapy would discard the body; we stop it
            request.meta[_UNBOUNDED] = True

    def bytes_received(self, data: bytes, request: Request, spider: Any = None) -> None:
        received = request.meta.get(_RECEIVED, 0) + len(data)
        request.meta[_RECEIVED] = received
        if received > self.limit:
            request.meta[_STOPPED] = True
            raise StopDownload(fail=False)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.pop(_UNBOUNDED, False):
            request.meta.pop("download_maxsize", None)  # decompression is bounded again
        if truncation(request, response) == "length":
            raise give_up(self.crawler, request, response, "too-large",
                          f"body over the size limit ({self.limit} bytes; "
                          f"Content-Length {declared_length(response)}): archived truncated")
        return response


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware (same place, same settings), with a body that
    decompresses past DOWNLOAD_MAXSIZE (a gzip bomb) recorded as a failure."""

    def __init__(self, stats: Any = None, *, crawler: Any = None) -> None:
        super().__init__(stats, crawler=crawler)
        self.crawler = crawler

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            limit = request.meta.get("download_maxsize", self._max_size)
            FailureLog.for_crawler(self.crawler).add(
                request.url, "too-large",
                f"body decompresses past DOWNLOAD_MAXSIZE ({limit} bytes; "
                f"{len(response.body)} bytes compressed): refused, archived compressed",
                refers_to=archived_response_id(request),
            )
            raise
