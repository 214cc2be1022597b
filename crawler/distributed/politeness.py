"""Politeness held across all workers: Scrapy's download slots space and limit requests per domain within
one process only, so three workers would hit a portal three times as often. This HTTP download handler
(Scrapy's HTTP/1.1 handler, subclassed) asks Redis, right before each request goes on the wire, for the
domain's turn:

- spacing: a request may leave only ``delay`` after the domain's last request (by any worker, any crawl)
  left *and* was answered, where ``delay`` is the shortest wait this worker's download slot for the
  domain would allow: its delay (DOWNLOAD_DELAY, raised for robots.txt's Crawl-delay by
  crawler.extensions.crawldelay, adapted by AutoThrottle) less its random part (Scrapy waits
  ``delay * (1 +- jitter)``, DOWNLOAD_DELAY_JITTER; the Crawl-delay floor is set so that the shortest
  wait is the Crawl-delay). Counting from the answer (not only from the send) keeps the spacing the
  portal sees at least ``delay`` even when a request is slow to reach it;
- concurrency: at most the slot's concurrency (CONCURRENT_REQUESTS_PER_DOMAIN) requests to the domain in
  flight across all workers; a place is freed when the answer comes, when its worker's lease lapses
  (a killed worker), and at the latest DOWNLOAD_TIMEOUT + 30 s after it was taken.

Times are Redis's clock (``TIME`` inside the script), so the workers' clocks need not agree. The wait is
an ``asyncio.sleep`` before the download starts (DOWNLOAD_TIMEOUT counts from the send).

Settings: DOWNLOAD_DELAY, DOWNLOAD_DELAY_JITTER, CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_TIMEOUT
(Scrapy's). Stats: ``newsarchive/distributed/polite_wait`` (seconds waited for a turn),
``.../polite_waits`` (requests that waited).
"""

from __future__ import annotations

import asyncio
import uuid

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.distributed.cluster import REDIS_ERRORS, Cluster, Keys

FULL_POLL = 0.05  # seconds between tries while the domain's concurrency is used up
_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay, limit, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
for _, holder in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local key, run = string.match(holder, '^([^|]*)|([^|]*)|')
  if key and redis.call('GET', key) ~= run then redis.call('ZREM', KEYS[2], holder) end
end
if redis.call('ZCARD', KEYS[2]) >= limit then return -1 end
local last = tonumber(redis.call('GET', KEYS[1]) or '-1e15')
if last + delay > now then return last + delay - now end
redis.call('SET', KEYS[1], now, 'PX', math.max(2 * delay, 60000))
redis.call('ZADD', KEYS[2], now + hold, ARGV[3])
redis.call('PEXPIRE', KEYS[2], 2 * hold)
return 0
"""
_DONE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREM', KEYS[2], ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '-1e15')
if now > last then redis.call('SET', KEYS[1], now, 'PX', math.max(2 * tonumber(ARGV[2]), 60000)) end
return 1
"""


class PoliteHTTP11DownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.cluster = Cluster.of(crawler)
        settings = crawler.settings
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.jitter = min(max(settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.5), 0.0), 1.0)
        self.default_limit = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.hold_ms = int((settings.getfloat("DOWNLOAD_TIMEOUT") + 30) * 1000)

    async def download_request(self, request: Request) -> Response:
        slot_key, delay, limit = self.slot_of(request)
        cluster = self.cluster
        token = f"{cluster.keys.worker(cluster.worker_id)}|{cluster.run}|{uuid.uuid4().hex}"
        await self.wait_turn(slot_key, delay, limit, token)
        try:
            return await super().download_request(request)
        finally:
            self.release(slot_key, token, delay)

    def slot_of(self, request: Request) -> tuple[str, float, int]:
        """The download slot's key, delay and concurrency for ``request`` (as this worker sees them)."""
        downloader = self._crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return key, self.default_delay * (1 - self.jitter), self.default_limit
        return key, float(slot.delay) * (1 - slot.jitter), int(slot.concurrency)

    async def wait_turn(self, slot_key: str, delay: float, limit: int, token: str) -> None:
        keys = [Keys.polite(slot_key), Keys.polite(slot_key) + ":holders"]
        args = [int(delay * 1000), max(1, limit), token, self.hold_ms]
        waited = 0.0
        while True:
            wait_ms = self._ask(keys, args, request_url=slot_key)
            if wait_ms == 0:
                break
            pause = FULL_POLL if wait_ms < 0 else wait_ms / 1000
            waited += pause
            await asyncio.sleep(pause)
        if waited and self._crawler.stats is not None:
            self._crawler.stats.inc_value("newsarchive/distributed/polite_waits")
            self._crawler.stats.inc_value("newsarchive/distributed/polite_wait", waited)  # type: ignore[arg-type]

    def _ask(self, keys: list[str], args: list[object], request_url: str) -> int:
        if self.cluster.broken:
            raise IgnoreRequest(f"redis-unavailable: no politeness turn for {request_url}")
        try:
            return int(self.cluster.script("polite-turn", _TURN)(keys=keys, args=args))
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)
            raise IgnoreRequest(f"redis-unavailable: no politeness turn for {request_url} ({exc})") from exc

    def release(self, slot_key: str, token: str, delay: float) -> None:
        """The request was answered (or failed): free its place, the next one waits ``delay`` from now."""
        if self.cluster.broken:
            return  # the place is a lease: it expires by itself
        keys = [Keys.polite(slot_key), Keys.polite(slot_key) + ":holders"]
        try:
            self.cluster.script("polite-done", _DONE)(keys=keys, args=[token, int(delay * 1000)])
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)
