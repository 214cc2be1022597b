"""Leases: scrapy-redis pops a request and forgets it, so a worker killed with SIGKILL would lose every
request it was working on. Here a pop *moves* the request, in one Lua script, from the frontier into
``<p>:inflight`` under a lease token owned by the worker (``<p>:owned:<worker>``); the request leaves
Redis only when the worker acknowledges it, after Scrapy is completely done with it: its response was
parsed, the requests it yielded were queued and its records written (or it failed for good).

When is Scrapy done with a request? Scrapy has no signal for it (scrapy/scrapy#7978), so the scheduler
ties the acknowledgement to the request object itself (``weakref.finalize``): the engine, downloader,
scraper and item pipelines all hold the request (or the response pointing at it) until they are done, so
it cannot be freed earlier. A late acknowledgement (a reference cycle waits for the garbage collector) is
harmless: a request still in flight when its worker dies is fetched again, and the shared dupefilter and
"recorded" set make that refetch add nothing twice. When the engine is idle every request this run took
is finished by definition, so the idle handler acknowledges them all (:meth:`Leases.ack_held`).

A retry or redirect (a copy of the request, carrying its parent's token in ``meta``) is queued whatever
the dupefilter says (:meth:`Leases.push_continuation`); the parent is acknowledged after that, when freed.

A worker's lease, ``<p>:worker:<id>``, expires NEWSARCHIVE_REDIS_LEASE seconds after its last heartbeat;
:meth:`Leases.reclaim` (run by every worker when idle and at start) puts the in-flight requests of every
worker whose lease expired back into the frontier, with their priority.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Request

if TYPE_CHECKING:
    from crawler.distributed.cluster import Cluster

LEASE_META = "newsarchive_lease"  # request.meta key of the lease token

_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], ARGV[1], r[2] .. '|' .. r[1])
redis.call('SADD', KEYS[3], ARGV[1])
return r[1]
"""
# score = -priority + (n-th request of this host) / 1e6: within one priority the hosts take turns, so a
# worker's prefetch (CONCURRENT_REQUESTS pops) spans portals instead of queueing behind one portal's delay
_PUSH_NEW = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + math.min(n, 999999) / 1000000, ARGV[3])
return 1
"""
_PUSH_CONTINUATION = """
redis.call('SADD', KEYS[1], ARGV[1])
local n = redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + math.min(n, 999999) / 1000000, ARGV[3])
return 1
"""
_ACK = """
for i = 1, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
  redis.call('SREM', KEYS[2], ARGV[i])
end
return #ARGV
"""
_RECLAIM = """
local n = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'worker:' .. w) == 0 then
    local owned = ARGV[1] .. 'owned:' .. w
    for _, t in ipairs(redis.call('SMEMBERS', owned)) do
      local v = redis.call('HGET', KEYS[3], t)
      if v then
        local i = string.find(v, '|', 1, true)
        redis.call('ZADD', KEYS[2], string.sub(v, 1, i - 1), string.sub(v, i + 1))
        redis.call('HDEL', KEYS[3], t)
        n = n + 1
      end
    end
    redis.call('DEL', owned)
    redis.call('SREM', KEYS[1], w)
  end
end
return n
"""
_HEARTBEAT = """
local was = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if was == ARGV[1] then return 1 end
return 0
"""
_STATE = """
return {redis.call('ZCARD', KEYS[1]), redis.call('HLEN', KEYS[2]),
        redis.call('HGET', KEYS[3], 'seeded') or '', redis.call('HGET', KEYS[3], 'seeder') or '',
        redis.call('HGET', KEYS[3], 'state') or '', redis.call('SCARD', KEYS[4])}
