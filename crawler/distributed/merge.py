"""One work, one record, with workers storing works into one catalog at the same time.

crawler.crawlpipelines.MergePipeline finds a work through an in-memory index and merges the
stored evidence with the new; two workers doing that for the same work at once would each
store a merge missing the other's evidence. Here each item's find-merge-archive step runs in
one catalog transaction under the catalog's write lock (SQLite's writer lock, PostgreSQL's
advisory lock: archive.catalog_db), from before the merge (200) until the record is archived
(after 800), and the in-memory index first takes in every work row other workers stored
since it last looked (the catalog's change counter, `seq`). So merges of one work are
serialised run-wide, and the metadata record written last always holds all the evidence.
Only this step is serialised; fetching and extraction run in parallel.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals

from archive.catalog import REPLACES_KEY, record_key
from crawler.crawlpipelines import MergePipeline
from extractors.record import Record

logger = logging.getLogger(__name__)

_TXN_ATTR = "_coprod_merge_txn"


class SharedMergePipeline(MergePipeline):
    """MergePipeline (order 200) for workers sharing a catalog; opens the step's transaction."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedMergePipeline:
        pipeline = super().from_crawler(crawler)
        pipeline.seen = 0
        for signal in (signals.item_dropped, signals.item_error):
            crawler.signals.connect(pipeline.end_step, signal=signal)
        setattr(crawler, _TXN_ATTR, pipeline)
        return pipeline

    def open_spider(self) -> None:
        self.seen = self.archive.catalog.record_seq()  # before reading: nothing is missed
        super().open_spider()

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if self.index is None:
            self.open_spider()
        self.end_step()  # a step left open by an item that vanished (never: belt and braces)
        self._step = self.archive.catalog.batch(immediate=True)
        self._step.__enter__()
        try:
            self._catch_up()
            return super().process_item(item)
        except BaseException:
            self.end_step(failed=True)
            raise

    def _catch_up(self) -> None:
        """Take into the index every work row stored since we last looked (ours too)."""
        assert self.index is not None
        for seq, key, data in self.archive.catalog.changed_records(self.seen):
            for old in data.get(REPLACES_KEY) or ():
                if isinstance(old, str):
                    self.index.remove(old)
            self.index.add(key, Record.from_dict(data))
            self.seen = seq

    def end_step(self, *_: Any, failed: bool = False, **__: Any) -> None:
        """Commit (or, on failure, roll back) the open step, if any."""
        step = getattr(self, "_step", None)
        if step is None:
            return
        self._step = None
        if failed:
            step.__exit__(RuntimeError, RuntimeError("merge step failed"), None)
        else:
            step.__exit__(None, None, None)


class MergeStepEndPipeline:
    """Order 810, after the record is archived: ends SharedMergePipeline's transaction."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> MergeStepEndPipeline:
        return cls(crawler)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        merge = getattr(self.crawler, _TXN_ATTR, None)
        if merge is not None:
            merge.end_step()
        return item


__all__ = ["MergeStepEndPipeline", "SharedMergePipeline", "record_key"]
