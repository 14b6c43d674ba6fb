"""Fetches that failed, kept where the user sees them: a JSON metadata record in the WARC (so a
catalog rebuilt from the WARCs has them too), a row in the catalog's `failures` table, and
the end-of-run summary on stderr (exit code 1).

Whoever decides that a fetch failed records it: `FailureLogMiddleware` for what reaches the
outside of the downloader middlewares (network errors after the last retry, 429/5xx after
the last retry), and the middlewares that refuse a response themselves (crawler.guard,
crawler.sizelimit, crawler.redirects, the dataloss branch of crawler.retry). A refusal by
policy that is no failure (robots.txt) is not recorded.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from archive import warcrecords
from archive.catalog import Failure, failure_data

logger = logging.getLogger(__name__)

_CRAWLER_ATTR = "_coprod_failures"
ARCHIVE = "archive"  # kind of a failure to write the archive itself (disk full): not archived


@dataclass(frozen=True)
class FetchFailure:
    url: str
    kind: str  # blocked, network, http, truncated, too-large, redirect, archive
    reason: str
    at: str  # WARC date


class FailureLog:
    """The crawl's failures, in order; shared by every component through `for_crawler`."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.entries: list[FetchFailure] = []

    @classmethod
    def for_crawler(cls, crawler: Any) -> FailureLog:
        log = getattr(crawler, _CRAWLER_ATTR, None)
        if log is None:
            log = cls(crawler)
            setattr(crawler, _CRAWLER_ATTR, log)
        return log

    def add(self, url: str, kind: str, reason: str, *, refers_to: str | None = None,
            listed: bool = True) -> FetchFailure:
        """Record one failure: in memory (for the summary and the exit code, unless `listed` is
        false because the command reports it otherwise), in the stats, and (unless the archive
        itself failed) as a WARC metadata record about `url`, `refers_to` the response."""
        entry = FetchFailure(url, kind, reason, warcrecords.iso_date(time.time()))
        if listed:
            self.entries.append(entry)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"coprod/failures/{kind}")
        logger.info("failed: %s: %s", url, reason)
        if kind != ARCHIVE:
            self._archive(entry, refers_to)
        return entry

    def _archive(self, entry: FetchFailure, refers_to: str | None) -> None:
        from archive.warcwriter import WarcWriteError
        from crawler.archiving import WarcArchive, disk_error

        archive = WarcArchive.for_crawler(self.crawler)
        data = failure_data(entry.url, entry.kind, entry.reason)
        try:
            written = archive.write_metadata(entry.url, data, refers_to)
            archive.catalog.add_failure(Failure(
                written.record_id, entry.url, entry.kind, entry.reason, written.date, refers_to,
                written.warc_file, written.offset,
            ))
        except (WarcWriteError, sqlite3.OperationalError) as error:
            # the archive has stopped (disk full); the summary still lists the failure
            if not isinstance(error, WarcWriteError) and not disk_error(error):
                raise


def failure_lines(entries: list[FetchFailure]) -> list[str]:
    """One line per failure, for the end-of-run summary on stderr."""
    return [f"coprod: archive stopped: {entry.reason}" if entry.kind == ARCHIVE
            else f"coprod: failed: {entry.url}: {entry.reason}" for entry in entries]


def archived_response_id(request: Request) -> str | None:
    """The WARC-Record-ID the tap gave this request's response, if it archived one."""
    from crawler.archiving import WARC_META_KEY

    written = request.meta.get(WARC_META_KEY)
    return getattr(written, "record_id", None)


def describe(exception: BaseException) -> str:
    """One line for a download error: its type and message, with what Twisted wrapped inside
    (a TLS error's reason rather than the repr of a list of Failures)."""
    reasons = getattr(exception.__cause__, "reasons", None) or getattr(exception, "reasons", None)
    if not reasons:
        return f"{type(exception).__name__}: {exception}".strip().rstrip(":")
    parts = []
    for reason in reasons:
        value = getattr(reason, "value", reason)
        if type(value).__module__.startswith("OpenSSL"):
            details = [str(item[-1]) for item in (value.args[0] if value.args else [])
                       if isinstance(item, tuple) and item]
            parts.append(f"TLS handshake failed ({', '.join(details) or value})")
        else:
            parts.append(f"{type(value).__name__}: {value}".strip().rstrip(":"))
    return f"{type(exception).__name__}: {'; '.join(parts)}"


def _retries(request: Request) -> str:
    count = request.meta.get("retry_times", 0)
    return f" (after {count} retr{'y' if count == 1 else 'ies'})" if count else ""


class FailureLogMiddleware:
    """Downloader middleware (order 20: outside the retry middleware, so it sees only what
    retrying gave up on): network errors, and 429/5xx answers that are final."""

    def __init__(self, crawler: Any) -> None:
        self.log = FailureLog.for_crawler(crawler)
        self.retry_codes = {int(code) for code in crawler.settings.getlist("RETRY_HTTP_CODES")}

    @classmethod
    def from_crawler(cls, crawler: Any) -> FailureLogMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in self.retry_codes:
            retry_after = response.headers.get("Retry-After")
            wait = f", Retry-After: {retry_after.decode('latin-1')}" if retry_after else ""
            self.log.add(request.url, "http", f"HTTP {response.status}{wait}{_retries(request)}",
                         refers_to=archived_response_id(request))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):  # a decision, recorded by whoever made it
            return None
        self.log.add(request.url, "network", describe(exception)[:300] + _retries(request))
        return None
