"""What the archive already holds of this site, for the crawl: every captured URL with its last capture.

Read once per crawl from the capture log in the archive index (:func:`newsarchive.capturelog.known_urls`,
refreshed first from the site's WARC and JSONL segments: only files that changed are read). With it the
crawler
- sends conditional requests for archived articles (crawler.middlewares.conditional),
- writes a ``revisit`` record instead of a copy when a page comes back unchanged (crawler.middlewares.warc),
- knows which articles are due in ``-a mode=revisit`` (crawler.revisit) and
- labels the feed's rows with their state and version (crawler.pipelines.versions).
Captures this crawl writes are noted as it goes (:meth:`FetchHistory.noted`). On a JOBDIR resume the
crawl's torn files are repaired first (crawler.extensions.capturestore), so what is read is whole.

When the index cannot be opened (locked for long by ``newsarchive index``, damaged, read-only), the log
is built in memory from the files for this crawl instead, with a warning; with no archive yet, the site
has no history.

Settings: FETCH_HISTORY_ENABLED (default True; off: every page is fetched and stored as new).
Stats: ``newsarchive/history/known_urls``, ``newsarchive/history/known_articles``.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.capturestore import CaptureStore
from newsarchive.capturelog import KnownUrl, known_urls, refresh
from newsarchive.captures import CapturePointer, Original, payload_digest

log = logging.getLogger(__name__)
_ATTR = "_newsarchive_fetch_history"


class FetchHistory:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store = CaptureStore.of(crawler)
        self._known: dict[str, KnownUrl] | None = None

    @classmethod
    def of(cls, crawler: Crawler) -> FetchHistory | None:
        """The crawl's one history (None when FETCH_HISTORY_ENABLED is off)."""
        if not crawler.settings.getbool("FETCH_HISTORY_ENABLED"):
            return None
        found = getattr(crawler, _ATTR, None)
        if found is None:
            found = cls(crawler)
            setattr(crawler, _ATTR, found)
        return found

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchHistory:
        found = cls.of(crawler)
        if found is None:
            raise NotConfigured("FETCH_HISTORY_ENABLED is off")
        return found

    @property
    def known(self) -> dict[str, KnownUrl]:
        if self._known is None:
            _ = self.store.recorded  # a resumed crawl repairs its torn files first
            self._known = load(self.store.archive_dir, self.store.site)
            stats = self.crawler.stats
            if stats is not None:
                stats.set_value("newsarchive/history/known_urls", len(self._known))
                stats.set_value("newsarchive/history/known_articles",
                                sum(k.article for k in self._known.values()))
        return self._known

    def get(self, url: str) -> KnownUrl | None:
        return self.known.get(url)

    def article(self, url: str) -> KnownUrl | None:
        """The URL's history when it is an archived article."""
        found = self.known.get(url)
        return found if found is not None and found.article else None

    def captured_now(self, url: str) -> bool:
        """This crawl already captured ``url`` (before a resume, or a moment ago) with an answer that
        needs no record: a revisit record, or a status that is neither 2xx (a page is done when it is
        recorded, crawler.extensions.capturestore) nor retried (5xx, 429, 408)."""
        found = self.known.get(url)
        if found is None or found.last_crawl != self.store.crawl_id:
            return False
        status = found.last_status or 0
        return found.last_revisit or not (200 <= status < 300 or status >= 500 or status in (408, 429))

    def noted(self, url: str, pointer: CapturePointer, status: int, body: bytes | None,
              headers: dict[str, str]) -> None:
        """Remember a capture this crawl wrote (``body`` None for a revisit record)."""
        found = self.known.get(url)
        if found is None:
            found = self.known[url] = KnownUrl(url, pointer.fetched_at, pointer.fetched_at, status,
                                               self.store.crawl_id)
        found.last_date, found.last_status, found.last_crawl = pointer.fetched_at, status, self.store.crawl_id
        found.last_revisit = body is None
        if 200 <= status < 300 or status == 304:
            found.etag, found.last_modified = headers.get("etag"), headers.get("last-modified")
            if body is not None and 200 <= status < 300:
                found.original = Original(url, pointer.fetched_at, pointer.record_id, payload_digest(body),
                                          pointer.file, pointer.offset)
                found.original_recorded = False  # (its records, if any, are written after this)


def load(archive: Path, site: str) -> dict[str, KnownUrl]:
    """The site's known URLs from the archive index, or from the files when the index is unusable."""
    if not (archive / "captures" / site).is_dir():
        return {}
    from newsarchive.index import ArchiveIndex, IndexUnavailable

    try:
        with ArchiveIndex(archive) as index:
            refresh(index.db, archive, [site])
            return known_urls(index.db, site)
    except (IndexUnavailable, sqlite3.Error, OSError) as exc:
        log.warning("the archive index %s cannot be used (%s); reading the site's captures from the files "
                    "for this crawl", archive / "index.sqlite", exc)
    db = sqlite3.connect(":memory:")
    try:
        refresh(db, archive, [site])
        return known_urls(db, site)
    finally:
        db.close()
