"""Scrapy HTTP cache storage backed by the WARC archive: re-run a crawl with nothing
fetched live (`--from-archive`).

Every request is answered from the newest archived capture of its URL (redirect hops,
robots.txt and API calls included), with the status line, headers and body as stored;
with HTTPCACHE_IGNORE_MISSING a URL never archived is dropped, never fetched. A page that
was rendered in a browser: the plain request gets what the plain fetch got (not the
browser's copy), and the request marked for rendering gets the archived DOM
(crawler.render.archived), so no browser starts and a page never rendered is dropped. The
request is tagged with where the capture sits, as the WARC tap does for live responses,
so records made in the re-run carry the same provenance as the originals. Nothing is
stored: the archive is written only by the tap, and cache hits never reach it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response

from archive.replay import load
from archive.replay_index import NoArchive, ReplayIndex
from archive.replay_rendered import index_opener, served_captures
from crawler.archiving import archived_response, location, tag_request
from crawler.render.archived import archived_render, wants_render

logger = logging.getLogger(__name__)

SETTING = "COPROD_FROM_ARCHIVE"  # the data directory whose archive answers requests
_SERVED_TYPES = ("response", "revisit")
_HOP_HEADERS = ("transfer-encoding", "content-encoding")


def from_archive_settings(data_dir: Path | str) -> dict[str, Any]:
    """Scrapy settings that answer every request from the archive in `data_dir`."""
    return {
        SETTING: str(data_dir),
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_STORAGE": "crawler.archivecache.WarcCacheStorage",
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.DummyPolicy",
        "HTTPCACHE_IGNORE_MISSING": True,  # never archived -> never fetched
        "HTTPCACHE_IGNORE_HTTP_CODES": [],
        "RETRY_BACKOFF_BASE": 0.0,  # a retried archived 503 answers the same at once
    }


class WarcCacheStorage:
    """HTTPCACHE_STORAGE: reads captures through the catalog, never writes."""

    def __init__(self, settings: Any) -> None:
        self.data_dir = Path(settings.get(SETTING) or settings.get("COPROD_DATA_DIR", "coprod-data"))
        self.index: ReplayIndex | None = None

    def open_spider(self, spider: Any) -> None:
        try:
            self.index = ReplayIndex.for_data_dir(self.data_dir)
        except NoArchive as error:
            logger.error("--from-archive: %s; every request will be dropped", error)

    def close_spider(self, spider: Any) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None

    def retrieve_response(self, spider: Any, request: Request) -> Response | None:
        if self.index is None or request.method not in ("GET", "HEAD"):
            return None
        opener = index_opener(self.index)
        if wants_render(request):  # the archived DOM, or nothing: never the browser
            try:
                return archived_render(self.index, opener, request, flag="cached")
            except (OSError, ValueError) as error:
                logger.error("--from-archive: the rendered DOM of %s is unreadable: %s",
                             request.url, error)
                return None
        captures = [c for c in self.index.captures_for(request.url) if c.record_type in _SERVED_TYPES]
        captures = served_captures(self.index, opener, request.url, captures)
        if not captures:
            return None
        capture = captures[-1]  # captures_for is oldest first
        stored = load(self.index, capture)
        if stored.status is None:
            return None
        tags = [capture]
        if stored.status == 304 and stored.original is not None:
            # a 304 to a conditional GET: the live run handed the spider the response it
            # confirmed (crawler.incremental), so the replay does too
            tags.append(stored.original)
            stored = load(self.index, stored.original)
        body = stored.payload
        chunked = (stored.header("Transfer-Encoding") or "").lower() == "chunked"
        if chunked:  # another tool's WARC kept the chunking: hand Scrapy the decoded body
            body = stored.body
        for tag in tags:  # as the WARC tap (and a 304's archived copy) tag a live response
            tag_request(request, location(tag))
        return archived_response(request, stored.status, stored.http_headers, body,
                                 drop=_HOP_HEADERS if chunked else ())

    def store_response(self, spider: Any, request: Request, response: Response) -> None:
        """Nothing: the archive is written by the WARC tap, from the wire."""
