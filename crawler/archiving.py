"""The crawl's archive inside Scrapy: one WARC writer per crawl, a downloader middleware that
taps every exchange into it, and closing it when the engine stops.

The tap sits next to the downloader (order 950), so it sees each response before
redirects are followed, retries decided or bodies decompressed: every hop,
robots.txt and API call is archived as sent.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro

from archive import warcrecords
from archive.catalog import CATALOG_NAME, Catalog, capture_values, file_sha256
from archive.cdxj import index_warc
from archive.recovery import recover_directory
from archive.warcwriter import RollingWarcWriter, WarcWriteError, WrittenRecord
from crawler import __version__
from crawler.capture import CAPTURE_META_KEY, Exchange
from crawler.incremental import CONDITIONAL_META_KEY, page_kind, repeated_response
from crawler.sizelimit import truncation

logger = logging.getLogger(__name__)

WARC_META_KEY = "coprod_warc"  # request.meta: where the response landed in the archive
CAPTURES_META_KEY = "coprod_captures"  # request.meta: every response record id along the way
SOURCE_META_KEY = "coprod_source"  # request.meta: the crawl source a request belongs to (stats)
_CRAWLER_ATTR = "_coprod_archive"
ARCHIVE_FULL = "archive_full"  # finish reason when the archive could not be written

# Settings that shape what is captured; written into every warcinfo record.
CAPTURE_SETTINGS = (
    "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS_PER_DOMAIN", "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "RETRY_TIMES", "REDIRECT_MAX_TIMES", "COPROD_RESOLVE",
)


def location(capture: Any) -> WrittenRecord:
    """Where a catalog capture sits, in the form the tap records for a live response."""
    return WrittenRecord(capture.warc_file, capture.offset, capture.record_length,
                         capture.record_id, capture.warc_date)


def tag_request(request: Request, primary: WrittenRecord | None, *others: str) -> None:
    """Record where `request`'s response sits in the archive and every capture it rests on,
    as the tap does for live responses, so records made from an archived copy keep their
    provenance (incremental 304s, --resume, --from-archive, rendered DOMs)."""
    if primary is not None:
        request.meta[WARC_META_KEY] = primary
    captures = request.meta.setdefault(CAPTURES_META_KEY, [])
    for record_id in ([primary.record_id] if primary is not None else []) + list(others):
        if record_id not in captures:
            captures.append(record_id)


def archived_response(request: Request, status: int, header_pairs: Any, body: bytes, *,
                      flags: list[str] | None = None, drop: tuple[str, ...] = ()) -> Response:
    """A Scrapy response rebuilt from archived parts (headers named in `drop` left out)."""
    from scrapy.http import Headers
    from scrapy.responsetypes import responsetypes

    headers = Headers()
    for name, value in header_pairs:
        if name.lower() not in drop:
            headers.appendlist(name, value)
    respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return respcls(url=request.url, status=status, headers=headers, body=body, request=request,
                   flags=flags)


class WarcArchive:
    """The crawl's WARC output and catalog, shared by the tap middleware and the pipelines."""

    def __init__(self, data_dir: Path, info: dict[str, str], *, prefix: str, max_size: int,
                 catalog: str | None = None, recover: str = "*") -> None:
        """`catalog`: a database URL (default the data directory's SQLite file); `recover`:
        which `.open` files to finish at start (a distributed worker's own only)."""
        self.data_dir = data_dir
        self.warc_dir = data_dir / "warcs"
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(catalog or data_dir / CATALOG_NAME)
        recover_directory(self.warc_dir, self._recovered, pattern=recover)
        self.writer = RollingWarcWriter(
            self.warc_dir, info, prefix=prefix, max_size=max_size, on_close=self._finished
        )

    @classmethod
    def for_crawler(cls, crawler: Any) -> WarcArchive:
        archive = getattr(crawler, _CRAWLER_ATTR, None)
        if archive is None:
            settings = crawler.settings
            prefix = settings.get("COPROD_WARC_PREFIX", "coprod")
            archive = cls(
                Path(settings.get("COPROD_DATA_DIR", "coprod-data")),
                warcinfo_fields(settings),
                prefix=prefix,
                max_size=settings.getint("COPROD_WARC_MAX_SIZE", 1_000_000_000),
                catalog=settings.get("COPROD_CATALOG") or None,  # crawler.distributed
                recover=f"{prefix}-[0-9]*" if settings.get("COPROD_WORKER_ID") else "*",
            )
            setattr(crawler, _CRAWLER_ATTR, archive)
            crawler.signals.connect(archive.close, signal=signals.engine_stopped)
        return archive

    def write_exchange(
        self, request: Request, response: Response, exchange: Exchange
    ) -> tuple[WrittenRecord, str]:
        """Archive one exchange as request + response, or request + revisit when it repeats
        an archived response (crawler.incremental). Returns where the response/revisit landed
        and the page's kind: "new", "changed" or "unchanged"."""
        date = warcrecords.iso_date(exchange.started)
        ip = str(response.ip_address) if response.ip_address else None
        cut = truncation(request, response)  # a body stopped at the size limit or cut off
        resp = warcrecords.response_record(
            response.url, exchange.raw_head, response.body, date=date, ip_address=ip,
            extra={"WARC-Truncated": cut} if cut else None,
        )
        # -- revisit path (crawler.incremental): never a duplicate response record
        repeated, latest = repeated_response(
            self.catalog, response.url, response.status,
            resp.rec_headers.get_header("WARC-Payload-Digest"),
            request.meta.get(CONDITIONAL_META_KEY),
        )
        if repeated is not None and repeated.payload_digest and not cut:
            resp = warcrecords.revisit_record(
                response.url, exchange.raw_head, date=date, payload_digest=repeated.payload_digest,
                refers_to=repeated.record_id, refers_to_uri=repeated.uri,
                refers_to_date=repeated.warc_date, ip_address=ip,
            )
        else:
            repeated = None
        # --
        req = warcrecords.request_record(
            request.url, exchange.raw_request, date=date, concurrent_to=warcrecords.record_id(resp)
        )
        _, written_resp = self.writer.write_group([req, resp])
        self.catalog.add_capture(
            **capture_values(resp), warc_file=written_resp.warc_file,
            offset=written_resp.offset, record_length=written_resp.length,
        )
        return written_resp, page_kind(repeated, latest)

    def write_metadata(self, uri: str, data: dict[str, Any], refers_to: str | None) -> WrittenRecord:
        return self.writer.write(warcrecords.metadata_record(uri, data, refers_to=refers_to))

    def _finished(self, path: Path, records: int) -> None:
        """A file the writer finished: its index and digest were kept as it was written, so
        nothing is read back (re-reading took ~2.4 s of the reactor's CPU per 100 MB file)."""
        try:
            if self.writer.cdxj is not None:
                self.writer.cdxj.write(path)
            else:
                index_warc(path)
            self.catalog.add_warc_file(path.name, size=path.stat().st_size, records=records,
                                       sha256=self.writer.sha256 or file_sha256(path),
                                       closed_at=warcrecords.iso_date(time.time()))
        except (OSError, sqlite3.OperationalError) as error:  # disk full: the WARC is whole
            if isinstance(error, sqlite3.OperationalError) and not disk_error(error):
                raise
            logger.warning("%s is closed but not indexed (%s); `coprod catalog rebuild` "
                           "indexes it", path.name, error)

    def _recovered(self, path: Path) -> None:
        """A file a crash left open: what it holds may be missing from the catalog, and its index
        and digest went with the crashed process, so re-read it."""
        index_warc(path)
        self.catalog.index_warc(path)

    def close(self) -> None:
        self.writer.close()
        self.catalog.close()


