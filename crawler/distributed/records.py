"""The records pipeline of a distributed worker: the single-machine :class:`RecordsPipeline` (records
beside this worker's WARC segment), with "already recorded" shared by all workers and a claim per article
(:mod:`crawler.distributed.recorded`), so an article fetched by two workers is recorded once.

Settings: as RecordsPipeline (the add-on puts this class in its place). Stats: as RecordsPipeline, plus
those of :mod:`crawler.distributed.recorded`.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.distributed.recorded import Claim, SharedRecorded
from crawler.items import PageItem
from crawler.pipelines.records import RecordsPipeline


class SharedRecordsPipeline(RecordsPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        recorded = self.store.recorded
        if not isinstance(recorded, SharedRecorded):
            raise TypeError("SharedRecordsPipeline needs the shared capture store (add-on DistributedCrawl)")
        self.shared = recorded

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or not item.capture.get("file") or self.replay:
            return super().process_item(item)
        claim = self.shared.claim(item.url, self.target(item))
        if claim is Claim.LOST:
            raise DropItem(f"redis-unavailable: {item.url} not recorded here (it returns to the frontier)")
        if claim is not Claim.CLAIMED:
            self.stats.inc_value("newsarchive/skip/already-recorded")
            raise DropItem(f"already-recorded: {item.url} ({claim.value} by another worker)")
        try:
            return super().process_item(item)  # writes the records, then store.recorded.add(url)
        except BaseException:
            self.shared.release(item.url)
            raise
