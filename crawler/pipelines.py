"""Item pipelines: validate -> (relevance, merge: later) -> archive the Record and index it.

Items are Record dicts (Record.to_dict()), so `scrapy crawl ... -O out.jsonl` writes clean records.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy.exceptions import DropItem

from archive.warcwriter import WarcWriteError
from crawler.archiving import WarcArchive, disk_error
from crawler.incremental import UNCHANGED_ITEM_KEY
from extractors.record import Record

logger = logging.getLogger(__name__)


class ValidatePipeline:
    """Drop what is not a Record: no title or no source URL. Counted, never silent."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        missing = [name for name in ("title", "source_url") if not item.get(name)]
        if missing:
            self.stats.inc_value("coprod/records_invalid")
            raise DropItem(f"record without {', '.join(missing)}: {item.get('doi') or item}")
        return item


class ArchiveRecordPipeline:
    """Write each Record into the WARC as a metadata record referring to its response, and
    into the catalog, so the catalog can always be rebuilt from the WARCs."""

    def __init__(self, archive: WarcArchive, stats: Any) -> None:
        self.archive = archive
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchiveRecordPipeline:
        return cls(WarcArchive.for_crawler(crawler), crawler.stats)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if item.get(UNCHANGED_ITEM_KEY):  # the catalog holds it as it is (crawler.incremental)
            return item
        data = {k: v for k, v in item.items() if not k.startswith("_")}
        record = Record.from_dict(data)
        refers_to = record.provenance.warc_record_id
        try:
            written = self.archive.write_metadata(record.source_url, data, refers_to)
            self.archive.catalog.add_record(
                record, warc_file=written.warc_file, offset=written.offset,
                record_id=written.record_id, refers_to=refers_to, warc_date=written.date, data=data,
            )
        except (WarcWriteError, sqlite3.OperationalError) as error:  # disk full: the run stops
            if not isinstance(error, WarcWriteError) and not disk_error(error):
                raise
            raise DropItem(f"record not archived: {error}", log_level="INFO") from None
        self.stats.inc_value("coprod/records_archived")
        return item
