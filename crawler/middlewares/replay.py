"""Replay: serve responses from existing WARC files instead of the network.

An archive is reprocessed with a better normaliser without refetching anything:
``scrapy crawl sample -s REPLAY_WARC=archive/captures/sample`` (a folder, searched recursively, or one
WARC file; relative paths are taken from the current directory). The spider runs as usual (list pages,
pagination, articles, robots.txt); each request is answered with the NEWEST capture of its URL by
WARC-Date (a later record in the same second wins), or, when no capture has that exact URL (a test
server on another port), the newest capture of its path and query. Without ``-a base_url`` the spider
starts at the origin where the start pages were captured (:meth:`ReplayIndex.origin_for`), so requests
are the captured URLs themselves.

Replayed responses keep the URL the WARC recorded (WARC-Target-URI), and records made from them carry it,
so a replayed record has the id of the original; they carry the flag ``"replay"``, are not written to
WARC again, point at the original WARC record, and go to ``captures/<site>/<crawl-id>-replay.jsonl``.

Settings: REPLAY_WARC (empty = off, NotConfigured). Stats: ``newsarchive/replayed``,
``newsarchive/drop/not-in-replay`` (counted by the spider), ``newsarchive/replay/damaged-warc`` (a
truncated or damaged WARC file: logged with its name and the offset where reading stopped; the responses
before that offset are served).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from newsarchive.captures import CaptureError, find_warc_files, iter_records, read_response

log = logging.getLogger(__name__)
_ATTR = "_newsarchive_replay_index"


def path_key(url: str) -> str:
    """
    >>> path_key("http://127.0.0.1:8123/gzdt/index.html?p=2")
    '/gzdt/index.html?p=2'
    """
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def origin(url: str) -> str:
    """
    >>> origin("http://127.0.0.1:8731/xwzx/index.html")
    'http://127.0.0.1:8731/'
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def warc_moment(value: str) -> datetime | None:
    """WARC-Date as a datetime (second or finer precision), None when unreadable.

    >>> warc_moment("2020-02-20T08:15:01Z") < warc_moment("2020-02-20T08:15:01.5Z")
    True
    """
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True)
class Capture:
    """One response record: where it is, when it was made, its URL; ``order`` breaks WARC-Date ties."""

    path: Path
    offset: int
    url: str
    moment: datetime | None
    order: int

    def newer_than(self, other: Capture) -> bool:
        if self.moment and other.moment and self.moment != other.moment:
            return self.moment > other.moment
        return self.order > other.order


class ReplayIndex:
    """The newest capture of every URL (and of every path) in the WARC files of REPLAY_WARC."""

    def __init__(self, files: list[Path]) -> None:
        self.by_url: dict[str, Capture] = {}
        self.by_path: dict[str, Capture] = {}
        self.damaged: list[str] = []
        self.files = files
        self.count = 0
        for path in files:
            self._read(path)

    @classmethod
    def of(cls, crawler: Crawler) -> ReplayIndex | None:
        """The crawl's index (built on first use), or None when REPLAY_WARC is not set."""
        source = crawler.settings.get("REPLAY_WARC")
        if not source:
            return None
        index = getattr(crawler, _ATTR, None)
        if index is None:
            index = cls(find_warc_files(Path(source)))
            setattr(crawler, _ATTR, index)
        return index

    def _read(self, path: Path) -> None:
        try:
            for entry in iter_records(path):
                if entry.rec_type == "response":
                    url = entry.header("WARC-Target-URI")
                    self._add(Capture(path, entry.offset, url, warc_moment(entry.header("WARC-Date")),
                                      self.count))
                    self.count += 1
        except CaptureError as exc:  # a torn segment: the responses before the damage are served
            self.damaged.append(str(exc))

    def _add(self, capture: Capture) -> None:
        for table, key in ((self.by_url, capture.url), (self.by_path, path_key(capture.url))):
            known = table.get(key)
            if known is None or capture.newer_than(known):
                table[key] = capture

    def find(self, url: str) -> Capture | None:
        return self.by_url.get(url) or self.by_path.get(path_key(url))

    def origin_for(self, urls: tuple[str, ...] | list[str]) -> str | None:
        """Where these pages were captured, when not at their own URLs (the first one found)."""
        for url in urls:
            if url in self.by_url:
                return None
            capture = self.by_path.get(path_key(url))
            if capture is not None:
                return origin(capture.url)
        return None


class ReplayMiddleware:
    def __init__(self, crawler: Crawler, index: ReplayIndex) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive_dir = Path(crawler.settings.get("NEWSARCHIVE_ARCHIVE_DIR") or "archive").resolve()
        self.index = index
        for message in index.damaged:
            self.stats.inc_value("newsarchive/replay/damaged-warc")
            log.warning("replay: %s", message)
        log.info("replay: %d responses indexed from %d WARC file(s)", index.count, len(index.files))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        try:
            index = ReplayIndex.of(crawler)
        except CaptureError as exc:
            raise ValueError(f"REPLAY_WARC: {exc}") from None
        if index is None:
            raise NotConfigured  # off unless asked for: no log line
        return cls(crawler, index)

    def process_request(self, request: Request) -> Response:
        capture = self.index.find(request.url)
        if capture is None:
            return self._missing(request)
        path = capture.path.resolve()
        try:
            rec = read_response(path, capture.offset,
                                self.archive_dir if path.is_relative_to(self.archive_dir) else None)
        except CaptureError as exc:
            raise IgnoreRequest(f"not-in-replay: {request.url}: {exc}") from None
        headers = Headers(rec.headers)
        request.meta["newsarchive_capture"] = rec.pointer
        request.meta["newsarchive_fetched_at"] = rec.fetched_at
        request.meta["newsarchive_target_uri"] = rec.url  # the record's URL (and id) is the captured one
        self.stats.inc_value("newsarchive/replayed")
        cls = responsetypes.from_args(headers=headers, url=request.url, body=rec.body)
        return cls(url=request.url, status=rec.status, headers=headers, body=rec.body, flags=["replay"],
                   request=request, protocol="HTTP/1.1")

    def _missing(self, request: Request) -> Response:
        if urlsplit(request.url).path == "/robots.txt":  # none captured: behave as a site without one
            return Response(url=request.url, status=404, flags=["replay"], request=request)
        raise IgnoreRequest(f"not-in-replay: {request.url} is not in the replayed WARC files")
