"""The shared frontier: scrapy-redis's ``PriorityQueue`` (a sorted set, score = -priority, the hosts taking
turns within one priority) whose pop leases
the request to this worker (:mod:`crawler.distributed.leases`) instead of forgetting it, and whose push
checks the shared dupefilter in the same Lua script, so a fingerprint is never marked seen without its
request being queued (a connection lost between the two would lose the request for good).

Settings: none of its own (SCHEDULER_QUEUE_CLASS names it; the add-on sets it).
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.queue import PriorityQueue

from crawler.distributed.cluster import Cluster


def host_of(request: Request) -> str:
    return urlparse_cached(request).hostname or ""


class LeasedQueue(PriorityQueue):  # scrapy-redis is untyped (Any)
    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.leases = Cluster.of(spider.crawler).leases

    def push(self, request: Request) -> None:
        """Queue ``request`` unconditionally (scrapy-redis's contract); the scheduler uses the two below."""
        self.push_continuation(request, "")

    def push_new(self, request: Request, fingerprint: str) -> bool:
        """Queue ``request`` unless this crawl already queued its fingerprint; True when queued."""
        data = self._encode_request(request)
        return self.leases.push(fingerprint, -request.priority, data, host_of(request))

    def push_continuation(self, request: Request, fingerprint: str) -> None:
        """Queue a retry or redirect of a leased request (its parent passed the dupefilter already)."""
        self.leases.push_continuation(fingerprint, -request.priority, self._encode_request(request),
                                      host_of(request))

    def pop(self, timeout: int = 0) -> Request | None:
        """The next request, leased to this worker (acknowledged when Scrapy is done with it)."""
        popped = self.leases.pop()
        if popped is None:
            return None
        data, token = popped
        request: Request = self._decode_request(data)
        self.leases.track(request, token)
        return request
