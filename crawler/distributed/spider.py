"""The crawl spider as one worker of a distributed run.

Only the worker that created the run seeds it (its sources' first requests); every worker
parses whatever the shared frontier hands it, so each builds the same sources from the run's
spec. Page caps (--max-pages, a source's max_pages) count run-wide in Redis. A source's
harvest date advances only when the whole run finished and no worker saw that source fail
or hit its cap; the seeding worker records it.
"""

from __future__ import annotations

import logging
from typing import Any

from crawler.distributed.scheduler import shared_run
from crawler.spiders.crawl import CrawlSpider

logger = logging.getLogger(__name__)


class WorkerCrawlSpider(CrawlSpider):
    """CrawlSpider that shares its frontier, caps and outcome with the run's other workers."""

    def __init__(self, *args: Any, seeder: bool | str = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seeder = seeder not in (False, "0", "false", "no")
        self.seeding_done = not self.seeder  # read by the scheduler: do not stop mid-seeding

    async def start(self) -> Any:
        self._build_sources()
        run = shared_run(self.crawler)
        if self.seeder:
            async for request in super().start():
                yield request
            run.mark_seeded()
            logger.info("distributed: seeds pushed (%d requests)", self.pages)
        self.seeding_done = True

    def _admit(self, name: str) -> bool:
        spec = self.specs.get(name)
        cap = spec.max_pages if spec is not None else None
        limit = self.config.max_pages
        if name in self.capped:
            return False
        total, mine = shared_run(self.crawler).count_page(name)
        if (limit and total > limit) or (cap is not None and mine > cap):
            logger.info("%s: page cap reached (run-wide); the rest waits for the next run", name)
            self.capped.add(name)
            shared_run(self.crawler).note("capped", name)
            return False
        self.pages += 1
        self.source_pages[name] += 1
        return True

    def _error(self, name: str, reason: str) -> None:
        super()._error(name, reason)
        shared_run(self.crawler).note("errors", name)

    def closed(self, reason: str) -> None:
        run = shared_run(self.crawler)
        if self.seeder and reason == "finished" and run.is_done():
            self.capped |= run.noted("capped")
            for name in run.noted("errors") - set(self.errors):
                self.errors[name] = ["failed in another worker"]
            super().closed(reason)  # harvest dates advance for the complete sources
            return
        self.crawler.stats.set_value("coprod/pages/requested", self.pages)
        for name in self.capped:
            self.crawler.stats.set_value(f"coprod/source/{name}/capped", 1)


__all__ = ["WorkerCrawlSpider"]
