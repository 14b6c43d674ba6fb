"""The workers' shared frontier: scrapy-redis's scheduler (Redis priority queue + duplicate
filter), made safe for workers that die and for knowing when the whole run is over.

What scrapy-redis leaves out and this adds (crawler.distributed.run keeps the keys):
- a popped request goes into this worker's in-flight hash in the same step, and leaves it
  only when the engine has finished with it (no longer in the downloader nor the scraper:
  callbacks run, items through the pipelines), so a worker killed with -9 loses nothing;
- the spider stays open while any live worker may still add requests, and closes when the
  run is over (frontier empty, every live worker idle); the engine looks at the frontier
  every COPROD_IDLE_POLL seconds meanwhile;
- a dead worker's in-flight requests go back on the frontier (its open WARCs finished first,
  when it ran on this data directory).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from scrapy.http import Request
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.distributed.run import SharedRun

logger = logging.getLogger(__name__)

IDLE_POLL = 0.2  # seconds between looks at the frontier while this worker has nothing to do
_RUN_ATTR = "_coprod_shared_run"


def shared_run(crawler: Any) -> SharedRun:
    """The run's Redis state for this crawler (one per process, like WarcArchive)."""
    run = getattr(crawler, _RUN_ATTR, None)
    if run is None:
        from scrapy_redis import connection

        settings = crawler.settings
        run = SharedRun(connection.from_settings(settings), settings.get("COPROD_WORKER_IDENTITY"),
                        settings.get("COPROD_REDIS_PREFIX"),
                        settings.getfloat("COPROD_WORKER_TTL", 30.0))
        setattr(crawler, _RUN_ATTR, run)
    return run


class SharedScheduler(Scheduler):
    """scrapy_redis.scheduler.Scheduler with in-flight tracking and run-wide termination."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.run = shared_run(crawler)
        scheduler.poll = crawler.settings.getfloat("COPROD_IDLE_POLL", IDLE_POLL)
        scheduler.finished = False
        scheduler._handed: dict[str, Request] = {}  # token -> request, until the engine is done
        scheduler._next_idle_check = 0.0
        scheduler._beat = task.LoopingCall(scheduler._heartbeat)
        return scheduler

    def open(self, spider: Any) -> None:
        super().open(spider)
        # Scrapy re-reads the scheduler every 5 s when it has nothing in hand; other workers
        # add requests all the time, so look sooner (no public setting for it).
        self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = self.poll
        back = self.run.requeue(self.run.identity, force=True)  # a previous life's requests
        if back:
            logger.warning("distributed: %d requests this worker held when it stopped are queued "
                        "again", back)
        self.run.join()
        self._beat.start(max(self.run.ttl / 3, 0.05), now=False)

    def close(self, reason: str) -> None:
        if self._beat.running:
            self._beat.stop()
        self._settle()
        if reason != "finished":  # stopped early (Ctrl-C, cap, error): others carry on
            self.run.requeue(self.run.identity, force=True)
        self.run.leave()
        super().close(reason)

    def enqueue_request(self, request: Request) -> bool:
        """scrapy-redis's, without its deprecated stats call."""
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def has_pending_requests(self) -> bool:
        return not self.finished

    def next_request(self) -> Request | None:
        if self.finished:
            return None
        token = uuid.uuid4().hex
        data = self.run.pop(token)
        if data is not None:
            request = self.queue._decode_request(data)
            self._handed[token] = request
            if self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
            return request
        self._when_idle()
        return None

    # -- keeping track -------------------------------------------------------------------

    def _heartbeat(self) -> None:
        try:
            self.run.beat()
            self._settle()
        except Exception:  # a Redis hiccup must not stop the loop; the next beat retries
            logger.warning("distributed: heartbeat failed", exc_info=True)

    def _settle(self) -> None:
        """Drop from our in-flight hash the requests the engine has finished with."""
        engine = self.crawler.engine
        downloading = engine.downloader.active
        scraping = engine.scraper.slot.active if engine.scraper.slot is not None else set()
        done = [token for token, request in self._handed.items()
                if request not in downloading and request not in scraping]
        for token in done:
            del self._handed[token]
        self.run.finished(*done)

    def _quiet(self) -> bool:
        engine = self.crawler.engine
        return (not self._handed and not engine.downloader.active
                and (engine.scraper.slot is None or engine.scraper.slot.is_idle())
                and getattr(self.spider, "seeding_done", True))

    def _when_idle(self) -> None:
        """Nothing on the frontier for us: say so, and see whether the whole run is over."""
        import time

        now = time.monotonic()
        if now < self._next_idle_check:
            return
        self._next_idle_check = now + self.poll
        self._settle()
        if not self._quiet() or not self.run.idle():
            return
        outcome = self.run.check_finished()
        if isinstance(outcome, list):
            from crawler.distributed.recover import take_over

            for identity in outcome:
                take_over(self.crawler, self.run, identity)
            return
        if outcome:
            logger.info("distributed: the run is over (frontier empty, every worker idle)")
            self.finished = True
