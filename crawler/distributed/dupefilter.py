"""The crawl's shared duplicate filter: scrapy-redis's ``RFPDupeFilter`` (a Redis set of request
fingerprints: method, canonical URL, body) under the crawl's key, kept when a worker closes (the other
workers still need it) and checked atomically with the push by :class:`crawler.distributed.queue.LeasedQueue`.

In distributed mode it filters every new request, ``dont_filter`` ones included: the project's spiders
set ``dont_filter`` because a single-machine resume (JOBDIR) pops requests it may never finish, which the
leases here make impossible; retries and redirects of a leased request still pass (they carry its lease).

Settings: DUPEFILTER_DEBUG (log every filtered request). Stats: ``newsarchive/distributed/duplicate``.
"""

from __future__ import annotations

from scrapy_redis.dupefilter import RFPDupeFilter


class SharedDupeFilter(RFPDupeFilter):  # scrapy-redis is untyped (Any)
    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: the crawl goes on in the other workers (scrapy-redis deletes them)."""

    def clear(self) -> None:
        """Never cleared by one worker; a finished crawl's keys expire (crawler.distributed.coordinator)."""
