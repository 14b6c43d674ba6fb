"""Run one spider in this process and hand back what it produced and what failed."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings


@dataclass
class CrawlResult:
    items: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False
    fetch_failures: list[Any] = field(default_factory=list)  # crawler.failures.FetchFailure


def run_spider(spider_cls: type, settings: Settings, **spider_kwargs: Any) -> CrawlResult:
    """Crawl to the end (or to Ctrl-C, which Scrapy turns into a clean shutdown), holding the
    data directory's lock (crawler.lock: LockHeld if another run has it)."""
    from crawler.lock import hold

    with hold(settings.get("COPROD_DATA_DIR", "coprod-data")):
        return _run(spider_cls, settings, **spider_kwargs)


def _run(spider_cls: type, settings: Settings, **spider_kwargs: Any) -> CrawlResult:
    result = CrawlResult()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)

    def collect(item: dict[str, Any], **_: Any) -> None:
        result.items.append(item)

    def closed(spider: Any, reason: str) -> None:
        result.interrupted = reason == "shutdown"

    if getattr(spider_cls, "collect_items", True):  # a crawl's items go to the catalog only
        crawler.signals.connect(collect, signal=signals.item_scraped)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, **spider_kwargs)
    process.start()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    result.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    spider = crawler.spider
    result.failures = list(getattr(spider, "failures", []))
    from crawler.failures import FailureLog

    result.fetch_failures = list(FailureLog.for_crawler(crawler).entries)
    return result
