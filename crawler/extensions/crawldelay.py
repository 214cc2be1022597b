"""Honour robots.txt ``Crawl-delay`` (Scrapy parses robots.txt but ignores the delay).

When RobotsTxtMiddleware has parsed a site's robots.txt (signal ``robots_parsed``), the Crawl-delay for our
User-Agent (ROBOTSTXT_USER_AGENT, else USER_AGENT) becomes the minimum delay of that host's download slot.
AutoThrottle lowers slot delays after every response, so the floor is re-applied after it
(``response_downloaded``; this extension is connected after AutoThrottle) and before each request reaches
the downloader. Scrapy randomises each wait (DOWNLOAD_DELAY_JITTER, the slot's jitter): the floor is
raised so that even the shortest randomised wait is the Crawl-delay.

Settings:
    CRAWL_DELAY_ENABLED   default True; False ignores Crawl-delay (tests, benchmarks on 127.0.0.1)
    CRAWL_DELAY_MAX       cap in seconds on a robots.txt delay (default 60)
Stats: ``newsarchive/crawl_delay_asked/<host>`` (robots.txt), ``newsarchive/crawl_delay/<host>`` (honoured).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)


class CrawlDelay:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.max_delay = settings.getfloat("CRAWL_DELAY_MAX")
        self.delays: dict[str, float] = {}  # download slot key -> Crawl-delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        if not crawler.settings.getbool("CRAWL_DELAY_ENABLED"):
            raise NotConfigured("CRAWL_DELAY_ENABLED is off")
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off, so robots.txt is not read")
        ext = cls(crawler)
        crawler.signals.connect(ext.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(ext.enforce, signal=signals.response_downloaded)
        crawler.signals.connect(ext.enforce, signal=signals.request_reached_downloader)
        return ext

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay is None:
            return
        asked = float(delay)
        delay = min(asked, self.max_delay)
        key = self._slot_key(request)
        self.delays[key] = delay
        if self.crawler.stats is not None:
            host = urlparse_cached(request).hostname
            self.crawler.stats.set_value(f"newsarchive/crawl_delay_asked/{host}", asked)
            self.crawler.stats.set_value(f"newsarchive/crawl_delay/{host}", delay)
        log.info("robots.txt of %s asks for Crawl-delay %.1fs; waiting %.1fs between requests",
                 key, asked, delay)
        self._apply(key)

    def enforce(self, request: Request, **kwargs: Any) -> None:
        if self.delays:
            self._apply(self._slot_key(request))

    def _slot_key(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    def _apply(self, key: str) -> None:
        delay = self.delays.get(key)
        slot = self.crawler.engine.downloader.slots.get(key) if delay else None
        if slot is not None and delay is not None:
            floor = jittered_floor(delay, slot.jitter)
            if slot.delay < floor:
                slot.delay = floor


def jittered_floor(crawl_delay: float, jitter: float) -> float:
    """The slot delay whose shortest randomised wait is still ``crawl_delay``.

    Scrapy waits ``delay * uniform(1 - jitter, 1 + jitter)`` (DOWNLOAD_DELAY_JITTER, default 0.5),
    so a slot delay equal to the Crawl-delay would space requests down to half of it.

    >>> jittered_floor(0.2, 0.5), jittered_floor(3.0, 0.0)
    (0.4, 3.0)
    """
    if not 0 < jitter < 1:
        return crawl_delay
    return round(crawl_delay / (1 - jitter), 6)
