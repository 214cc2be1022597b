"""Write the crawl's final stats to a JSON file at spider close (for scripts and the benchmark).

Settings: NEWSARCHIVE_STATS_FILE (path; empty = off, NotConfigured). Written atomically (temp + rename);
values that are not JSON (datetimes) become strings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive.records import atomic_write_text


class StatsFile:
    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("NEWSARCHIVE_STATS_FILE")
        if not path:
            raise NotConfigured  # off unless asked for: no log line
        ext = cls(crawler, Path(path))
        # after CoreStats (finish_time, elapsed) and CaptureStore (segments) have run
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed, weak=False)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        stats["finish_reason"] = reason
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(stats, ensure_ascii=False, indent=1, sort_keys=True,
                                                default=str) + "\n")