"""


@dataclass(frozen=True)
class FrontierState:
    """The whole crawl at one instant (read in one script, so no pop can fall between the counts)."""

    queued: int
    inflight: int
    seeded: bool
    seeder: str
    done: bool
    workers: int

    @property
    def finished(self) -> bool:
        """Nothing queued, nothing in flight anywhere, and the seeding is complete: no request can appear
        any more (only an in-flight request yields new ones).

        >>> FrontierState(0, 0, True, "w1", False, 2).finished
        True
        >>> FrontierState(0, 1, True, "w1", False, 2).finished  # one request in flight somewhere
        False
        """
        return self.done or (self.seeded and self.queued == 0 and self.inflight == 0)


class Leases:
    """This worker's leased requests; see the module docstring."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.keys = cluster.keys
        self.held: set[str] = set()  # tokens this run popped and has not acknowledged yet
        self.finished: list[str] = []  # tokens whose requests Scrapy let go; acknowledged at the next flush
        self._counter = itertools.count()

    def _run(self, name: str, source: str, keys: list[str], args: list[object]) -> Any:
        return self.cluster.script(name, source)(keys=keys, args=args)

    # -- frontier ----------------------------------------------------------------------------------
    def pop(self) -> tuple[bytes, str] | None:
        """The next request's encoded form and its lease token, or None when the frontier is empty."""
        token = f"{self.cluster.worker_id}/{self.cluster.run}/{next(self._counter)}"
        keys = [self.keys.queue, self.keys.inflight, self.keys.owned(self.cluster.worker_id)]
        data = self._run("pop", _POP, keys, [token])
        if not data:
            return None
        self.held.add(token)
        return bytes(data), token

    def track(self, request: Request, token: str) -> None:
        """Acknowledge ``token`` once Scrapy has let go of ``request`` (see the module docstring)."""
        request.meta[LEASE_META] = token
        weakref.finalize(request, self.finished.append, token).atexit = False

    def push(self, fingerprint: str, score: float, data: bytes, host: str = "") -> bool:
        """Queue a request unless this crawl has queued it before (atomic check-and-push)."""
        keys = [self.keys.dupefilter, self.keys.queue, self.keys.hostseq]
        return bool(self._run("push", _PUSH_NEW, keys, [fingerprint, score, data, host]))

    def push_continuation(self, fingerprint: str, score: float, data: bytes, host: str = "") -> None:
        """Queue a retry/redirect of a leased request whatever the dupefilter says (its parent passed it);
        the parent's own lease is acknowledged when Scrapy lets go of the parent, right after."""
        keys = [self.keys.dupefilter, self.keys.queue, self.keys.hostseq]
        self._run("continue", _PUSH_CONTINUATION, keys, [fingerprint, score, data, host])

    # -- acknowledgements --------------------------------------------------------------------------
    def flush(self) -> int:
        """Send the acknowledgements of finished requests; the number sent."""
        tokens = [t for t in self.finished if t in self.held]
        self.finished.clear()
        return self._ack(tokens)

    def ack_held(self) -> int:
        """Acknowledge every request this run holds: only when the engine is idle or closed."""
        self.finished.clear()
        return self._ack(sorted(self.held))

    def _ack(self, tokens: list[str]) -> int:
        if not tokens or self.cluster.broken:
            return 0
        self._run("ack", _ACK, [self.keys.inflight, self.keys.owned(self.cluster.worker_id)], list(tokens))
        self.held.difference_update(tokens)
        return len(tokens)

    # -- workers -----------------------------------------------------------------------------------
    def heartbeat(self) -> bool:
        """Renew this worker's lease; False when it had lapsed (our requests may have been requeued)."""
        cluster = self.cluster
        keys = [self.keys.worker(cluster.worker_id), self.keys.workers]
        args: list[object] = [cluster.run, cluster.lease_ms, cluster.worker_id]
        return bool(self._run("heartbeat", _HEARTBEAT, keys, args))

    def reclaim(self) -> int:
        """Requeue the in-flight requests of workers whose lease expired; the number requeued."""
        return int(self._run("reclaim", _RECLAIM, [self.keys.workers, self.keys.queue, self.keys.inflight],
                             [self.keys.prefix]))

    def leave(self) -> None:
        """This worker stops: drop its lease and requeue what it still holds (nothing after a clean end)."""
        cluster = self.cluster
        cluster.client.delete(self.keys.worker(cluster.worker_id))
        self.reclaim()

    def state(self) -> FrontierState:
        k = self.keys
        raw = self._run("state", _STATE, [k.queue, k.inflight, k.current(k.spider), k.workers], [])
        queued, inflight, seeded, seeder, state, workers = raw
        return FrontierState(int(queued), int(inflight), seeded == b"1", (seeder or b"").decode(),
                             state == b"done", int(workers))
