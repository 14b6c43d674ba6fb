"""One distributed run's shared state in Redis: who started it and with what, which workers
are alive, which requests each has taken, and whether the run is over.

Keys, under one prefix (COPROD_REDIS_PREFIX, default "coprod:crawl"):

    <p>:requests      the frontier (scrapy-redis priority queue)     <p>:dupefilter  seen requests
    <p>:run           hash: job_id, started_at, spec (what to crawl), seeded
    <p>:done          set when the run finished (kept a day; the next run starts afresh)
    <p>:workers       set of worker names ("w1@host")       <p>:alive:<w>   heartbeat, expires
    <p>:inflight:<w>  requests <w> took and has not finished  <p>:idle:<w>    <w> has nothing to do
    <p>:pages         page counters for --max-pages (per source and "_all")
    <p>:errors, <p>:capped   sources that failed or hit a cap, for the harvest dates
    <p>:host:<slot>:<n>      per-host leases (crawler.distributed.politeness)

A request is moved from the frontier into its worker's `inflight` hash in one step (a Lua
script), and leaves it only when the worker has finished with it, callbacks and items
included. A worker whose heartbeat has expired is dead: another worker puts its in-flight
requests back on the frontier (after finishing its open WARC files when they are on this
machine), and the archive answers those already fetched (crawler.resume). The run is over
when the frontier is empty and every live worker is idle with nothing in flight: one atomic
check, so no worker stops while another can still add requests.
"""

from __future__ import annotations

import pickle
import socket
import time
from dataclasses import dataclass
from typing import Any

from redis import Redis

DEFAULT_PREFIX = "coprod:crawl"
HEARTBEAT_TTL = 30.0  # seconds without a heartbeat before a worker counts as dead
DONE_TTL = 86_400
ALL = "_all"

_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
redis.call('HSET', KEYS[2], ARGV[1], found[2] .. '\\n' .. found[1])
redis.call('DEL', KEYS[3])
return found[1]
"""
_IDLE = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('SET', KEYS[2], '1')
return 1
"""
_FINISHED = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 1 end
if redis.call('HGET', KEYS[4], 'seeded') ~= '1' then return 0 end
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
local dead = {}
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local inflight = redis.call('HLEN', ARGV[1] .. ':inflight:' .. w)
  if redis.call('EXISTS', ARGV[1] .. ':alive:' .. w) == 1 then
    if inflight > 0 or redis.call('EXISTS', ARGV[1] .. ':idle:' .. w) == 0 then return 0 end
  else
    table.insert(dead, w)
  end
end
if #dead > 0 then return dead end
redis.call('SET', KEYS[3], '1', 'EX', ARGV[2])
return 1
"""
_REQUEUE = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local entries = redis.call('HVALS', KEYS[2])
for _, entry in ipairs(entries) do
  local cut = string.find(entry, '\\n', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(entry, 1, cut - 1)), string.sub(entry, cut + 1))
end
redis.call('DEL', KEYS[2])
return #entries
"""
_START = """
if redis.call('EXISTS', KEYS[2]) == 1 then
  for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
end
if redis.call('HSETNX', KEYS[1], 'job_id', ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'started_at', ARGV[2], 'spec', ARGV[3])
return 1
"""


@dataclass
class RunInfo:
    """What every worker of a run shares: its job id (the WARCs' isPartOf), its start (the
    archive answers what was captured since), and the spec of the crawl (what to crawl and
    the settings that shape it)."""

    job_id: str
    started_at: str
    spec: dict[str, Any]
    seeded: bool


def worker_identity(worker: str) -> str:
    """A worker's name across machines: its id on its data directory, at its host."""
    return f"{worker}@{socket.gethostname()}"


