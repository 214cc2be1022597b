"""Write every response, with its request, to the crawl's WARC segment (through newsarchive.captures).

Placed at 950, next to the downloader: it sees each response as received (still compressed, before
redirects and retries are handled), including 3xx/4xx/5xx and robots.txt. The pointer to the WARC record
goes into ``request.meta["newsarchive_capture"]`` (and ``["newsarchive_fetched_at"]``) for the spider.
Replayed responses (flag ``"replay"``) are not written again.

Revisits (crawler.extensions.fetchhistory knows the URL's last full capture): a 304 answer to a
conditional request is written as a ``revisit`` record with the ``server-not-modified`` profile, and a
2xx whose payload digest equals the last capture's as one with the ``identical-payload-digest`` profile
(newsarchive.captures.WarcSegmentWriter.write_revisit): a few hundred bytes instead of a copy. The
profile goes into ``request.meta["newsarchive_revisit"]`` ("server-not-modified" /
"identical-payload-digest") for the spider, which makes no record of an unchanged page.

Settings: NEWSARCHIVE_WARC (default True; False turns capture off, and then no records are written
either, since a record must point at its raw capture), plus the NEWSARCHIVE_* settings of
crawler.extensions.capturestore.
Stats: ``newsarchive/warc_responses``, ``newsarchive/warc_revisits/<profile>``, ``newsarchive/warc_bytes``,
``newsarchive/time/download``, ``newsarchive/time/warc``,
``newsarchive/drop/warc-write-failed`` (a WARC that cannot be written stops the crawl: finish reason
``warc-write-failed``, a failed crawl).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from http.client import responses as reasons

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response

from crawler.extensions.capturestore import CaptureStore
from crawler.extensions.fetchhistory import FetchHistory
from newsarchive.captures import (
    PROFILES,
    REVISIT_IDENTICAL,
    REVISIT_NOT_MODIFIED,
    CaptureError,
    CapturePointer,
    Exchange,
    Original,
    payload_digest,
    read_http_headers,
)

log = logging.getLogger(__name__)


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store = CaptureStore.of(crawler)
        self.history = FetchHistory.of(crawler)
        self.stats = crawler.stats
        self.stopping = False
        self.closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        if not crawler.settings.getbool("NEWSARCHIVE_WARC"):
            raise NotConfigured("NEWSARCHIVE_WARC is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if "replay" in response.flags:
            return response
        started = time.perf_counter()
        exchange = to_exchange(request, response)
        try:
            pointer = self.write(exchange, request)
        except OSError as exc:
            self.stats.inc_value("newsarchive/drop/warc-write-failed")
            self.stop_crawl(response.url, exc)
            raise IgnoreRequest(f"warc-write-failed: {exc}") from exc
        request.meta["newsarchive_capture"] = pointer.to_dict()
        request.meta["newsarchive_fetched_at"] = pointer.fetched_at
        if self.history is not None:
            revisit = request.meta.get("newsarchive_revisit")
            headers = {k.lower(): v for k, v in exchange.response_headers}
            self.history.noted(exchange.url, pointer, exchange.status, None if revisit else exchange.body,
                               headers)
        self.stats.inc_value("newsarchive/warc_responses")
        elapsed = time.perf_counter() - started
        self.stats.inc_value("newsarchive/time/warc", elapsed)  # type: ignore[arg-type]  # float seconds
        self.stats.inc_value("newsarchive/time/writing", elapsed)  # type: ignore[arg-type]
        latency = request.meta.get("download_latency")
        if latency:
            self.stats.inc_value("newsarchive/time/download", float(latency))  # type: ignore[arg-type]
        return response


    def write(self, exchange: Exchange, request: Request) -> CapturePointer:
        """A revisit record when the page is the URL's last full capture again, else the exchange."""
        writer = self.store.writer
        before = writer.bytes_written
        profile, original = self.revisit_of(exchange, request.meta.get("newsarchive_kind") == "article")
        if profile is None or original is None:
            pointer = writer.write_exchange(exchange)
        else:
            stored = None
            if profile == REVISIT_NOT_MODIFIED:
                try:
                    stored = read_http_headers(self.store.archive_dir / original.file, original.offset)
                except (CaptureError, OSError) as exc:  # the original's headers are gone: the 304's own
                    log.warning("%s: cannot read the headers of its last capture (%s); the revisit "
                                "record keeps the 304's", exchange.url, exc)
            pointer = writer.write_revisit(exchange, original, profile, stored)
            request.meta["newsarchive_revisit"] = PROFILES[profile]
            self.stats.inc_value(f"newsarchive/warc_revisits/{PROFILES[profile]}")
        self.stats.inc_value("newsarchive/warc_bytes", writer.bytes_written - before)
        return pointer

    def revisit_of(self, exchange: Exchange, article: bool) -> tuple[str | None, Original | None]:
        """The revisit profile and original for this exchange, or (None, None). An article page is a
        revisit only of a capture its records were made from (else it must be recorded now: a page whose
        records a crash lost, an earlier page without an article)."""
        known = self.history.get(exchange.url) if self.history is not None else None
        original = known.original if known is not None else None
        if original is None or known is None or (article and not known.original_recorded):
            return None, None
        if exchange.status == 304:
            return REVISIT_NOT_MODIFIED, original
        if 200 <= exchange.status < 300 and payload_digest(exchange.body) == original.payload_digest:
            return REVISIT_IDENTICAL, original
        return None, None

    def stop_crawl(self, url: str, exc: OSError) -> None:
        """Nothing can be archived (disk full, read-only or missing archive folder): stop the whole crawl
        now instead of fetching pages that cannot be kept (crawler.extensions.outcome reports it)."""
        if self.stopping:
            return
        self.stopping = True
        log.error("cannot write %s to WARC (%s); is the disk full or NEWSARCHIVE_ARCHIVE_DIR (%s) not "
                  "writable? Stopping the crawl", url, exc, self.store.archive_dir)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and engine.spider is not None:
            self.closing = asyncio.ensure_future(engine.close_spider_async(reason="warc-write-failed"))


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Scrapy's bytes headers as (name, value) text pairs, one per value (latin-1, as on the wire)."""
    return [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, values in headers.items()
        for v in values
    ]


def to_exchange(request: Request, response: Response) -> Exchange:
    ip = getattr(response, "ip_address", None)
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    return Exchange(
        url=response.url,
        status=response.status,
        reason=reasons.get(response.status, ""),
        body=response.body,
        response_headers=header_pairs(response.headers),
        method=request.method,
        request_headers=header_pairs(request.headers),
        request_body=request.body or b"",
        protocol=protocol if protocol.upper().startswith("HTTP/") else "HTTP/1.1",
        fetched_at=datetime.now(UTC),
        ip_address=str(ip) if ip else None,
    )


