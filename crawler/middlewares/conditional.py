"""Conditional GET for archived articles: If-None-Match / If-Modified-Since from their last capture.

For an article request (``meta["newsarchive_kind"] == "article"``) whose URL the archive holds
(crawler.extensions.fetchhistory), whose last capture was a page (2xx or an unchanged revisit, not a
404) and whose records the archive has, the validators of that capture are sent as they were received:
its ETag as If-None-Match and its Last-Modified as If-Modified-Since (RFC 9110 section 13.1: a client
sends the server's own value, never one computed from its clock, so a Last-Modified in the future does no
harm). A server that answers 304 costs a few hundred bytes in the WARC (crawler.middlewares.warc writes a
``server-not-modified`` revisit record); the 304 reaches the spider (``handle_httpstatus_list``), which
counts it and makes no record. Headers a request already has are left alone; list pages are never
conditional (their links are needed).

Settings: CONDITIONAL_REQUESTS_ENABLED (default True). Stats: ``newsarchive/revisit/conditional``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.fetchhistory import FetchHistory


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Crawler, history: FetchHistory) -> None:
        self.stats = crawler.stats
        self.history = history

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        history = FetchHistory.of(crawler)
        if not crawler.settings.getbool("CONDITIONAL_REQUESTS_ENABLED") or history is None:
            raise NotConfigured("CONDITIONAL_REQUESTS_ENABLED or FETCH_HISTORY_ENABLED is off")
        return cls(crawler, history)

    def process_request(self, request: Request) -> None:
        if request.meta.get("newsarchive_kind") != "article":
            return
        known = self.history.article(request.url)
        if known is None or known.gone or not known.original_recorded:
            return  # (a 304 must stand for a capture whose records the archive has)
        if not (known.etag or known.last_modified):
            return
        sent = False
        if known.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = known.etag.encode("latin-1", "replace")
            sent = True
        if known.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = known.last_modified.encode("latin-1", "replace")
            sent = True
        if sent:
            statuses = list(request.meta.get("handle_httpstatus_list", []))
            request.meta["handle_httpstatus_list"] = [*statuses, 304]
            self.stats.inc_value("newsarchive/revisit/conditional")
