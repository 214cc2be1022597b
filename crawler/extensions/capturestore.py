"""The crawl's capture store: one :class:`newsarchive.captures.WarcSegmentWriter` (as
:class:`crawler.warcwriter.CrawlSegmentWriter`, whose per-page records are built without warcio's record
builder) shared by the WARC middleware (responses) and the records pipeline (JSONL lines), plus what a
resumed job already recorded.

Settings:
    NEWSARCHIVE_ARCHIVE_DIR    archive root (default ``archive``)
    NEWSARCHIVE_CRAWL_ID       crawl id; default the UTC start time. With JOBDIR it is kept in
                               ``JOBDIR/newsarchive-crawl-id.txt`` so a resumed job continues the same crawl
                               (new segment numbers, never appending to a file a crash may have torn)
    NEWSARCHIVE_WARC_MAX_SIZE  segment rotation size in bytes
    NEWSARCHIVE_FSYNC_INTERVAL seconds between fsyncs of the WARC/JSONL files (default 2; 0 = after every
                               write; -1 = only on close). Each exchange and each page's records are
                               written with one write call, so a kill tears at most the last one

Exactly-once on resume: first the crawl's files are made whole (newsarchive.captures.repair_crawl: a
torn WARC tail is cut off, a JSONL keeps only pages whose records are all there); WARC segments a run
closed cleanly are listed in ``JOBDIR/newsarchive-closed-segments.txt`` and not re-read. Then the URLs
recorded so far are loaded (``recorded``); the spider re-queues list pages and skips those articles, the
records pipeline refuses a second record for the same URL.
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableSet
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.warcwriter import CrawlSegmentWriter
from newsarchive.captures import WarcSegmentWriter, recorded_urls, repair_crawl, utc_stamp
from newsarchive.records import atomic_write_text

log = logging.getLogger(__name__)
_ATTR = "_newsarchive_capture_store"
CRAWL_ID_FILE = "newsarchive-crawl-id.txt"
CLOSED_FILE = "newsarchive-closed-segments.txt"


class CaptureStore:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.archive_dir = Path(settings.get("NEWSARCHIVE_ARCHIVE_DIR") or "archive")
        self.max_size = settings.getint("NEWSARCHIVE_WARC_MAX_SIZE")
        interval = settings.getfloat("NEWSARCHIVE_FSYNC_INTERVAL")
        self.fsync_interval = None if interval < 0 else interval
        self.jobdir = Path(settings["JOBDIR"]) if settings.get("JOBDIR") else None
        self.crawl_id, self.resuming = self._crawl_id(
            settings.get("NEWSARCHIVE_CRAWL_ID"), settings.get("JOBDIR")
        )
        self.worker_id = ""  # distributed mode: segments are <crawl-id>-<worker-id>-NNNNN
        self._writer: WarcSegmentWriter | None = None
        self._recorded: MutableSet[str] | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def of(cls, crawler: Crawler) -> CaptureStore:
        """The crawl's one store (created on first use)."""
        store = getattr(crawler, _ATTR, None)
        if store is None:
            store = cls(crawler)
            setattr(crawler, _ATTR, store)
        return store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureStore:
        return cls.of(crawler)

    @staticmethod
    def _crawl_id(configured: str | None, jobdir: str | None) -> tuple[str, bool]:
        if not jobdir:
            return configured or utc_stamp(), False
        path = Path(jobdir) / CRAWL_ID_FILE
        if path.exists():
            return path.read_text(encoding="utf-8").strip(), True
        crawl_id = configured or utc_stamp()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, crawl_id + "\n")
        return crawl_id, False

    @property
    def site(self) -> str:
        spider = self.crawler.spider
        if spider is None:
            raise RuntimeError("the capture store is used before the spider exists")
        return str(spider.name)

    @property
    def writer(self) -> WarcSegmentWriter:
        if self._writer is None:
            segment_id = f"{self.crawl_id}-{self.worker_id}" if self.worker_id else self.crawl_id
            self._writer = CrawlSegmentWriter(
                self.archive_dir, self.site, segment_id, max_size=self.max_size,
                fsync_interval=self.fsync_interval,
                software=f"cn-gov-news-archive crawler (Scrapy); {self.crawler.settings.get('USER_AGENT')}",
                operator=self.crawler.settings.get("NEWSARCHIVE_CONTACT"),
                on_close=self._closed_cleanly if self.jobdir else None,
            )
        return self._writer

    def join_distributed(self, crawl_id: str, worker_id: str, recorded: MutableSet[str]) -> None:
        """Hook for crawler.distributed: this process is worker ``worker_id`` of the shared crawl
        ``crawl_id``; its segments carry the worker id, and "already recorded" is the crawl's shared set."""
        if self._writer is not None or self._recorded is not None:
            raise RuntimeError("join_distributed() must come before the store is used")
        self.crawl_id, self.worker_id, self.resuming, self._recorded = crawl_id, worker_id, False, recorded

    @property
    def recorded(self) -> MutableSet[str]:
        """URLs recorded by this crawl so far (loaded from its JSONL segments when resuming)."""
        if self._recorded is None:
            site_dir = self.archive_dir / "captures" / self.site
            self._recorded = set()
            if self.resuming:
                closed = self._closed_segments()
                for change in repair_crawl(site_dir, self.crawl_id, check=lambda p: p.name not in closed):
                    log.warning("resuming crawl %s: %s", self.crawl_id, change)
                self._recorded = recorded_urls(site_dir, self.crawl_id)
                log.info("resuming crawl %s: %d pages already recorded", self.crawl_id, len(self._recorded))
        return self._recorded

    def _closed_segments(self) -> set[str]:
        path = self.jobdir / CLOSED_FILE if self.jobdir else None
        if path is None or not path.exists():
            return set()
        return {line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()}

    def _closed_cleanly(self, segment: Path) -> None:
        """Called by the writer once a segment is fsync-ed and closed: a resume need not re-read it."""
        assert self.jobdir is not None
        self.jobdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.jobdir / CLOSED_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, f"{segment.name}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._writer is None:
            return
        self._writer.close()
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("newsarchive/segments", [str(p) for p in self._writer.segments])
            stats.set_value("newsarchive/crawl_id", self.crawl_id)
        log.info("newsarchive: %d WARC records, %d records in %s",
                 self._writer.warc_records, self._writer.records_written,
                 ", ".join(str(p) for p in self._writer.segments) or "(no new segment)")
