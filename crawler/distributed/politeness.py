"""Politeness across workers: a host's limits hold for the whole run, not per process.

Each host (each Scrapy download slot: a host, or an API's named slot) has as many leases in
Redis as it may take requests at a time (the slot's concurrency, 1 for a web site). A
worker takes one (SET NX with an expiry) before a request goes out; when the answer is in,
the lease is kept for the host's delay more and then lapses, so the next request to that
host, from any worker on any machine, starts at least that delay after this one ended. A
worker that dies holding a lease loses it after DOWNLOAD_TIMEOUT plus the delay.

The delay is the one this worker's slot has (DOWNLOAD_SLOTS, robots.txt Crawl-delay and
AutoThrottle through crawler.politeness), else DOWNLOAD_DELAY. Scrapy's own per-process
slot limits still apply on top. Requests answered from the archive never reach this
middleware (it sits after crawler.resume and crawler.incremental, before the WARC tap).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from crawler.distributed.scheduler import shared_run

logger = logging.getLogger(__name__)

LEASE_META_KEY = "coprod_host_lease"
# Seconds between tries for a busy host's lease: from MIN_WAIT, growing to MAX_WAIT while the
# lease is held by a request in progress (it ends when the answer is in: poll soon), or the
# lease's own remaining delay when that is shorter.
MIN_WAIT, MAX_WAIT = 0.004, 0.025

_ACQUIRE = """
local least = -1
for i, name in ipairs(KEYS) do
  if redis.call('SET', name, ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, i} end
  local left = redis.call('PTTL', name)
  if left > 0 and (least < 0 or left < least) then least = left end
end
return {0, least}
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class SharedHostLeaseMiddleware:
    """Downloader middleware (order 940): one lease per request, per host, run-wide."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.run = shared_run(crawler)
        settings = crawler.settings
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.default_concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1
        self.slot_settings = settings.getdict("DOWNLOAD_SLOTS")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 180)
        self._acquire = self.run.server.register_script(_ACQUIRE)
        self._release = self.run.server.register_script(_RELEASE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedHostLeaseMiddleware:
        return cls(crawler)

    def _slot(self, request: Request) -> tuple[str, float, int]:
        """The request's download slot, its delay and its concurrency."""
        key = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            return key, float(slot.delay), int(slot.concurrency)
        configured = self.slot_settings.get(key, {})
        return (key, float(configured.get("delay", self.default_delay)),
                int(configured.get("concurrency", self.default_concurrency)))

    async def process_request(self, request: Request) -> None:
        key, delay, concurrency = self._slot(request)
        token = uuid.uuid4().hex
        hold_ms = int((self.timeout + delay + 5) * 1000)  # lapses if we die mid-request
        names = [self.run.key("host", key, str(n)) for n in range(max(concurrency, 1))]
        waited, backoff = 0.0, MIN_WAIT
        while True:  # one round trip a try: take a free lease, else learn the soonest expiry
            got, value = self._acquire(keys=names, args=[token, hold_ms])
            if got:
                request.meta[LEASE_META_KEY] = (names[int(value) - 1], token, int(delay * 1000))
                if waited:
                    self.crawler.stats.inc_value("coprod/distributed/lease_wait_ms",
                                                 int(waited * 1000))
                return None
            wait = (int(value) / 1000) if int(value) > 0 else MIN_WAIT
            wait = min(max(wait, MIN_WAIT), backoff)
            backoff = min(backoff * 1.5, MAX_WAIT)
            waited += wait
            await maybe_deferred_to_future(_sleep(wait))

    def _done(self, request: Request) -> None:
        lease = request.meta.pop(LEASE_META_KEY, None)
        if lease is not None:
            name, token, delay_ms = lease
            self._release(keys=[name], args=[token, delay_ms])

    def process_response(self, request: Request, response: Response) -> Response:
        self._done(request)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._done(request)
        return None


def _sleep(seconds: float) -> Any:
    from twisted.internet import reactor, task  # not at import: Scrapy installs the reactor

    return task.deferLater(reactor, seconds, lambda: None)
