"""Extraction off the Twisted reactor: a process pool sized to the cores.

Extracting a publisher page costs 10-50 ms of CPU, fetching it about 2 ms; on the reactor
thread every download would wait behind it (DESIGN.md, "Performance shape"). So the crawl
hands a page's parse to worker processes and goes on fetching; the callback resumes when
the worker answers.

- Only pure work goes to the pool: functions of (url, headers, body) that return picklable
  data (extractors, crawler.sources.site.parse_page). A source whose `parse` keeps state of
  its own (OAI-PMH's granularity) is parsed inline, as before.
- Workers come from a forkserver that has imported the extractors already, never forked
  from the crawling process (its threads and sockets); they ignore SIGINT, so Ctrl-C
  reaches the crawl, which shuts the pool down when the engine stops. Each worker leaves
  when the crawl process is gone, however it ended (kill -9 included), and the forkserver
  with them.
- The pool starts at the START_AFTER-th call, and until every worker has answered once,
  calls run inline: a crawl of a few pages never starts it, and none waits for it.
- A worker that dies (out of memory, a crash in lxml) breaks the pool: from then on calls
  run inline and the crawl goes on.

Setting COPROD_EXTRACT_WORKERS: number of workers; 0 runs everything inline; default the
cores this process may use.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

T = TypeVar("T")
SETTING = "COPROD_EXTRACT_WORKERS"
# imported once, in the forkserver (extruct is imported late by extractors, not by the crawl)
PRELOAD = ["extractors.dispatch", "crawler.sources.site", "extruct.jsonld", "extruct.w3cmicrodata"]
_CRAWLER_ATTR = "_coprod_extract_pool"
START_AFTER = 8  # calls made inline before the workers are started


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _worker_init(crawl_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(crawl_pid,), daemon=True,
                     name="coprod-exit-with-crawl").start()


def _exit_with(crawl_pid: int) -> None:
    """Leave when the crawl that started this worker is gone, kill -9 included: the task pipe
    is held open by the other workers too, so no worker would ever see it close."""
    try:
        handle = os.pidfd_open(crawl_pid)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):  # no pidfd (not Linux >= 5.3): look every second
        while _alive(crawl_pid):
            time.sleep(1.0)
        os._exit(0)
    select.select([handle], [], [])  # readable once the process has exited
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ready() -> int:
    return os.getpid()


class ExtractPool:
    """Runs pure functions in worker processes once they are up; inline until then."""

    def __init__(self, workers: int, stats: Any = None) -> None:
        self.workers = max(0, workers)
        self.stats = stats  # Scrapy stats: coprod/extract/pool and /inline count the calls
        self._executor: ProcessPoolExecutor | None = None
        self._warming = 0  # workers not yet answered
        self._broken = False
        self.calls = 0

    @classmethod
    def for_crawler(cls, crawler: Any) -> ExtractPool:
        """The crawl's one pool, shut down when the engine stops."""
        pool = getattr(crawler, _CRAWLER_ATTR, None)
        if pool is None:
            from scrapy import signals

            workers = crawler.settings.get(SETTING)
            pool = cls(default_workers() if workers in (None, "") else int(workers), crawler.stats)
            setattr(crawler, _CRAWLER_ATTR, pool)
            crawler.signals.connect(pool.close, signal=signals.engine_stopped)
        return pool

    @property
    def ready(self) -> bool:
        return self._executor is not None and self._warming == 0 and not self._broken

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a worker when the pool is ready, else here and now."""
        self.calls += 1
        if not self.ready:
            if self.calls >= START_AFTER:
                self._start()
            return self._inline(fn, args)
        assert self._executor is not None
        try:
            future = self._executor.submit(fn, *args)
        except (BrokenProcessPool, RuntimeError) as error:  # broken, or shut down
            self._give_up(error)
            return self._inline(fn, args)
        try:
            result = await _wait(future)
        except BrokenProcessPool as error:
            self._give_up(error)
            return self._inline(fn, args)
        self._count("pool")
        return result

    def _inline(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        self._count("inline")
        return fn(*args)

    def _count(self, where: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"coprod/extract/{where}")

    def _start(self) -> None:
        if self._executor is not None or self.workers == 0 or self._broken:
            return
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        self._executor = ProcessPoolExecutor(self.workers, mp_context=context,
                                             initializer=_worker_init, initargs=(os.getpid(),))
        self._warming = self.workers
        for _ in range(self.workers):
            self._executor.submit(_ready).add_done_callback(self._answered)

    def _answered(self, future: Future) -> None:  # in the executor's thread
        if future.exception() is not None:
            self._broken = True
        self._warming -= 1

    def _give_up(self, error: BaseException) -> None:
        if not self._broken:
            logger.warning("extraction workers failed (%s); extracting in the crawl process", error)
        self._broken = True

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


async def _wait(future: Future) -> Any:
    """A concurrent.futures result, awaited on the reactor (asyncio or not)."""
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor

    deferred: Deferred = Deferred()

    def fire(done: Future) -> None:
        if deferred.called:  # cancelled meanwhile (the crawl is closing)
            return
        error = done.exception()
        if error is not None:
            deferred.errback(error)
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return await maybe_deferred_to_future(deferred)


async def parse_source_page(crawler: Any, source: Any, step: str, url: str,
                            headers: Mapping[str, str], body: bytes,
                            with_links: bool = True, threshold: float | None = None) -> Any:
    """`source.parse(step, url, headers, body)`, off the reactor where it is pure work.

    The crawl spider's one call: a site crawl's page (extraction + links, the links only
    when `with_links`, its work judged against `threshold`) goes to the pool; every other
    source parses inline (API pages are cheap JSON, and some sources keep state).
    """
    from crawler.sources.site import SiteSource, parse_page

    if isinstance(source, SiteSource):
        site = source.spec.url or url
        return await ExtractPool.for_crawler(crawler).call(parse_page, url, dict(headers), body,
                                                           site, with_links, threshold)
    return source.parse(step, url, headers, body)
