"""The scheduled, focused crawl: aggregator searches, OAI-PMH, Pure portals and site crawls
(crawler.sources), each record's landing page through doi.org, and snowballing, every
exchange archived; records merged into one per work and scored for relevance downstream.

    coprod crawl --source crossref="co-production" --depth 1
    scrapy crawl crawl -a source='oai=https://repo.example.org/oai#col_1' -a depth=0

Focus: links to other works (landing pages of search hits, snowballing, site links) are
followed only from relevant records (crawler.focus), unless the run asks for all.
Limits: `depth` hops from a source's own pages; `max_pages` requests per run and per source.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from rapidfuzz import fuzz
from scrapy import signals
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.archiving import CAPTURES_META_KEY, SOURCE_META_KEY, WARC_META_KEY, WarcArchive
from crawler.crawlconfig import SEARCH_KINDS, CrawlConfig, load_config, with_options
from crawler.crawlpipelines import SOURCE_KEY
from crawler.crawlstats import count
from crawler.extractpool import parse_source_page
from crawler.failures import FailureLog, archived_response_id
from crawler.focus import judge, judged, wants_landing
from crawler.landing import (
    LandingJob,
    LandingPages,
    failure_text,
    response_headers,
    stamp_capture,
)
from crawler.sources import Context, Fetch, Page, SnowballSource, Source, make_source
from extractors.merge import merge_records, normalise_title, work_ids
from extractors.record import Record

logger = logging.getLogger(__name__)

STEP, DEPTH, LEVEL = "coprod_step", "coprod_depth", "coprod_level"
# Steps that are a source's own chain: when one fails for good, the source failed.
CHAIN_STEPS = frozenset({"search", "identify", "sets", "records", "listing", "resolve",
                         "cited", "citing"})
LANDING_KINDS = frozenset(SEARCH_KINDS) | {"oai", "pure", "snowball"}
TITLE_AGREEMENT = 80  # rapidfuzz partial_ratio: a landing page below this is about another work
SNOWBALL = "snowball"


class CrawlSpider(LandingPages, scrapy.Spider):
    name = "crawl"
    # Items go to the catalog, not into CrawlResult.items: a long crawl holding every record
    # grew by ~25 KB a page (crawler.runner; benchmarks/memory.py).
    collect_items = False
    carry_meta = (SOURCE_META_KEY, STEP, DEPTH, LEVEL)

    def __init__(self, config: CrawlConfig | str | None = None, source: str | None = None,
                 depth: str | int | None = None, max_pages: str | int | None = None,
                 snowball: str | int | None = None, focus: bool | str = True,
                 full: bool | str = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(config, CrawlConfig):  # scrapy crawl crawl -a config=F -a source=...
            config = with_options(load_config(Path(config) if config else None),
                                  sources=[source] if source else (),
                                  depth=_int(depth), max_pages=_int(max_pages),
                                  snowball=_int(snowball), mailto=kwargs.get("mailto"))
        self.config = config
        self.focus = focus not in (False, "0", "false", "no")
        self.full = full not in (False, "0", "false", "no")
        self.specs = {spec.name: spec for spec in config.sources}
        self.sources: dict[str, Source] = {}
        self.pages = 0
        self.source_pages: Counter[str] = Counter()
        self.capped: set[str] = set()
        self.errors: dict[str, list[str]] = {}
        self.failures: list[tuple[str, str]] = []  # (source, reason), read by crawler.runner
        self.started_at: dict[str, str] = {}
        self.landing_seen: set[str] = set()
        self.seeds_seen: set[str] = set()

    # -- start --------------------------------------------------------------------------------

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> CrawlSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Built before any request: a resumed job's queued requests may come back before
        # start() runs, and their callbacks need the sources.
        crawler.signals.connect(spider._build_sources, signal=signals.spider_opened)
        return spider

    def _build_sources(self) -> None:
        from crawler.incremental import harvest_since, harvest_start

        if self.sources:
            return
        catalog = WarcArchive.for_crawler(self.crawler).catalog
        base = Context(mailto=self.config.mailto, api_keys=self.config.api_keys,
                       vocabulary=self.config.vocabulary)
        for spec in self.config.sources:
            since = None if self.full or not self.config.incremental else harvest_since(
                catalog, spec.id)
            self.sources[spec.name] = make_source(spec, replace(base, since=since))
            self.started_at[spec.name] = harvest_start()
        if self.config.snowball:
            self.sources[SNOWBALL] = SnowballSource(self.config.snowball_via, base)

    async def start(self) -> Any:
        self._build_sources()
        for name, source in self.sources.items():
            for fetch in source.start():
                if (request := self._request(fetch, name, depth=0)) is not None:
                    yield request
        if self.config.snowball:  # from the relevant records already held
            for record in WarcArchive.for_crawler(self.crawler).catalog.records():
                for request in self._snowball(record, level=0):
                    yield request

    # -- a source's pages ---------------------------------------------------------------------

    async def parse_source(self, response: Response) -> AsyncIterator[Any]:
        meta = response.meta
        # The page's parse (a site page's extraction) runs off the reactor: crawler.extractpool;
        # links are not looked for on a page at the depth limit (they would not be followed)
        name = meta[SOURCE_META_KEY]
        page: Page = await parse_source_page(self.crawler, self.sources[name], meta[STEP],
                                             response.url, response_headers(response),
                                             response.body, meta[DEPTH] < self._max_depth(name),
                                             self.config.relevance_threshold)
        for output in self._source_page(response, page):
            yield output

    def _source_page(self, response: Response, page: Page) -> Iterator[Any]:
        meta = response.meta
        name, depth, level = meta[SOURCE_META_KEY], meta[DEPTH], meta[LEVEL]
        if page.error:
            self._error(name, page.error)
            # in the WARC and the catalog too; the summary already lists source errors
            FailureLog.for_crawler(self.crawler).add(response.url, "source", f"{name}: {page.error}",
                                                     refers_to=archived_response_id(response.request),
                                                     listed=False)
        relevant = []
        for record in page.records:
            item, verdict = self._item(record, response.meta, name)
            yield item
            relevant.append(verdict["relevant"])
            yield from self._follow(record, verdict, name, depth, level, response.url)
        for fetch in page.more:
            if (request := self._request(fetch, name, depth, level)) is not None:
                yield request
        # Links to other pages only from pages that are no work, or from relevant works.
        if page.links and depth < self._max_depth(name) and (
                not self.focus or not page.records or any(relevant)):
            for fetch in page.links:
                if (request := self._request(fetch, name, depth + 1, level)) is not None:
                    yield request

    def source_failed(self, failure: Failure) -> None:
        meta = failure.request.meta
        name, step, depth = meta[SOURCE_META_KEY], meta[STEP], meta[DEPTH]
        count(self.crawler.stats, name, "failed")
        reason = f"{step} {failure.request.url}: {failure_text(failure)}"
        status = failure.value.response.status if failure.check(HttpError) else None
        if step in CHAIN_STEPS and not (name == SNOWBALL and status == 404) or (
                step == "page" and depth == 0):
            self._error(name, reason)
        else:
            logger.info("%s: %s", name, reason)

    # -- landing pages ------------------------------------------------------------------------

    def landing_done(self, job: LandingJob, meta: dict[str, Any]) -> Iterator[dict[str, Any]]:
        name = meta[SOURCE_META_KEY]
        records = [r for r in job.records if _about(r, job)]
        if len(records) < len(job.records):
            job.notes.append("landing page: about another work (title or DOI differs); left out")
        if not records:
            count(self.crawler.stats, name, "failed")
            logger.info("%s: no record from the landing page of %s: %s", name,
                        job.doi or job.url, "; ".join(job.notes) or "nothing extracted")
            return
        record = merge_records(records) if len(records) > 1 else records[0]
        if job.doi and not record.doi:
            record.doi = job.doi
            record.provenance.fields["doi"] = "input:doi"
        stamp_capture(record, job.landing, job.captures)
        record.provenance.notes = sorted(set(record.provenance.notes) | set(job.notes))
        item = record.to_dict()
        item[SOURCE_KEY] = name
        yield item
        yield from self._snowball(record, meta.get(LEVEL, 0))  # the page may show it relevant

    # -- helpers ------------------------------------------------------------------------------

    def _item(self, record: Record, meta: dict[str, Any], name: str) -> tuple[dict, dict]:
        stamp_capture(record, meta.get(WARC_META_KEY), meta.get(CAPTURES_META_KEY, []))
        item = record.to_dict()
        item[SOURCE_KEY] = name
        verdict = record.relevance  # judged in the extraction worker (a site page's record)
        if not judged(verdict, self.config.relevance_threshold):
            verdict = judge(record, self.config.relevance_threshold)
        item["relevance"] = verdict
        return item, verdict

    def _follow(self, record: Record, verdict: dict[str, Any], name: str, depth: int,
                level: int, page_url: str) -> Iterator[Request]:
        """The record's landing page (depth + 1) and its snowball (one level out)."""
        kind = self.sources[name].kind
        policy = "all" if not self.focus else self.config.landing_pages
        if (kind in LANDING_KINDS and depth < self._max_depth(name)
                and wants_landing(record, verdict, policy)):
            job = _landing_job(record, kind, page_url)
            target = job.doi or job.url if job else None
            if job is not None and target not in self.landing_seen and self._admit(name):
                self.landing_seen.add(target)
                yield self.landing_request(job, {SOURCE_META_KEY: name, STEP: "landing",
                                                 DEPTH: depth + 1, LEVEL: level})
        yield from self._snowball(record, level, verdict)

    def _snowball(self, record: Record, level: int,
                  verdict: dict[str, Any] | None = None) -> Iterator[Request]:
        snowball = self.sources.get(SNOWBALL)
        if snowball is None or level >= self.config.snowball:
            return
        verdict = verdict or judge(record, self.config.relevance_threshold)
        if self.focus and not verdict["relevant"]:
            return
        ids = {**work_ids(record), **{k: v for k, v in record.identifiers.items()
                                       if k in ("openalex", "s2")}}
        key = next((f"{k}:{ids[k]}" for k in ("doi", "openalex", "s2") if k in ids), None)
        if key is None or key in self.seeds_seen:
            return
        self.seeds_seen.add(key)
        assert isinstance(snowball, SnowballSource)
        for fetch in snowball.seed(record):
            if (request := self._request(fetch, SNOWBALL, 0, level + 1)) is not None:
                yield request

    def _request(self, fetch: Fetch, name: str, depth: int, level: int = 0) -> Request | None:
        if not self._admit(name):
            return None
        return Request(fetch.url, callback=self.parse_source, errback=self.source_failed,
                       headers=dict(fetch.headers) or None,
                       meta={SOURCE_META_KEY: name, STEP: fetch.step, DEPTH: depth, LEVEL: level})

    def _admit(self, name: str) -> bool:
        """Count one more request against the run's and the source's page caps."""
        spec = self.specs.get(name)
        cap = spec.max_pages if spec is not None else None
        if (self.config.max_pages and self.pages >= self.config.max_pages) or (
                cap is not None and self.source_pages[name] >= cap):
            if name not in self.capped:
                logger.info("%s: page cap reached; the rest waits for the next run", name)
            self.capped.add(name)
            return False
        self.pages += 1
        self.source_pages[name] += 1
        return True

    def _max_depth(self, name: str) -> int:
        spec = self.specs.get(name)
        return spec.depth if spec is not None and spec.depth is not None else self.config.depth

    def _error(self, name: str, reason: str) -> None:
        self.errors.setdefault(name, []).append(reason)
        self.failures.append((name, reason))
        logger.warning("%s: %s", name, reason)

    # -- the end ------------------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        """Note per source whether it was capped and whether it finished; a finished source's
        harvest date advances, so the next run asks only for what changed since."""
        from crawler.incremental import record_harvest

        stats = self.crawler.stats
        stats.set_value("coprod/pages/requested", self.pages)
        archive = WarcArchive.for_crawler(self.crawler)
        for name in self.sources:
            if name in self.capped:
                stats.set_value(f"coprod/source/{name}/capped", 1)
            complete = reason == "finished" and name not in self.capped and name not in self.errors
            if complete:
                stats.set_value(f"coprod/source/{name}/complete", 1)
                if (spec := self.specs.get(name)) is not None:
                    record_harvest(archive, spec.id, self.started_at[name])


def _landing_job(record: Record, kind: str, page_url: str) -> LandingJob | None:
    """Where a record's landing page is: doi.org for a DOI; else, for an OAI record, the
    repository's item page it names (never the API or OAI endpoint itself)."""
    if record.doi:
        return LandingJob(record.doi, title=record.title)
    url = record.source_url or ""
    if kind == "oai" and urlsplit(url).scheme in ("http", "https") and \
            urlsplit(url).hostname and url != page_url and "verb=" not in url:
        return LandingJob(None, url=url, title=record.title)
    return None


def _about(record: Record, job: LandingJob) -> bool:
    """Whether a landing page's record is about the job's work (DOI, else title agreement)."""
    if record.doi and job.doi:
        return record.doi.lower() == job.doi.lower()
    if not job.title or not record.title:
        return True
    return fuzz.partial_ratio(normalise_title(record.title),
                              normalise_title(job.title)) >= TITLE_AGREEMENT


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


__all__ = ["CrawlSpider"]
