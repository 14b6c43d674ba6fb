"""Politeness beyond robots.txt allow/deny: Crawl-delay, AutoThrottle that never goes below
each host's floor, and a host-wide pause when a server sends Retry-After.

- `HostDelaysExtension`: a host's robots.txt `Crawl-delay` (for our User-Agent) becomes that
  host's download-slot delay, capped at AUTOTHROTTLE_MAX_DELAY. Slots with a delay of their
  own (DOWNLOAD_SLOTS: the APIs' documented rates; Crawl-delay) get no jitter: Scrapy's
  +-DOWNLOAD_DELAY_JITTER would take a 0.2 s rate limit down to 0.1 s.
- `PoliteAutoThrottle`: Scrapy's AutoThrottle starting every host at DOWNLOAD_DELAY (so
  `--delay 0` stays fast) and never going below the host's floor: its DOWNLOAD_SLOTS delay
  (the APIs' documented rates) or its Crawl-delay. Scrapy's own floor is the global
  DOWNLOAD_DELAY, which would slow the APIs down and speed Crawl-delay hosts up.
- `RetryAfterPauseMiddleware`: a 429 or 503 with Retry-After pauses every request to that
  host, not only the one retried (crawler.retry waits for that one).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler.retry import retry_after_seconds

logger = logging.getLogger(__name__)

PAUSE_STATUSES = (429, 503)


def slot_floor(crawler: Any, key: str) -> float:
    """The least delay a host's slot may have: its DOWNLOAD_SLOTS (or Crawl-delay) delay,
    else DOWNLOAD_DELAY."""
    default = crawler.settings.getfloat("DOWNLOAD_DELAY")
    per_slot = crawler.engine.downloader.per_slot_settings.get(key, {})
    return float(per_slot.get("delay", default))


class HostDelaysExtension:
    """Keeps DOWNLOAD_SLOTS delays exact and applies robots.txt Crawl-delay to the host's
    download slot (now, and when Scrapy re-creates the slot)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 60.0)
        self.user_agent = (crawler.settings.get("ROBOTSTXT_USER_AGENT")
                           or crawler.settings.get("USER_AGENT") or "*")
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostDelaysExtension:
        return cls(crawler)

    def spider_opened(self, spider: Any = None) -> None:
        per_slot = self.crawler.engine.downloader.per_slot_settings
        for key, config in list(per_slot.items()):
            if "delay" in config:  # a documented rate: jitter must not dip below it
                per_slot[key] = {"jitter": 0.0, **config}

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        crawl_delay = getattr(robotparser, "crawl_delay", None)
        delay = crawl_delay(self.user_agent) if crawl_delay else None
        if not delay or delay <= 0:
            return
        if delay > self.cap:
            logger.warning("%s: Crawl-delay %s s is over AUTOTHROTTLE_MAX_DELAY; using %s s",
                           request.url, delay, self.cap)
            delay = self.cap
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        delay = max(delay, slot_floor(self.crawler, key))
        downloader.per_slot_settings[key] = {**downloader.per_slot_settings.get(key, {}),
                                             "delay": delay, "jitter": 0.0}
        if (slot := downloader.slots.get(key)) is not None:
            slot.delay, slot.jitter = max(slot.delay, delay), 0.0
        self.crawler.stats.set_value(f"coprod/crawl_delay/{key}", delay)


class PoliteAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle (AUTOTHROTTLE_* settings) with per-host floors; replaces it."""

    def _start_delay(self) -> float:
        return self.mindelay  # DOWNLOAD_DELAY: a host starts at the configured delay

    def _response_downloaded(self, response: Response, request: Request, spider: Any) -> None:
        key = request.meta.get("download_slot")
        if key is not None:  # the parent's policy, with this host's floor as its minimum
            self.mindelay = slot_floor(self.crawler, key)
        super()._response_downloaded(response, request, spider)


class RetryAfterPauseMiddleware:
    """Downloader middleware (order 560, after the retry middleware's own wait): holds every
    request to a host until the time a 429/503 Retry-After named has passed (at most
    RETRY_AFTER_MAX; longer ones are not waited for, crawler.retry gives up on them)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.longest = crawler.settings.getfloat("RETRY_AFTER_MAX", 300.0)
        self.paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterPauseMiddleware:
        return cls(crawler)

    def _key(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    async def process_request(self, request: Request) -> None:
        wait = self.paused_until.get(self._key(request), 0.0) - time.monotonic()
        if wait > 0:
            from twisted.internet import reactor  # the one Scrapy installed

            self.crawler.stats.inc_value("coprod/retry_after/held")
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in PAUSE_STATUSES:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait and wait <= self.longest:
                key = self._key(request)
                until = time.monotonic() + wait
                self.paused_until[key] = max(self.paused_until.get(key, 0.0), until)
        return response
