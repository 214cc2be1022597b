"""The worker's side of the shared crawl: heartbeat, acknowledgements, dead workers' requests, and when to
stop.

- every NEWSARCHIVE_REDIS_LEASE / 3 seconds the worker renews its lease; every tick (at most 0.5 s) it
  sends the acknowledgements of the requests Scrapy finished (:mod:`crawler.distributed.leases`);
- when its engine is idle it acknowledges everything it holds, requeues the requests of dead workers,
  takes the seeding over from a dead seeder, and then either waits (``DontCloseSpider``; it looks again
  every NEWSARCHIVE_REDIS_IDLE_POLL seconds) or, when nothing is queued or in flight anywhere and the
  seeding is complete, marks the crawl done and lets the spider close (``finished``);
- on close it gives its lease back. A Redis outage past NEWSARCHIVE_REDIS_RETRY_SECONDS closes the spider
  with reason ``redis-unavailable`` (:meth:`crawler.distributed.cluster.Cluster.fail`).

Settings: NEWSARCHIVE_REDIS_LEASE, NEWSARCHIVE_REDIS_IDLE_POLL (see :mod:`crawler.distributed`).
Stats: ``newsarchive/distributed/{worker_id,crawl_id,requeued,acknowledged,lease_lapsed,idle_polls}``,
``newsarchive/distributed/crawl_done`` (this worker saw the whole crawl end).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import call_later
from twisted.internet import task

from crawler.distributed.cluster import REDIS_ERRORS, Cluster, Keys, setting
from crawler.distributed.seeding import take_over

log = logging.getLogger(__name__)
DONE_KEYS_TTL = 24 * 3600  # a finished crawl's dupefilter/recorded/claims/workers stay this long (status)
TICK = 0.5


class Coordinator:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.cluster = Cluster.of(crawler)
        self.leases = self.cluster.leases
        self.poll = setting(crawler, "NEWSARCHIVE_REDIS_IDLE_POLL")
        self.beat_every = self.cluster.lease_ms / 3000
        self._last_beat = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self._wake_pending = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Coordinator:
        if not crawler.settings.get("NEWSARCHIVE_REDIS_URL"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def count(self, key: str, n: int = 1) -> None:
        if self.crawler.stats is not None and n:
            self.crawler.stats.inc_value(f"newsarchive/distributed/{key}", n)

    # -- while running ------------------------------------------------------------------------------
    def spider_opened(self, spider: Any) -> None:
        try:
            self.beat(quiet=True)  # starting up may take longer than a short lease
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(min(TICK, self.beat_every), now=False)

    def tick(self) -> None:
        if self.cluster.broken:
            self._stop_loop()
            return
        try:
            self.count("acknowledged", self.leases.flush())
            if time.monotonic() - self._last_beat >= self.beat_every:
                self.beat()
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)

    def beat(self, quiet: bool = False) -> None:
        self._last_beat = time.monotonic()
        if not self.leases.heartbeat() and not quiet:
            self.count("lease_lapsed")
            log.warning("worker %s: its lease had lapsed (stalled longer than %g s?); its unfinished "
                        "requests were requeued and may be fetched twice (recorded once)",
                        self.cluster.worker_id, self.cluster.lease_ms / 1000)

    def spider_idle(self, spider: Any) -> None:
        if self.cluster.broken:
            return
        try:
            self.count("acknowledged", self.leases.ack_held())  # idle: every request we took is done
            self.count("requeued", self.leases.reclaim())
            state = self.leases.state()
            if not state.finished:
                if not state.seeded:
                    take_over(self.crawler, self.cluster)
                self.count("idle_polls")
                self.wake_later()
                raise DontCloseSpider
            if not state.done:
                self.mark_done()
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("newsarchive/distributed/crawl_done", True)
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)

    def wake_later(self) -> None:
        """Look at the frontier again in NEWSARCHIVE_REDIS_IDLE_POLL seconds (Scrapy's own heartbeat is 5 s).

        Scrapy has no public call for it; without the engine's slot the 5 s heartbeat still works."""
        if self._wake_pending:
            return
        self._wake_pending = True
        call_later(self.poll, self._wake)

    def _wake(self) -> None:
        self._wake_pending = False
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def mark_done(self) -> None:
        keys, client = self.cluster.keys, self.cluster.client
        with client.pipeline() as pipe:
            pipe.hset(Keys.current(keys.spider), "state", "done")
            for key in (keys.dupefilter, keys.recorded, keys.claims, keys.workers, keys.hostseq):
                pipe.expire(key, DONE_KEYS_TTL)
            pipe.delete(keys.queue, keys.inflight)
            pipe.execute()
        log.info("crawl %s is done: nothing queued or in flight in any worker", keys.crawl_id)

    # -- closing ------------------------------------------------------------------------------------
    def spider_closed(self, spider: Any, reason: str) -> None:
        self._stop_loop()
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("newsarchive/distributed/worker_id", self.cluster.worker_id)
            stats.set_value("newsarchive/distributed/crawl_id", self.cluster.crawl_id)
        if self.cluster.broken:
            return
        try:
            # the engine closed its slot only after every request in progress was done
            self.count("acknowledged", self.leases.ack_held())
            self.leases.leave()
        except REDIS_ERRORS as exc:
            log.warning("could not give the lease of worker %s back (%s); it expires by itself",
                        self.cluster.worker_id, exc)

    def _stop_loop(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
