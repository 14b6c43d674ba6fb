"""Incremental runs: ask servers only for what changed, archive what did not as revisits, and
keep each source's last harvest date so API and OAI queries ask for changes since then.

- ConditionalRequestMiddleware (downloader middleware, order 920) sends If-None-Match /
  If-Modified-Since from the validators of the URL's latest capture, and hands a 304 on to
  the spider as the archived response it confirms, so callbacks run as on a full fetch.
- `repeated_response()` is what the WARC tap (WarcArchive.write_exchange) asks before
  writing: a 304 to our conditional GET, or a payload whose digest equals the URL's latest
  capture's, is written as a `revisit` record pointing at the original response, never as
  a duplicate response.
- UnchangedRecordPipeline (order 790) spots a Record equal to the one the catalog holds
  for its work (apart from which capture it was read from) and tells ArchiveRecordPipeline
  not to write it again.
- `record_harvest()` / `harvest_since()`: the last successful harvest per source, kept in
  the catalog and in a WARC metadata record (so a catalog rebuild keeps it).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from scrapy.http import Request, Response
from warcio.archiveiterator import ArchiveIterator

from archive import warcrecords
from archive.catalog import HARVEST_KEY, Capture, Catalog, Harvest, record_key
from archive.warcwriter import OPEN_SUFFIX
from extractors.record import Record, same_content

if TYPE_CHECKING:
    from crawler.archiving import WarcArchive

logger = logging.getLogger(__name__)

CONDITIONAL_META_KEY = "coprod_conditional"  # request.meta: the Conditional this request was sent with
UNCONDITIONAL_META_KEY = "coprod_unconditional"  # request.meta: never add validators
UNCHANGED_ITEM_KEY = "_unchanged"  # item: equal to the catalog's record; not archived again
REPLAYABLE_TYPES = ("response", "revisit")
VALIDATORS = (("ETag", "If-None-Match"), ("Last-Modified", "If-Modified-Since"))
# Provenance that names where a record was read from, not what it says: an unchanged page
# re-read through a revisit gives the same record with other pointers.
MAX_PAYLOAD = 64 * 1024 * 1024


@dataclass(frozen=True)
class Conditional:
    """The validators a request was sent with, and the archived response they stand for."""

    url: str
    original: Capture  # the response record holding the payload a 304 confirms
    headers: tuple[str, ...]  # the request headers added


@dataclass(frozen=True)
class StoredExchange:
    """An archived response read back: status, headers and payload as stored (still encoded)."""

    status: int
    headers: list[tuple[str, str]]
    payload: bytes


# -- what the catalog holds for a URL -----------------------------------------------------


def latest_capture(catalog: Catalog, uri: str) -> Capture | None:
    """The newest response or revisit of `uri` (a truncated response is no copy of the page)."""
    captures = [c for c in catalog.captures_for(uri)
                if c.record_type in REPLAYABLE_TYPES and not c.truncated]
    return captures[-1] if captures else None


def original_response(catalog: Catalog, capture: Capture) -> Capture | None:
    """The response record that holds `capture`'s payload: itself, or what a revisit refers to."""
    if capture.record_type == "response":
        return capture
    if capture.record_type != "revisit" or not capture.refers_to:
        return None
    return next((c for c in catalog.captures_for(capture.uri)
                 if c.record_id == capture.refers_to and c.record_type == "response"), None)


def repeated_response(
    catalog: Catalog, uri: str, status: int, payload_digest: str | None,
    conditional: Conditional | None,
) -> tuple[Capture | None, Capture | None]:
    """(the response this exchange repeats or None, the URL's latest capture or None).

    A 304 answering our conditional GET repeats the response its validators came from; any
    other exchange repeats the latest capture's original when the payload digests match.
    """
    latest = latest_capture(catalog, uri)
    if status == 304 and conditional is not None and conditional.url == uri:
        return conditional.original, latest
    if latest is None or not payload_digest or latest.payload_digest != payload_digest:
        return None, latest
    return original_response(catalog, latest), latest


def page_kind(repeated: Capture | None, latest: Capture | None) -> str:
    """"unchanged" (archived as a revisit), "changed" (captured before) or "new"."""
    if repeated is not None:
        return "unchanged"
    return "changed" if latest is not None else "new"


# -- reading an archived response back ----------------------------------------------------


def read_stored(warc_dir: Path, capture: Capture, *, payload: bool = True) -> StoredExchange:
    """The archived response at `capture` (its file may still be `.open`); OSError or
    ValueError when it cannot be read."""
    path = warc_dir / capture.warc_file
    if not path.exists():
        path = path.with_name(path.name + OPEN_SUFFIX)
    with open(path, "rb") as stream:
        stream.seek(capture.offset)
        record = next(iter(ArchiveIterator(stream)), None)
        if record is None or record.http_headers is None:
            raise ValueError(f"{capture.warc_file}@{capture.offset}: no HTTP response there")
        status = record.http_headers.get_statuscode()
        if not (status or "").isdigit():
            raise ValueError(f"{capture.warc_file}@{capture.offset}: no status line")
        body = record.raw_stream.read(MAX_PAYLOAD) if payload else b""
        return StoredExchange(int(status), list(record.http_headers.headers), body)


def stored_response(request: Request, stored: StoredExchange, capture: Capture, *,
                    flag: str) -> Response:
    """A Scrapy Response made from an archived one, tagged with where it sits in the archive
    (as the WARC tap tags a live response), so records made from it keep their provenance."""
    from crawler.archiving import archived_response, location, tag_request

    tag_request(request, location(capture))
    # the stored body is de-chunked
    return archived_response(request, stored.status, stored.headers, stored.payload, flags=[flag],
                             drop=("transfer-encoding",))


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers if k.lower() == wanted), None)


