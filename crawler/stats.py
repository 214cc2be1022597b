"""The crawl's stats collector: Scrapy's MemoryStatsCollector without its per-call deprecation shim.

Scrapy 2.19's StatsCollector routes every attribute lookup through ``__getattribute__`` and wraps each
stats method in a check for the deprecated ``spider`` argument; a crawl makes about twenty stats calls a
response, so the shim is a measurable part of the crawler process's CPU per page. This class keeps
Scrapy's methods and behaviour (the ``spider`` argument is still accepted, and ignored as Scrapy ignores
it) and plain attribute lookup.

Settings: STATS_CLASS (crawler.settings sets this class; Scrapy's own collectors still work there).
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class CrawlStatsCollector(MemoryStatsCollector):
    __getattribute__ = object.__getattribute__