class SharedRun:
    """The run's keys in Redis, for one worker (`identity`)."""

    def __init__(self, server: Redis, identity: str, prefix: str = DEFAULT_PREFIX,
                 ttl: float = HEARTBEAT_TTL) -> None:
        self.server, self.identity, self.prefix, self.ttl = server, identity, prefix, ttl
        self.queue_key = f"{prefix}:requests"
        self.dupefilter_key = f"{prefix}:dupefilter"
        self._pop = server.register_script(_POP)
        self._idle = server.register_script(_IDLE)
        self._finished = server.register_script(_FINISHED)
        self._requeue = server.register_script(_REQUEUE)
        self._start = server.register_script(_START)

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- the run -------------------------------------------------------------------------

    def start(self, job_id: str, started_at: str, spec: dict[str, Any]) -> bool:
        """Create the run unless one is going on (then False: join it). A finished run's
        frontier, seen requests and counters are cleared first."""
        keys = [self.key("run"), self.key("done"), self.queue_key, self.dupefilter_key,
                self.key("pages"), self.key("errors"), self.key("capped"), self.key("workers")]
        return bool(self._start(keys=keys, args=[job_id, started_at, pickle.dumps(spec)]))

    def info(self) -> RunInfo | None:
        """The run going on (None: none, or it finished)."""
        if self.server.exists(self.key("done")):
            return None
        found = self.server.hgetall(self.key("run"))
        if not found or b"spec" not in found:
            return None
        return RunInfo(found[b"job_id"].decode(), found[b"started_at"].decode(),
                       pickle.loads(found[b"spec"]), found.get(b"seeded") == b"1")

    def mark_seeded(self) -> None:
        self.server.hset(self.key("run"), "seeded", "1")

    def is_done(self) -> bool:
        return bool(self.server.exists(self.key("done")))

    # -- this worker ---------------------------------------------------------------------

    def join(self) -> None:
        self.server.sadd(self.key("workers"), self.identity)
        self.beat()

    def beat(self) -> None:
        self.server.set(self.key("alive", self.identity), str(time.time()), px=int(self.ttl * 1000))

    def leave(self) -> None:
        """A clean exit: nothing of ours is in flight any more."""
        pipe = self.server.pipeline()
        pipe.delete(self.key("alive", self.identity), self.key("idle", self.identity))
        pipe.srem(self.key("workers"), self.identity)
        pipe.execute()

    def pop(self, token: str) -> bytes | None:
        """Take the frontier's first request into our in-flight hash under `token`."""
        found = self._pop(keys=[self.queue_key, self.key("inflight", self.identity),
                                self.key("idle", self.identity)], args=[token])
        return found or None

    def finished(self, *tokens: str) -> None:
        if tokens:
            self.server.hdel(self.key("inflight", self.identity), *tokens)

    def inflight(self, identity: str | None = None) -> int:
        return int(self.server.hlen(self.key("inflight", identity or self.identity)))

    def idle(self) -> bool:
        """Say we have nothing to do, unless the frontier has something."""
        return bool(self._idle(keys=[self.queue_key, self.key("idle", self.identity)]))

    def check_finished(self) -> bool | list[str]:
        """True when the whole run is over (and marks it so); else False, or the names of
        dead workers to take over first (their requests back on the frontier, their files)."""
        found = self._finished(keys=[self.queue_key, self.key("workers"), self.key("done"),
                                     self.key("run")], args=[self.prefix, DONE_TTL])
        if isinstance(found, list):
            return [name.decode() for name in found]
        return bool(found)

    def requeue(self, identity: str, *, force: bool = False) -> int:
        """Put a dead worker's in-flight requests back on the frontier (-1: it is alive
        after all). `force`: this worker's own, at its start or a stop before the end."""
        alive = self.key("no-heartbeat") if force else self.key("alive", identity)
        count = self._requeue(keys=[self.queue_key, self.key("inflight", identity), alive])
        if count >= 0 and identity != self.identity:
            self.server.srem(self.key("workers"), identity)
        return int(count)

    # -- run-wide counters ---------------------------------------------------------------

    def count_page(self, source: str) -> tuple[int, int]:
        """One more page for the run and for `source`: (run total, source total)."""
        pipe = self.server.pipeline()
        pipe.hincrby(self.key("pages"), ALL, 1)
        pipe.hincrby(self.key("pages"), source, 1)
        total, mine = pipe.execute()
        return int(total), int(mine)

    def note(self, kind: str, source: str) -> None:
        """Remember that `source` failed ("errors") or hit its cap ("capped")."""
        self.server.hincrby(self.key(kind), source, 1)

    def noted(self, kind: str) -> set[str]:
        return {name.decode() for name in self.server.hkeys(self.key(kind))}
