"""Seed the shared frontier once per crawl from the spider's async ``start()``.

scrapy-redis 0.9.1 only knows ``start_requests`` (gone in Scrapy 2.13+; rmax/scrapy-redis#305, PR #316),
and every worker runs ``start()``. This spider middleware's ``process_start`` lets only the worker that
wins ``HSETNX newsarchive:<spider>:crawl seeder <worker>`` pass the start requests on; it sets ``seeded``
once the last of them is queued, and the crawl cannot end before that. The others yield nothing and take
their requests from the shared frontier.

If the seeding worker dies before ``seeded``, an idle worker takes the seeding over
(:func:`take_over`, from :mod:`crawler.distributed.coordinator`) and runs ``start()`` again:
the start requests already queued are dropped by the shared dupefilter.

Settings: none (on with the add-on). Stats: ``newsarchive/distributed/seeded`` (start requests queued).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.distributed.cluster import REDIS_ERRORS, Cluster, Keys

log = logging.getLogger(__name__)

_TAKE_OVER = """
if redis.call('HGET', KEYS[1], 'seeded') == '1' then return 0 end
local seeder = redis.call('HGET', KEYS[1], 'seeder')
if seeder and redis.call('EXISTS', ARGV[2] .. 'worker:' .. seeder) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'seeder', ARGV[1])
return 1
"""


class SeedOnce:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.cluster = Cluster.of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeedOnce:
        if not crawler.settings.get("NEWSARCHIVE_REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        cluster = self.cluster
        crawl_key = Keys.current(cluster.spider)
        try:
            seeding = cluster.client.hsetnx(crawl_key, "seeder", cluster.worker_id)
            seeder = None if seeding else cluster.client.hget(crawl_key, "seeder")
        except REDIS_ERRORS as exc:
            cluster.fail(exc)
            return
        if not seeding:
            log.info("crawl %s is seeded by worker %s; taking requests from the shared frontier",
                     cluster.crawl_id, seeder.decode() if isinstance(seeder, bytes) else "?")
            return
        try:
            async for item_or_request in start:
                if isinstance(item_or_request, Request) and self.crawler.stats is not None:
                    self.crawler.stats.inc_value("newsarchive/distributed/seeded")
                yield item_or_request
        except Exception:
            mark_seeded(cluster)  # start() failed (the engine logs it): let the crawl end with what it has
            raise
        mark_seeded(cluster)


def mark_seeded(cluster: Cluster) -> None:
    try:
        cluster.client.hset(Keys.current(cluster.spider), "seeded", "1")
    except REDIS_ERRORS as exc:  # not seeded then: a live worker seeds again (take_over)
        cluster.fail(exc)
        return
    log.info("worker %s seeded crawl %s", cluster.worker_id, cluster.crawl_id)


def take_over(crawler: Crawler, cluster: Cluster) -> bool:
    """If the seeding worker died before it finished, seed again from here; True when started."""
    script = cluster.script("seed-take-over", _TAKE_OVER)
    if not script(keys=[Keys.current(cluster.spider)], args=[cluster.worker_id, cluster.keys.prefix]):
        return False
    log.warning("the worker seeding crawl %s died before it finished; seeding again from worker %s "
                "(start requests already queued are filtered)", cluster.crawl_id, cluster.worker_id)
    spider, engine = crawler.spider, crawler.engine
    assert spider is not None and engine is not None

    async def seed() -> None:
        async for item_or_request in spider.start():
            if isinstance(item_or_request, Request):
                engine.crawl(item_or_request)
        mark_seeded(cluster)

    deferred_from_coro(seed())
    return True