# -- the downloader middleware ------------------------------------------------------------


class ConditionalRequestMiddleware:
    """Conditional GETs from the catalog; a 304 becomes the archived response it confirms.

    Settings: COPROD_INCREMENTAL (default True). The tap (order 950) has already written
    the 304 as a revisit by the time process_response runs here.
    """

    def __init__(self, archive: WarcArchive, stats: Any, enabled: bool = True) -> None:
        self.archive = archive
        self.stats = stats
        self.enabled = enabled

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalRequestMiddleware:
        from crawler.archiving import WarcArchive

        return cls(WarcArchive.for_crawler(crawler), crawler.stats,
                   crawler.settings.getbool("COPROD_INCREMENTAL", True))

    def process_request(self, request: Request) -> None:
        old = request.meta.get(CONDITIONAL_META_KEY)
        if old is not None and old.url != request.url:  # a redirect copied another URL's validators
            _drop_conditional(request, old)
        if (not self.enabled or request.method != "GET" or CONDITIONAL_META_KEY in request.meta
                or request.meta.get(UNCONDITIONAL_META_KEY)
                or any(wanted in request.headers for _, wanted in VALIDATORS)):
            return None
        conditional = self._conditional(request.url)
        if conditional is None:
            return None
        for (_, wanted), value in zip(VALIDATORS, conditional[1], strict=True):
            if value:
                request.headers[wanted] = value
        request.meta[CONDITIONAL_META_KEY] = conditional[0]
        self.stats.inc_value("coprod/conditional_requests")
        return None

    def _conditional(self, url: str) -> tuple[Conditional, tuple[str | None, ...]] | None:
        latest = latest_capture(self.archive.catalog, url)
        if latest is None or latest.status not in (200, 304):
            return None
        original = original_response(self.archive.catalog, latest)
        if original is None or original.status != 200:
            return None
        try:
            heads = [read_stored(self.archive.warc_dir, c, payload=False).headers
                     for c in dict.fromkeys((latest, original))]
        except (OSError, ValueError) as error:
            logger.warning("no conditional GET for %s: %s", url, error)
            return None
        values = tuple(next((v for h in heads if (v := _header(h, name))), None)
                       for name, _ in VALIDATORS)
        if not any(values):
            return None
        added = tuple(wanted for (_, wanted), v in zip(VALIDATORS, values, strict=True) if v)
        return Conditional(url, original, added), values

    def process_response(self, request: Request, response: Response) -> Request | Response:
        conditional = request.meta.get(CONDITIONAL_META_KEY)
        if response.status != 304 or conditional is None or conditional.url != request.url:
            return response
        try:
            stored = read_stored(self.archive.warc_dir, conditional.original)
        except (OSError, ValueError) as error:  # the archived copy is unreadable: fetch it whole
            logger.warning("304 for %s but its archived copy is unreadable (%s); fetching again",
                           request.url, error)
            again = request.replace(dont_filter=True)
            _drop_conditional(again, conditional)
            again.meta[UNCONDITIONAL_META_KEY] = True
            return again
        self.stats.inc_value("coprod/not_modified")
        return stored_response(request, stored, conditional.original, flag="not-modified")


def _drop_conditional(request: Request, conditional: Conditional) -> None:
    for name in conditional.headers:
        request.headers.pop(name, None)
    request.meta.pop(CONDITIONAL_META_KEY, None)


# -- records: never archived twice unchanged ----------------------------------------------


class UnchangedRecordPipeline:
    """Item pipeline (before ArchiveRecordPipeline): a Record equal to the catalog's row for
    its work is not written again; the item becomes the stored record, whose provenance points
    at the response the unchanged bytes were first archived in."""

    def __init__(self, archive: WarcArchive, stats: Any) -> None:
        self.archive = archive
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> UnchangedRecordPipeline:
        from crawler.archiving import WarcArchive

        return cls(WarcArchive.for_crawler(crawler), crawler.stats)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        data = {k: v for k, v in item.items() if not k.startswith("_")}
        stored = self.archive.catalog.record_json(record_key(Record.from_dict(data)))
        if stored is None or not same_content(data, stored):
            return item
        self.stats.inc_value("coprod/records_unchanged")
        private = {k: v for k, v in item.items() if k.startswith("_")}
        return {**stored, **private, UNCHANGED_ITEM_KEY: True}


# -- harvest dates ------------------------------------------------------------------------


def harvest_since(catalog: Catalog, source: str) -> str | None:
    """When the last successful harvest of `source` began (a WARC date, UTC), or None:
    ask the source for what changed since then (Crossref from-index-date, OAI `from`...)."""
    harvest = catalog.last_harvest(source)
    return harvest.started_at if harvest else None


def record_harvest(archive: WarcArchive, source: str, started_at: str) -> Harvest:
    """Note that `source` was harvested completely, in the WARC (a metadata record, so a
    rebuilt catalog keeps it) and in the catalog. `started_at` as from `harvest_start()`."""
    finished_at = warcrecords.iso_date(time.time())
    data = {HARVEST_KEY: {"source": source, "started_at": started_at, "finished_at": finished_at}}
    written = archive.write_metadata(f"urn:coprod:harvest:{quote(source, safe='')}", data, None)
    archive.catalog.set_harvest(source, started_at=started_at, finished_at=finished_at,
                                warc_file=written.warc_file, offset=written.offset,
                                record_id=written.record_id)
    return archive.catalog.last_harvest(source)  # type: ignore[return-value]


def harvest_start() -> str:
    """Now, as a WARC date: take it before a source's first request."""
    return warcrecords.iso_date(time.time())
