"""Item pipelines of the crawl: one work, one record (MergePipeline), then its co-production
relevance (RelevancePipeline), before the record is archived.

Merging keeps the evidence. A work seen by several sources is stored as
`merge_records(evidence)`, where `evidence` holds each source's own record (one per API,
one per page), kept in the stored JSON under "evidence". A new arrival replaces the evidence
from the same origin and the work is merged again from all of it, so the stored record does
not depend on the order the sources answered in (merging merged records pairwise would: list
unions and author enrichment are not associative). A work seen once is stored as it came.

The relevance is scored on the merged record, so evidence from every source counts (an API
title with the landing page's abstract), and so the score is a function of what is stored. A
record stored as it came keeps the verdict the spider gave it (same content, scoring version
and threshold); merging drops the evidence's verdicts, so a merged work is scored afresh.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from archive.catalog import REPLACES_KEY, record_key
from crawler.archiving import WarcArchive
from crawler.crawlstats import count
from crawler.focus import RELEVANCE_THRESHOLD, judge, judged
from crawler.workindex import WorkIndex
from extractors.merge import merge_records
from extractors.record import Record, same_content

logger = logging.getLogger(__name__)

EVIDENCE_KEY = "evidence"  # stored JSON: the per-source records the work was merged from
SOURCE_KEY = "_source"  # item: the crawl source (name) it came from


def public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def private(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k.startswith("_")}


def as_evidence(data: dict[str, Any]) -> dict[str, Any]:
    """A record as one source's evidence: its JSON without the crawl's own additions."""
    return {k: v for k, v in data.items() if k not in (EVIDENCE_KEY, REPLACES_KEY, "relevance")}


def evidence_origin(data: dict[str, Any]) -> str:
    """Where evidence comes from: one API (one per OAI item), or the work's page on one site
    (a page that moved within its site is the same origin). A newer record from the same
    origin replaces the older one."""
    sources = set(data.get("provenance", {}).get("fields", {}).values())
    apis = sorted(s for s in sources if s.startswith("api:"))
    if sources and len(apis) == len(sources):
        return "api|" + ",".join(apis) + "|" + str(data.get("identifiers", {}).get("oai", ""))
    host = (urlsplit(str(data.get("source_url", ""))).hostname or "").removeprefix("www.")
    return "page|" + ",".join(apis) + "|" + host


class MergePipeline:
    """Find the catalog's record of the same work and store the work merged from all the
    evidence (extractors.merge: identifiers first, then title + year + first author)."""

    def __init__(self, archive: WarcArchive, stats: Any, default_source: str = "crawl") -> None:
        self.archive = archive
        self.stats = stats
        self.default_source = default_source
        self.index: WorkIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> MergePipeline:
        pipeline = cls(WarcArchive.for_crawler(crawler), crawler.stats)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        if (spider := getattr(getattr(self, "crawler", None), "spider", None)) is not None:
            self.default_source = spider.name
        self.index = WorkIndex.build((record_key(r), r) for r in self.archive.catalog.records())
        logger.info("merge: %d works held", len(self.index))

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if self.index is None:
            self.open_spider()
        assert self.index is not None
        source = item.get(SOURCE_KEY) or self.default_source
        data = public(item)
        record = Record.from_dict(data)
        key = self.index.find(record)
        stored = self.archive.catalog.record_json(key) if key is not None else None
        if key is None or stored is None:
            self.index.add(record_key(record), record)
            count(self.stats, source, "added")
            return item
        result, changed = merge_evidence(stored, data)
        new_key = record_key(Record.from_dict(result))
        if new_key != key:
            result[REPLACES_KEY] = sorted(set(stored.get(REPLACES_KEY, [])) | {key})
            self.index.remove(key)
        self.index.add(new_key, Record.from_dict(result))
        count(self.stats, source, "merged" if changed else "same")
        return {**result, **private(item)}


def merge_evidence(stored: dict[str, Any], data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(the work merged from the stored evidence plus `data`, whether anything changed)."""
    held = [as_evidence(e) for e in stored.get(EVIDENCE_KEY, [])] or [as_evidence(stored)]
    new = as_evidence(data)
    origin = evidence_origin(new)
    previous = next((e for e in held if evidence_origin(e) == origin), None)
    if previous is not None and same_content(previous, new):
        return stored, False  # nothing new: the stored work stands as it is
    evidence = sorted([e for e in held if evidence_origin(e) != origin] + [new],
                      key=lambda e: (evidence_origin(e), str(e.get("title", ""))))
    merged = merge_records([Record.from_dict(e) for e in evidence]).to_dict()
    merged[EVIDENCE_KEY] = evidence
    if stored.get(REPLACES_KEY):
        merged[REPLACES_KEY] = stored[REPLACES_KEY]
    return merged, True


class RelevancePipeline:
    """Score the (merged) record's co-production relevance; count those below the threshold.
    Setting COPROD_RELEVANCE_THRESHOLD (default extractors.relevance.RELEVANCE_THRESHOLD)."""

    def __init__(self, stats: Any, threshold: float, default_source: str = "crawl") -> None:
        self.stats = stats
        self.threshold = threshold
        self.default_source = default_source

    @classmethod
    def from_crawler(cls, crawler: Any) -> RelevancePipeline:
        threshold = crawler.settings.getfloat("COPROD_RELEVANCE_THRESHOLD", RELEVANCE_THRESHOLD)
        pipeline = cls(crawler.stats, threshold)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        if (spider := getattr(getattr(self, "crawler", None), "spider", None)) is not None:
            self.default_source = spider.name

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        result = item.get("relevance")
        if not judged(result, self.threshold):  # merged, or never judged (the DOI spider's)
            result = judge(Record.from_dict(public(item)), self.threshold)
        item["relevance"] = result
        if not result["relevant"]:
            count(self.stats, item.get(SOURCE_KEY) or self.default_source, "below_threshold")
        return item
