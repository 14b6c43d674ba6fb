"""Start a worker of a distributed crawl: `coprod crawl --redis URL` (creates the run and seeds
it, or joins the one going on) and `coprod worker --redis URL` (joins; waits for a run).

A worker holds its data directory's lock shared and its own worker lock (crawler.lock), so
several workers share one data directory while no ordinary run starts beside them; each
writes WARCs under its own prefix (`coprod-w1-...`, with `coprod-worker` in warcinfo), and
all of them write one catalog (`--catalog`, or the data directory's SQLite file when they
share a machine). What shapes the crawl (sources, focus, delays, relevance threshold, the
catalog when it is a database) is the run's: stored in Redis by the worker that created it.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from archive import warcrecords
from crawler.distributed.recover import warc_prefix
from crawler.distributed.run import DEFAULT_PREFIX, RunInfo, SharedRun, worker_identity
from crawler.runner import CrawlResult

logger = logging.getLogger(__name__)

# Settings that shape the crawl: the run's, whichever worker runs it.
SHARED_SETTINGS = ("DOWNLOAD_DELAY", "DOWNLOAD_SLOTS", "USER_AGENT", "COPROD_CONTACT",
                   "COPROD_RELEVANCE_THRESHOLD", "COPROD_RENDER_HOSTS", "ROBOTSTXT_OBEY")
MERGE = "crawler.crawlpipelines.MergePipeline"


class NoRun(Exception):
    """`coprod worker` found no run to join in time."""


def connect(url: str) -> Any:
    from redis import Redis

    return Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)


def distributed_settings(settings: Settings, *, redis_url: str, prefix: str, worker: str,
                         run: SharedRun, info: RunInfo) -> dict[str, Any]:
    """What turns a crawl into one worker of the run."""
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["crawler.distributed.politeness.SharedHostLeaseMiddleware"] = 940
    pipelines = {k: v for k, v in settings.getdict("ITEM_PIPELINES").items() if k != MERGE}
    pipelines["crawler.distributed.merge.SharedMergePipeline"] = 200
    pipelines["crawler.distributed.merge.MergeStepEndPipeline"] = 810
    shared = {name: value for name, value in info.spec.get("settings", {}).items()
              if value is not None}
    if info.spec.get("catalog") and not settings.get("COPROD_CATALOG"):
        shared["COPROD_CATALOG"] = info.spec["catalog"]
    return {
        **shared,
        "SCHEDULER": "crawler.distributed.scheduler.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_PERSIST": True,  # the frontier outlives any one worker
        "SCHEDULER_QUEUE_KEY": run.queue_key,
        "SCHEDULER_DUPEFILTER_KEY": run.dupefilter_key,
        "REDIS_URL": redis_url,
        "COPROD_REDIS_PREFIX": prefix,
        "COPROD_WORKER_ID": worker,
        "COPROD_WORKER_IDENTITY": run.identity,
        "COPROD_WARC_PREFIX": warc_prefix(worker),
        "COPROD_JOB_ID": info.job_id,
        # every request whose page this run captured already is answered from the archive
        # (a dead worker's requests, taken over): crawler.resume.ArchivedInJobMiddleware
        "COPROD_RESUME_SINCE": info.started_at,
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "ITEM_PIPELINES": pipelines,
        "JOBDIR": None,
    }


def run_spec(settings: Settings, spider_kwargs: dict[str, Any]) -> dict[str, Any]:
    catalog = settings.get("COPROD_CATALOG")
    return {"spider": spider_kwargs,
            "settings": {name: settings.get(name) for name in SHARED_SETTINGS},
            "catalog": catalog if catalog and "://" in str(catalog) else None}


def run_worker(settings: Settings, *, redis_url: str, prefix: str | None = None,
               worker: str | None = None, spider_kwargs: dict[str, Any] | None = None,
               wait: float = 0.0, notify: Any = None) -> tuple[CrawlResult, dict[str, Any]]:
    """Run one worker to the end of the run. With `spider_kwargs` (coprod crawl) a run is
    created and seeded unless one is going on; without (coprod worker) it waits up to `wait`
    seconds for one. Returns the crawl's result and the spider arguments of the run."""
    from crawler.distributed.spider import WorkerCrawlSpider
    from crawler.lock import hold, hold_worker
    from crawler.runner import run_spider

    prefix = prefix or DEFAULT_PREFIX
    data_dir = Path(settings.get("COPROD_DATA_DIR", "coprod-data"))
    with hold(data_dir, shared=True), hold_worker(data_dir, worker) as name:
        run = SharedRun(connect(redis_url), worker_identity(name), prefix,
                        settings.getfloat("COPROD_WORKER_TTL", 30.0))
        created = False
        if spider_kwargs is not None:
            created = run.start(f"coprod-{uuid.uuid4()}", warcrecords.iso_date(time.time()),
                                run_spec(settings, spider_kwargs))
        info = _wait_for_run(run, wait)
        if notify is not None:
            notify(f"distributed: worker {run.identity} "
                   f"{'started run' if created else 'joined run'} {info.job_id} "
                   f"(started {info.started_at})")
        settings.setdict(distributed_settings(settings, redis_url=redis_url, prefix=prefix,
                                              worker=name, run=run, info=info),
                         priority="cmdline")
        kwargs = dict(info.spec["spider"])
        result = run_spider(WorkerCrawlSpider, settings, **kwargs, seeder=created)
    return result, kwargs


def _wait_for_run(run: SharedRun, wait: float) -> RunInfo:
    deadline = time.monotonic() + wait
    while True:
        info = run.info()
        if info is not None:
            return info
        if time.monotonic() >= deadline:
            raise NoRun(f"no distributed run going on in Redis under {run.prefix!r} "
                        "(start one with `coprod crawl --redis URL`)")
        time.sleep(0.2)
