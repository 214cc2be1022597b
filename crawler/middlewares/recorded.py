"""Skip, before download, article requests whose URL this crawl has already recorded.

After a SIGKILL and a JOBDIR resume, the spider re-queues list pages and the articles it finds on them
(see crawler.spiders.portal), so an article may be queued twice: once from the disk queue, once
rediscovered. Whichever is fetched second is dropped here, without a download or a cleaning.

An article this crawl already revisited (a revisit record, a 404: no record) is skipped the same way
(crawler.extensions.fetchhistory ``captured_now``), and so is a second request for an article URL this
process already let through (the same page queued from the JOBDIR and re-queued by the resumed spider:
both would be in flight at once); retries and redirect hops pass.

Settings: none (always on while records are written). Stats: ``newsarchive/skip/already-recorded``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.extensions.capturestore import CaptureStore
from crawler.extensions.fetchhistory import FetchHistory


class SkipRecordedMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.store = CaptureStore.of(crawler)
        self.history = FetchHistory.of(crawler)
        self.passed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipRecordedMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get("newsarchive_kind") != "article":
            return
        if request.url in self.store.recorded or self.revisited(request):
            raise IgnoreRequest(f"already-recorded: {request.url}")
        if not (request.meta.get("retry_times") or request.meta.get("redirect_urls")):
            if request.url in self.passed:
                raise IgnoreRequest(f"already-recorded: {request.url} (requested twice)")
            self.passed.add(request.url)

    def revisited(self, request: Request) -> bool:
        """Captured by this crawl already, and this is not a retry or a redirect's next hop."""
        if self.history is None or request.meta.get("retry_times") or request.meta.get("redirect_urls"):
            return False
        return self.history.captured_now(request.url)
