"""Replay: serve responses from existing WARC files instead of the network.

An archive is reprocessed with a better normaliser without refetching anything:
``scrapy crawl sample -s REPLAY_WARC=archive/captures/sample``. The spider runs as usual (list pages,
pagination, articles, robots.txt); each request is answered with the newest response recorded for its URL
(or, when the host differs, e.g. a test server on another port, for its path and query). Replayed
responses carry the flag ``"replay"`` and are not written to WARC again; records point at the original
WARC record, and go to ``captures/<site>/<crawl-id>-replay.jsonl`` (no new WARC segment is made).

Settings: REPLAY_WARC (a WARC file or a folder searched recursively; empty = off, NotConfigured).
Stats: ``newsarchive/replayed``, ``newsarchive/drop/not-in-replay``, ``newsarchive/replay/damaged-warc``
(a truncated or damaged WARC file: logged with its name and the offset where reading stopped; the
responses before that offset are still served).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from newsarchive.captures import CaptureError, find_warc_files, iter_records, read_response

log = logging.getLogger(__name__)


def path_key(url: str) -> str:
    """
    >>> path_key("http://127.0.0.1:8123/gzdt/index.html?p=2")
    '/gzdt/index.html?p=2'
    """
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class ReplayMiddleware:
    def __init__(self, crawler: Crawler, source: Path) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive_dir = Path(crawler.settings.get("NEWSARCHIVE_ARCHIVE_DIR") or "archive").resolve()
        self.by_url: dict[str, tuple[Path, int]] = {}
        self.by_path: dict[str, tuple[Path, int]] = {}
        self._index(find_warc_files(source))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        source = crawler.settings.get("REPLAY_WARC")
        if not source:
            raise NotConfigured  # off unless asked for: no log line
        return cls(crawler, Path(source))

    def _index(self, files: list[Path]) -> None:
        count = 0
        for path in files:  # sorted, so later captures win
            try:
                for entry in iter_records(path):
                    if entry.rec_type == "response":
                        url = entry.header("WARC-Target-URI")
                        self.by_url[url] = self.by_path[path_key(url)] = (path, entry.offset)
                        count += 1
            except CaptureError as exc:  # a torn segment: the responses before the damage are served
                self.stats.inc_value("newsarchive/replay/damaged-warc")
                log.warning("replay: %s", exc)
        log.info("replay: %d responses indexed from %d WARC file(s)", count, len(files))

    def process_request(self, request: Request) -> Response:
        where = self.by_url.get(request.url) or self.by_path.get(path_key(request.url))
        if where is None:
            return self._missing(request)
        rec = read_response(where[0], where[1], self._relative_root(where[0]))
        headers = Headers(rec.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=rec.body)
        request.meta["newsarchive_capture"] = rec.pointer
        request.meta["newsarchive_fetched_at"] = rec.fetched_at
        self.stats.inc_value("newsarchive/replayed")
        return cls(url=request.url, status=rec.status, headers=headers, body=rec.body,
                   flags=["replay"], request=request, protocol="HTTP/1.1")

    def _missing(self, request: Request) -> Response:
        if urlsplit(request.url).path == "/robots.txt":  # none captured: behave as a site without one
            return Response(url=request.url, status=404, flags=["replay"], request=request)
        self.stats.inc_value("newsarchive/drop/not-in-replay")
        raise IgnoreRequest(f"not-in-replay: {request.url} is not in the replayed WARC files")

    def _relative_root(self, path: Path) -> Path | None:
        return self.archive_dir if path.resolve().is_relative_to(self.archive_dir) else None