def disk_error(error: sqlite3.Error) -> bool:
    """True when SQLite failed for want of disk (full, or a write the OS refused)."""
    return getattr(error, "sqlite_errorname", "").startswith(("SQLITE_FULL", "SQLITE_IOERR"))


def warcinfo_fields(settings: Any) -> dict[str, str]:
    import socket
    from importlib.metadata import version

    shaping = {name: settings.get(name) for name in CAPTURE_SETTINGS}
    return {
        "software": (
            f"coprod/{__version__} (Scrapy/{scrapy.__version__}; warcio/{version('warcio')})"
        ),
        "hostname": socket.gethostname(),
        "operator": settings.get("COPROD_CONTACT") or "unknown (set --mailto)",
        "http-header-user-agent": settings.get("USER_AGENT"),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "format": "WARC File Format 1.1",
        "conformsTo": warcrecords.CONFORMS_TO,
        "isPartOf": settings.get("COPROD_JOB_ID") or f"coprod-{uuid.uuid4()}",
        "description": "coprod capture: co-production of public services literature",
        "coprod-settings": json.dumps(shaping, sort_keys=True, default=str),
        **({"coprod-worker": worker} if (worker := settings.get("COPROD_WORKER_IDENTITY")) else {}),
    }


class NotArchived(IgnoreRequest):
    """A response the archive could not take (disk full): the run stops, and nothing reads it."""


class WarcTapMiddleware:
    """Downloader middleware: archive every response that came off the wire as request+response.
    When the archive cannot be written (WarcWriteError: disk full), the crawl is stopped
    (finish reason ARCHIVE_FULL) and the response goes no further."""

    def __init__(self, archive: WarcArchive, stats: Any = None, crawler: Any = None) -> None:
        self.archive = archive
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcTapMiddleware:
        return cls(WarcArchive.for_crawler(crawler), crawler.stats, crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        exchange = request.meta.pop(CAPTURE_META_KEY, None)
        if exchange is None:  # not from the network (cache, data: URL): nothing new to archive
            return response
        started = time.monotonic()
        try:
            written, kind = self.archive.write_exchange(request, response, exchange)
        except (WarcWriteError, sqlite3.OperationalError) as error:
            if not isinstance(error, WarcWriteError) and not disk_error(error):
                raise
            reason = str(error) if isinstance(error, WarcWriteError) else (
                f"cannot write the catalog ({error}); the WARC files are whole "
                "(`coprod catalog rebuild` restores the catalog)")
            self._stop(reason)
            raise NotArchived(reason) from None
        if self.stats is not None:  # pages new / changed / unchanged, in all and per source
            self.stats.inc_value(f"coprod/pages/{kind}")
            if source := request.meta.get(SOURCE_META_KEY):
                self.stats.inc_value(f"coprod/source/{source}/pages/{kind}")
        tag_request(request, written)
        logger.debug("archived %s in %.1f ms", response.url, (time.monotonic() - started) * 1e3)
        return response

    def _stop(self, reason: str) -> None:
        """Stop the crawl once, cleanly: what is archived stays; the summary says why."""
        if self.crawler is None or getattr(self.crawler, "_coprod_archive_stopped", False):
            return
        from crawler.failures import ARCHIVE, FailureLog

        self.crawler._coprod_archive_stopped = True
        FailureLog.for_crawler(self.crawler).add(self.archive.warc_dir.as_posix(), ARCHIVE, reason)
        logger.error("%s", reason)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=ARCHIVE_FULL))
