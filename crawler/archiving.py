"""The crawl's archive inside Scrapy: one WARC writer per crawl, a downloader middleware that
taps every exchange into it, and closing it when the engine stops.

The tap sits next to the downloader (order 950), so it sees each response before
redirects are followed, retries decided or bodies decompressed: every hop,
robots.txt and API call is archived as sent.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.http import Request, Response

from archive import warcrecords
from archive.catalog import Catalog, capture_values, file_sha256
from archive.cdxj import index_warc
from archive.recovery import recover_directory
from archive.warcwriter import RollingWarcWriter, WrittenRecord
from crawler import __version__
from crawler.capture import CAPTURE_META_KEY, Exchange
from crawler.incremental import CONDITIONAL_META_KEY, page_kind, repeated_response

logger = logging.getLogger(__name__)

WARC_META_KEY = "coprod_warc"  # request.meta: where the response landed in the archive
CAPTURES_META_KEY = "coprod_captures"  # request.meta: every response record id along the way
SOURCE_META_KEY = "coprod_source"  # request.meta: the crawl source a request belongs to (stats)
_CRAWLER_ATTR = "_coprod_archive"

# Settings that shape what is captured; written into every warcinfo record.
CAPTURE_SETTINGS = (
    "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS_PER_DOMAIN", "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "RETRY_TIMES", "REDIRECT_MAX_TIMES", "COPROD_RESOLVE",
)


class WarcArchive:
    """The crawl's WARC output and catalog, shared by the tap middleware and the pipelines."""

    def __init__(self, data_dir: Path, info: dict[str, str], *, prefix: str, max_size: int) -> None:

        self.data_dir = data_dir
        self.warc_dir = data_dir / "warcs"
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(data_dir / "catalog.sqlite")
        recover_directory(self.warc_dir, self._recovered)
        self.writer = RollingWarcWriter(
            self.warc_dir, info, prefix=prefix, max_size=max_size, on_close=self._finished
        )

    @classmethod
    def for_crawler(cls, crawler: Any) -> WarcArchive:
        archive = getattr(crawler, _CRAWLER_ATTR, None)
        if archive is None:
            settings = crawler.settings
            archive = cls(
                Path(settings.get("COPROD_DATA_DIR", "coprod-data")),
                warcinfo_fields(settings),
                prefix=settings.get("COPROD_WARC_PREFIX", "coprod"),
                max_size=settings.getint("COPROD_WARC_MAX_SIZE", 1_000_000_000),
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
        resp = warcrecords.response_record(
            response.url, exchange.raw_head, response.body, date=date, ip_address=ip
        )
        # -- revisit path (crawler.incremental): never a duplicate response record
        repeated, latest = repeated_response(
            self.catalog, response.url, response.status,
            resp.rec_headers.get_header("WARC-Payload-Digest"),
            request.meta.get(CONDITIONAL_META_KEY),
        )
        if repeated is not None and repeated.payload_digest:
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
        index_warc(path)
        self.catalog.add_warc_file(path.name, size=path.stat().st_size, records=records,
                                   sha256=file_sha256(path), closed_at=warcrecords.iso_date(time.time()))

    def _recovered(self, path: Path) -> None:
        """A file a crash left open: what it holds may be missing from the catalog, so re-read it."""
        index_warc(path)
        self.catalog.index_warc(path)

    def close(self) -> None:
        self.writer.close()
        self.catalog.close()


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
    }


class WarcTapMiddleware:
    """Downloader middleware: archive every response that came off the wire as request+response."""

    def __init__(self, archive: WarcArchive, stats: Any = None) -> None:
        self.archive = archive
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcTapMiddleware:
        return cls(WarcArchive.for_crawler(crawler), crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        exchange = request.meta.pop(CAPTURE_META_KEY, None)
        if exchange is None:  # not from the network (cache, data: URL): nothing new to archive
            return response
        started = time.monotonic()
        written, kind = self.archive.write_exchange(request, response, exchange)
        if self.stats is not None:  # pages new / changed / unchanged, in all and per source
            self.stats.inc_value(f"coprod/pages/{kind}")
            if source := request.meta.get(SOURCE_META_KEY):
                self.stats.inc_value(f"coprod/source/{source}/pages/{kind}")
        request.meta[WARC_META_KEY] = written
        request.meta.setdefault(CAPTURES_META_KEY, []).append(written.record_id)
        logger.debug("archived %s in %.1f ms", response.url, (time.monotonic() - started) * 1e3)
        return response
