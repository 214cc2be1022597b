"""One worker's handle on a distributed crawl: the Redis client, the crawl's keys, its crawl id and this
worker's id. Built once per process by the add-on (:meth:`Cluster.join`), then shared by every
distributed component through :meth:`Cluster.of`.

Redis layout (``<p>`` = ``newsarchive:<spider>:<crawl-id>``; one Redis can hold many spiders' crawls)::

    newsarchive:<spider>:crawl   hash   the current crawl: id, state (running|done), seeder, seeded
    <p>:requests                 zset   the frontier (scrapy-redis PriorityQueue: score = -priority, hosts
                                        taking turns within a priority: <p>:hostseq counts per host)
    <p>:dupefilter               set    request fingerprints ever queued in this crawl (scrapy-redis)
    <p>:inflight                 hash   lease token -> "score|request" of every popped, unfinished request
    <p>:owned:<worker>           set    the lease tokens a worker holds
    <p>:worker:<worker>          string the worker's lease (PX NEWSARCHIVE_REDIS_LEASE), renewed by heartbeat
    <p>:workers                  set    workers that joined (a dead one's tokens go back to :requests)
    <p>:recorded / <p>:claims    set / hash   articles recorded in this crawl / being recorded (recorded.py)
    newsarchive:polite:<slot>    string + zset   per-domain politeness across crawls (politeness.py)

A crawl whose state is ``done`` is over: the next worker that starts begins a new crawl (new crawl id,
new keys); the old crawl's sets expire after a day. Redis Cluster is not supported (the scripts compute
worker keys), as in scrapy-redis.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import socket
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis
from redis.backoff import ConstantBackoff
from redis.retry import Retry
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from newsarchive.captures import utc_stamp

if TYPE_CHECKING:
    from crawler.distributed.leases import Leases

log = logging.getLogger(__name__)
_ATTR = "_newsarchive_cluster"
RETRY_STEP = 0.25  # seconds between reconnection attempts
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)
START_HINT = ("start one with `bash scripts/redis-start.sh` (127.0.0.1:6379; installs it with "
              "scripts/install-redis.sh) or `redis-server --port 6379 --appendonly yes`, or point "
              "NEWSARCHIVE_REDIS_URL at a running Redis")


class DistributedError(RuntimeError):
    """A distributed crawl that cannot start or go on; the message names the URL/key and the fix."""


def setting(crawler: Crawler, name: str) -> float:
    """A positive number of seconds (defaults in crawler/settings.py)."""
    value = crawler.settings.getfloat(name)
    if value <= 0 and name != "NEWSARCHIVE_REDIS_RETRY_SECONDS":
        raise DistributedError(f"{name}={value:g}: give a number of seconds above 0 "
                               "(defaults in crawler/settings.py)")
    return value


def connect(url: str, retry_seconds: float) -> redis.Redis:
    """A client that rides out a Redis restart of up to ``retry_seconds`` (it reconnects and repeats the
    command), after checking once, without retries, that Redis answers at all.

    >>> connect("http://127.0.0.1:6379/0", 0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crawler.distributed.cluster.DistributedError: NEWSARCHIVE_REDIS_URL='http://...' is not a Redis URL; ...
    """
    if not re.match(r"^(redis|rediss|unix)://", url):
        raise DistributedError(f"NEWSARCHIVE_REDIS_URL={url!r} is not a Redis URL; write "
                               "redis://HOST:PORT/DB (e.g. redis://127.0.0.1:6379/0)")
    try:
        probe = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5,
                                     retry=Retry(ConstantBackoff(0), 0))
        probe.ping()
        probe.close()
    except REDIS_ERRORS as exc:
        raise DistributedError(f"cannot reach Redis at {url} ({exc}); {START_HINT}") from None
    except redis.RedisError as exc:  # e.g. authentication required
        raise DistributedError(f"Redis at {url} refused us ({exc}); check the password/db in the URL"
                               ) from None
    retries = max(0, int(retry_seconds / RETRY_STEP))
    return redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30,
                                retry=Retry(ConstantBackoff(RETRY_STEP), retries),
                                retry_on_error=[redis.ConnectionError, redis.TimeoutError])


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one crawl of one spider (see the module docstring).

    >>> Keys("sample", "20200220T081500Z").queue
    'newsarchive:sample:20200220T081500Z:requests'
    >>> Keys("sample", "c1").owned("w1"), Keys.polite("127.0.0.2")
    ('newsarchive:sample:c1:owned:w1', 'newsarchive:polite:127.0.0.2')
    """

    spider: str
    crawl_id: str

    @staticmethod
    def current(spider: str) -> str:
        return f"newsarchive:{spider}:crawl"

    @staticmethod
    def polite(slot: str) -> str:
        return f"newsarchive:polite:{slot}"

    @property
    def prefix(self) -> str:
        return f"newsarchive:{self.spider}:{self.crawl_id}:"

    @property
    def queue(self) -> str:
        return self.prefix + "requests"

    @property
    def dupefilter(self) -> str:
        return self.prefix + "dupefilter"

    @property
    def inflight(self) -> str:
        return self.prefix + "inflight"

    @property
    def workers(self) -> str:
        return self.prefix + "workers"

    @property
    def recorded(self) -> str:
        return self.prefix + "recorded"

    @property
    def hostseq(self) -> str:
        return self.prefix + "hostseq"

    @property
    def claims(self) -> str:
        return self.prefix + "claims"

    def worker(self, worker_id: str) -> str:
        return f"{self.prefix}worker:{worker_id}"

    def owned(self, worker_id: str) -> str:
        return f"{self.prefix}owned:{worker_id}"


_JOIN = """
local cur = redis.call('HGET', KEYS[1], 'id')
local state = redis.call('HGET', KEYS[1], 'state')
if cur and state ~= 'done' then return {cur, 'joined'} end
if cur and cur == ARGV[1] then return {cur, 'done'} end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'state', 'running')
return {ARGV[1], 'new', cur or ''}
"""


def default_worker_id() -> str:
    """``<host>-<pid>``, reduced to the characters a segment file name may hold."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{socket.gethostname()}-{os.getpid()}").strip("-.") or "worker"


def check_name(value: str, setting_name: str) -> str:
    """
    >>> check_name("w1", "NEWSARCHIVE_WORKER_ID")
    'w1'
    >>> check_name("w 1", "NEWSARCHIVE_WORKER_ID")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crawler.distributed.cluster.DistributedError: NEWSARCHIVE_WORKER_ID='w 1': use only letters, digits, ...
    """
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise DistributedError(f"{setting_name}={value!r}: use only letters, digits, '_', '.', '-' "
                               "(it becomes part of file names and Redis keys)")
    return value


class Cluster:
    """This worker's view of the shared crawl; see the module docstring."""

    def __init__(self, crawler: Crawler, client: redis.Redis, url: str, keys: Keys, worker_id: str) -> None:
        self.crawler, self.client, self.url, self.keys = crawler, client, url, keys
        self.worker_id = worker_id
        self.run = uuid.uuid4().hex[:8]  # tells this run's lease from an earlier run under the same id
        self.lease_ms = int(setting(crawler, "NEWSARCHIVE_REDIS_LEASE") * 1000)
        self.broken = False  # Redis stayed away longer than the retry window: stop, acknowledge nothing
        self._scripts: dict[str, Any] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> Cluster:
        cluster = getattr(crawler, _ATTR, None)
        if cluster is None:
            raise DistributedError("the distributed components need the add-on "
                                   "crawler.distributed.addon.DistributedCrawl in ADDONS")
        return cluster

    @classmethod
    def join(cls, crawler: Crawler, url: str) -> Cluster:
        """Connect, join (or begin) the spider's current crawl and register this worker."""
        settings = crawler.settings
        client = connect(url, setting(crawler, "NEWSARCHIVE_REDIS_RETRY_SECONDS"))
        spider = str(crawler.spidercls.name)
        wanted = settings.get("NEWSARCHIVE_CRAWL_ID") or ""
        crawl_id = cls._join_crawl(client, url, spider, check_name(wanted, "NEWSARCHIVE_CRAWL_ID")
                                   if wanted else utc_stamp(), explicit=bool(wanted))
        worker_id = check_name(settings.get("NEWSARCHIVE_WORKER_ID") or default_worker_id(),
                               "NEWSARCHIVE_WORKER_ID")
        cluster = cls(crawler, client, url, Keys(spider, crawl_id), worker_id)
        cluster._register()
        setattr(crawler, _ATTR, cluster)
        log.info("distributed crawl %s of %s on %s: this is worker %s", crawl_id, spider, url, worker_id)
        return cluster

    @staticmethod
    def _join_crawl(client: redis.Redis, url: str, spider: str, candidate: str, explicit: bool) -> str:
        raw_id, how, *before = client.register_script(_JOIN)(keys=[Keys.current(spider)], args=[candidate])
        crawl_id, how = raw_id.decode(), how.decode()
        if before and before[0]:
            log.info("crawl %s of %s is finished; beginning crawl %s", before[0].decode(), spider, crawl_id)
        if how == "done":
            raise DistributedError(f"crawl {crawl_id} of {spider} in Redis at {url} is finished; leave "
                                   "NEWSARCHIVE_CRAWL_ID out (or give a new one) to begin another crawl")
        if explicit and crawl_id != candidate:
            raise DistributedError(
                f"Redis at {url} is running crawl {crawl_id} of {spider}; join it with "
                f"-s NEWSARCHIVE_CRAWL_ID={crawl_id} (or leave the setting out), or end it first with "
                f"`python -m crawler.distributed reset {spider} --redis-url {url}`")
        return crawl_id

    def _register(self) -> None:
        self.leases.reclaim()  # requests of workers that died (an earlier run under this id too)
        key = self.keys.worker(self.worker_id)
        if not self.client.set(key, self.run, px=self.lease_ms, nx=True):
            raise DistributedError(
                f"worker id {self.worker_id} is in use by a live worker of crawl {self.keys.crawl_id} "
                f"(Redis key {key}); give each worker its own -s NEWSARCHIVE_WORKER_ID=... (a killed "
                f"worker's id is free again {self.lease_ms / 1000:g} s after its death)")
        self.client.sadd(self.keys.workers, self.worker_id)

    @functools.cached_property
    def leases(self) -> Leases:
        from crawler.distributed.leases import Leases

        return Leases(self)

    def fail(self, exc: Exception, close: bool = True) -> None:
        """Redis stayed away longer than NEWSARCHIVE_REDIS_RETRY_SECONDS: stop this worker, resumably. It
        acknowledges nothing from now on, so everything it held goes back to the frontier when its lease
        expires; the other workers (or this one, restarted) finish the crawl. ``close=False`` while the
        spider opens: the caller raises CloseSpider instead."""
        if self.broken:
            return
        self.broken = True
        log.error("lost Redis at %s (%s); stopping this worker. Nothing is lost: its unfinished requests "
                  "return to the shared frontier %g s after Redis is back; restart the workers then "
                  "(same command) to finish crawl %s", self.url, exc, self.lease_ms / 1000, self.crawl_id)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newsarchive/distributed/redis_lost", str(exc))
        engine = self.crawler.engine
        if close and engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="redis-unavailable"))

    def script(self, name: str, source: str) -> Any:
        """A registered Lua script (EVALSHA, re-sent after a Redis restart forgot it)."""
        if name not in self._scripts:
            self._scripts[name] = self.client.register_script(source)
        return self._scripts[name]

    @property
    def spider(self) -> str:
        return self.keys.spider

    @property
    def crawl_id(self) -> str:
        return self.keys.crawl_id
