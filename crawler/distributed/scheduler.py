"""The distributed scheduler: scrapy-redis's ``Scheduler`` on this crawl's keys, with a leased queue
(:mod:`crawler.distributed.queue`) and the shared duplicate filter (:mod:`crawler.distributed.dupefilter`).

- ``enqueue_request``: a request carrying a lease token in ``meta`` is a retry or redirect of a request
  this worker leased and is queued as it is; any other request goes through the shared dupefilter, so
  each URL is queued, and so fetched, once per crawl whichever worker discovers it;
- ``next_request``: pops from the shared frontier with a lease;
- nothing is flushed on close: the frontier belongs to the crawl, not to a worker;
- requests are stored as JSON (:mod:`crawler.distributed.serializer`), never pickled.

A Redis outage longer than NEWSARCHIVE_REDIS_RETRY_SECONDS stops the worker resumably
(:meth:`crawler.distributed.cluster.Cluster.fail`). Stats: ``scheduler/enqueued/redis``,
``scheduler/dequeued/redis``, ``newsarchive/distributed/duplicate``, ``newsarchive/distributed/continued``,
``newsarchive/drop/unqueueable`` (a request whose meta JSON cannot hold; logged as an error).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler

from crawler.distributed import serializer
from crawler.distributed.cluster import REDIS_ERRORS, Cluster
from crawler.distributed.dupefilter import SharedDupeFilter
from crawler.distributed.leases import LEASE_META

log = logging.getLogger(__name__)
QUEUE_CLASS = "crawler.distributed.queue.LeasedQueue"


class LeasedScheduler(Scheduler):  # scrapy-redis is untyped (Any)
    cluster: Cluster

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasedScheduler:
        cluster = Cluster.of(crawler)
        keys = cluster.keys
        dupefilter = SharedDupeFilter(cluster.client, key=keys.dupefilter,
                                      debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        scheduler = cls(server=cluster.client, persist=True, queue_key=keys.queue, queue_cls=QUEUE_CLASS,
                        dupefilter=dupefilter, dupefilter_key=keys.dupefilter, serializer=serializer)
        scheduler.stats = crawler.stats
        scheduler.cluster = cluster
        return scheduler

    def open(self, spider: Any) -> None:
        """scrapy-redis's open, logging through the module logger (``Spider.log`` is deprecated)."""
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider, key=self.queue_key,
                                                 serializer=self.serializer)
        try:
            queued = len(self.queue)
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc, close=False)
            raise CloseSpider("redis-unavailable") from None
        if queued:
            log.info("joining crawl %s: %d requests in the shared frontier", self.cluster.crawl_id, queued)

    def enqueue_request(self, request: Request) -> bool:
        if self.cluster.broken:
            return False  # the parent is never acknowledged: it returns to the frontier, and this with it
        continuation = request.meta.pop(LEASE_META, None) is not None
        fingerprint = self.df.request_fingerprint(request)
        try:
            if continuation:
                self.queue.push_continuation(request, fingerprint)
                self._count("newsarchive/distributed/continued")
            elif not self.queue.push_new(request, fingerprint):
                self.df.log(request, self.spider)
                self._count("newsarchive/distributed/duplicate")
                return False
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)
            return False
        except TypeError as exc:  # meta that JSON cannot hold: a spider bug, said loudly
            log.error("cannot queue %s in the shared frontier: %s", request.url, exc)
            self._count("newsarchive/drop/unqueueable")
            return False
        self._count("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.cluster.broken:
            return None
        try:
            request: Request | None = self.queue.pop()
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)
            return None
        if request is not None:
            self._count("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.cluster.broken:
            return False
        try:
            return len(self) > 0
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)
            return False

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def close(self, reason: str) -> Any:
        """The frontier stays in Redis (the crawl's, not this worker's)."""
        return None
