"""Skip, before download, article requests whose URL this crawl has already recorded.

After a SIGKILL and a JOBDIR resume, the spider re-queues list pages and the articles it finds on them
(see crawler.spiders.portal), so an article may be queued twice: once from the disk queue, once
rediscovered. Whichever is fetched second is dropped here, without a download or a cleaning.

Settings: none (always on while records are written). Stats: ``newsarchive/skip/already-recorded``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.extensions.capturestore import CaptureStore


class SkipRecordedMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.store = CaptureStore.of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipRecordedMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get("newsarchive_kind") == "article" and request.url in self.store.recorded:
            raise IgnoreRequest(f"already-recorded: {request.url}")
