"""Build log records only at the levels some handler shows.

Scrapy leaves the root logger at NOTSET and filters by LOG_LEVEL in its own handler, so with LOG_LEVEL
INFO the DEBUG lines it writes for every response ("Crawled (200) ...") and every item ("Scraped from
...", "Dropped: ...") are still built as LogRecords, their item and request reprs included, and then
thrown away by the handler: work in the crawler process for every page. When the engine starts, the root
logger's level is raised to the lowest level of its handlers (Scrapy's, at LOG_LEVEL, and any other
handler installed by then, e.g. a test's log capture), so the log holds exactly the lines it held
before; when the engine stops, the level is put back. With LOG_LEVEL DEBUG, or a handler at NOTSET,
nothing changes.

Settings: LOG_RECORDS_FLOOR_ENABLED (default True).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class LogRecordsFloor:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogRecordsFloor:
        if not crawler.settings.getbool("LOG_RECORDS_FLOOR_ENABLED"):
            raise NotConfigured("LOG_RECORDS_FLOOR_ENABLED is off")
        ext = cls()
        # after Scrapy has (re)installed its root handler with the crawler's settings
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def __init__(self, root: logging.Logger | None = None) -> None:
        self.root = root if root is not None else logging.getLogger()
        self.level_before: int | None = None

    def engine_started(self) -> None:
        self.level_before = self.root.level
        raise_root_level(self.root)

    def engine_stopped(self) -> None:
        if self.level_before is not None:
            self.root.setLevel(self.level_before)
            self.level_before = None


def raise_root_level(root: logging.Logger | None = None) -> int:
    """Set ``root`` (the root logger) to the lowest level of its handlers, when that is higher than its
    own; return the level it has then.

    >>> log = logging.Logger("x", logging.NOTSET); h = logging.NullHandler(); h.setLevel(logging.INFO)
    >>> log.addHandler(h); raise_root_level(log) == logging.INFO
    True
    >>> h2 = logging.NullHandler(); log.addHandler(h2); log.setLevel(logging.NOTSET); raise_root_level(log)
    0
    """
    root = root if root is not None else logging.getLogger()
    if root.handlers:
        lowest = min(handler.level for handler in root.handlers)
        if lowest > root.level:
            root.setLevel(lowest)
    return root.level
