"""Write the records of each cleaned page to the JSONL segment beside the WARC segment holding its response.

Fills what the normaliser cannot know (:func:`newsarchive.records.fill_archive_fields`, as ``newsarchive
diff`` does for a WARC): ``site`` (the site config's name), ``url``, ``capture`` (``{"file", "offset",
"length", "record_id", "index", "count"}``: the WARC file relative to the archive root, the offset of the
response record, the article's index among the page's ``count`` records) and ``fetched_at``. One write
per page (all its records), so a killed crawl leaves whole pages, or a torn last one that a resume
removes (``count`` tells a partial page: newsarchive.captures.repair_crawl). A page whose URL this
crawl already recorded is skipped (``newsarchive/skip/already-recorded``): with the spider's resume logic
this makes every article appear exactly once per crawl, even across SIGKILL and JOBDIR resume.

Under replay (REPLAY_WARC) no new WARC segment exists; records go to
``captures/<site>/<crawl-id>-replay.jsonl`` and point at the original WARC records.

Settings: NEWSARCHIVE_RECORDS (default True). Stats: ``newsarchive/records_written``,
``newsarchive/time/writing`` (JSONL + WARC), ``newsarchive/drop/no-capture``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.extensions.capturestore import CaptureStore
from crawler.items import PageItem
from newsarchive.captures import jsonl_path_for
from newsarchive.records import fill_archive_fields

log = logging.getLogger(__name__)


class RecordsPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = CaptureStore.of(crawler)
        self.replay = bool(crawler.settings.get("REPLAY_WARC"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordsPipeline:
        if not crawler.settings.getbool("NEWSARCHIVE_RECORDS"):
            raise NotConfigured("NEWSARCHIVE_RECORDS is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        if not item.capture.get("file"):
            self.stats.inc_value("newsarchive/drop/no-capture")
            raise DropItem(f"no-capture: {item.url} has no WARC record (is NEWSARCHIVE_WARC off?)")
        if item.url in self.store.recorded:
            self.stats.inc_value("newsarchive/skip/already-recorded")
            raise DropItem(f"already-recorded: {item.url}")
        started = time.perf_counter()
        records = [self.complete(record, item, i, len(item.records)) for i, record in enumerate(item.records)]
        target = self.target(item)
        first = self.store.writer.append_page_records(target, records)
        item.record_file = target.relative_to(self.store.archive_dir).as_posix()
        item.record_positions = [first + i for i in range(len(records))]
        self.store.recorded.add(item.url)
        self.stats.inc_value("newsarchive/records_written", len(records))
        elapsed = time.perf_counter() - started
        self.stats.inc_value("newsarchive/time/writing", elapsed)  # type: ignore[arg-type]  # float seconds
        item.body = b""  # the bytes are in the WARC; do not keep them in memory
        return item

    def target(self, item: PageItem) -> Path:
        if self.replay:
            return self.store.archive_dir / "captures" / item.site / f"{self.store.crawl_id}-replay.jsonl"
        return jsonl_path_for(self.store.archive_dir / item.capture["file"])

    @staticmethod
    def complete(record: dict[str, Any], item: PageItem, index: int, count: int) -> dict[str, Any]:
        capture = {**item.capture, "index": index, "count": count}
        fill_archive_fields(record, url=item.url, site=item.site, capture=capture,
                            fetched_at=item.fetched_at)
        fill_published(record, item.list_date)
        return record


def fill_published(record: dict[str, Any], list_date: str | None) -> None:
    """Use the list page's date when the article page gave none or only a month-day (often the date of
    the event in the lead, not of publication); flagged ``published-from-list-page``.

    >>> r = {"published": "--02-19", "flags": []}; fill_published(r, "2020-02-20"); r
    {'published': '2020-02-20', 'flags': ['published-from-list-page']}
    >>> r = {"published": "2020-02-19T08:00", "flags": []}; fill_published(r, "2020-02-20"); r["published"]
    '2020-02-19T08:00'
    """
    published = record.get("published")
    if not list_date or (published and not published.startswith("--")):
        return
    record["published"] = list_date
    record["flags"] = [*record.get("flags", []), "published-from-list-page"]
