"""robots.txt as RFC 9309 says (replaces Scrapy's RobotsTxtMiddleware, which allows everything whenever
robots.txt cannot be read).

Per origin (scheme + host + port), robots.txt is fetched once before the first page (and again after
ROBOTS_CACHE_SECONDS, RFC 9309 2.4: at most 24 h), following up to ROBOTS_REDIRECT_MAX redirects:

- 2xx: its rules apply to our agent (ROBOTSTXT_USER_AGENT, else USER_AGENT); disallowed pages are dropped
  as ``robots``; ``robots_parsed`` is sent (crawler.extensions.crawldelay reads Crawl-delay from it);
- 4xx ("unavailable"): everything may be fetched;
- 5xx, 429, a timeout, a broken connection or a redirect loop ("unreachable"): NOTHING is fetched for now.
  Pages of that origin wait, and robots.txt is asked again after ROBOTS_RETRY_DELAY seconds (doubling),
  up to ROBOTS_RETRY_TIMES times; then the waiting and later pages are dropped as ``robots-unreachable``;
- connection refused or an unknown host: the host is down, so the page fails at once with that reason
  (``connection-refused``, ``dns``) instead of waiting; the next page asks for robots.txt again.

Settings: ROBOTSTXT_OBEY (the switch, Scrapy's), ROBOTSTXT_PARSER, ROBOTSTXT_USER_AGENT, ROBOTS_RETRY_TIMES
(default 3), ROBOTS_RETRY_DELAY (default 30 s), ROBOTS_REDIRECT_MAX (default 5), ROBOTS_CACHE_SECONDS
(default 86400). Stats: ``newsarchive/robots/{fetched,unavailable,unreachable,retries}``,
``robotstxt/forbidden``; the drops are counted by the spider.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

log = logging.getLogger(__name__)

HOST_DOWN = {"ConnectionRefusedError": "connection-refused", "DownloadConnectionRefusedError":
             "connection-refused", "DNSLookupError": "dns", "CannotResolveHostError": "dns"}


@dataclass
class Policy:
    """What robots.txt of one origin says: ``parser`` (2xx), allow-all (4xx) or unreachable."""

    state: str  # "rules" | "allow" | "unreachable" | "down"
    parser: RobotParser | None = None
    why: str = ""
    fetched_at: float = field(default_factory=time.monotonic)
    failures: int = 0  # consecutive unreachable answers


class RobotsPolicyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.parser_class = load_object(settings.get("ROBOTSTXT_PARSER"))
        self.retry_times = settings.getint("ROBOTS_RETRY_TIMES")
        self.retry_delay = settings.getfloat("ROBOTS_RETRY_DELAY")
        self.redirect_max = settings.getint("ROBOTS_REDIRECT_MAX")
        self.cache_seconds = settings.getfloat("ROBOTS_CACHE_SECONDS")
        self.policies: dict[str, Policy] = {}
        self.fetching: dict[str, asyncio.Future[Policy]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsPolicyMiddleware:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off")
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        scheme = urlparse_cached(request).scheme
        if request.meta.get("dont_obey_robotstxt") or scheme not in ("http", "https"):
            return
        origin = origin_of(request)
        policy = await self.policy_for(origin)
        while policy.state == "unreachable" and policy.failures <= self.retry_times:
            wait = self.retry_delay * 2 ** (policy.failures - 1)
            log.info("robots.txt of %s is unreachable (%s): fetching nothing there, asking again in %.0fs",
                     origin, policy.why, wait)
            await asyncio.sleep(max(0.0, policy.fetched_at + wait - time.monotonic()))
            policy = await self.policy_for(origin, refresh=policy)
        self.check(policy, origin, request)

    def check(self, policy: Policy, origin: str, request: Request) -> None:
        if policy.state == "down":
            what = {"connection-refused": "connection refused", "dns": "unknown host"}.get(policy.why)
            if what is None:
                raise IgnoreRequest(f"{policy.why}: {origin}/robots.txt could not be fetched ({policy.why})")
            raise IgnoreRequest(f"{policy.why}: nothing answers at {origin} ({what}; robots.txt could not be "
                                "fetched, so no page is)")
        if policy.state == "unreachable":
            raise IgnoreRequest(f"robots-unreachable: {origin}/robots.txt stayed unreachable ({policy.why}) "
                                f"after {self.retry_times} retries; RFC 9309: nothing may be fetched then")
        if policy.state == "rules" and policy.parser is not None and not policy.parser.allowed(
                request.url, self.user_agent):
            self.stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(f"robots: {request.url} is disallowed by {origin}/robots.txt")

    async def policy_for(self, origin: str, refresh: Policy | None = None) -> Policy:
        """The origin's policy; fetched once however many requests ask at the same time."""
        policy = self.policies.get(origin)
        stale = policy is None or policy is refresh or policy.state == "down" or (
            time.monotonic() - policy.fetched_at > self.cache_seconds)
        if not stale:
            assert policy is not None
            return policy
        pending = self.fetching.get(origin)
        if pending is None:
            pending = asyncio.ensure_future(self.fetch(origin, policy))
            self.fetching[origin] = pending
            pending.add_done_callback(lambda _: self.fetching.pop(origin, None))
        return await asyncio.shield(pending)

    async def fetch(self, origin: str, previous: Policy | None) -> Policy:
        request = Request(f"{origin}/robots.txt", priority=1000, callback=NO_CALLBACK, dont_filter=True,
                          meta={"dont_obey_robotstxt": True, "dont_retry": True, "newsarchive_kind": "robots",
                                "redirect_ttl": self.redirect_max})
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # the download failed: unreachable or down, by RFC 9309
            policy = self.failed(exc, previous)
        else:
            policy = await self.answered(response, previous)
        self.policies[origin] = policy
        return policy

    def failed(self, exc: Exception, previous: Policy | None) -> Policy:
        name = type(exc).__name__
        if name in HOST_DOWN:
            return Policy("down", why=HOST_DOWN[name])
        if isinstance(exc, IgnoreRequest) and "redirect" not in str(exc):  # refused by our own middleware
            return Policy("down", why=str(exc).split(":", 1)[0] or "ignored")
        why = "redirect loop" if isinstance(exc, IgnoreRequest) else f"{name}: {exc}"[:200]
        return self.unreachable(why, previous)

    def unreachable(self, why: str, previous: Policy | None) -> Policy:
        failures = (previous.failures if previous and previous.state == "unreachable" else 0) + 1
        self.stats.inc_value("newsarchive/robots/unreachable")
        if failures > 1:
            self.stats.inc_value("newsarchive/robots/retries")
        return Policy("unreachable", why=why, failures=failures)

    async def answered(self, response: Response, previous: Policy | None) -> Policy:
        status = response.status
        if 200 <= status < 300:
            self.stats.inc_value("newsarchive/robots/fetched")
            parser = build_from_crawler(self.parser_class, self.crawler, response.body)
            await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser,
                                                            request=response.request)
            return Policy("rules", parser=parser)
        if 400 <= status < 500 and status != 429:
            self.stats.inc_value("newsarchive/robots/unavailable")
            return Policy("allow", why=f"HTTP {status}")
        return self.unreachable(f"HTTP {status}", previous)


def origin_of(request: Request) -> str:
    """``scheme://host:port`` as written in the request (robots.txt is per origin, RFC 9309 2.3)."""
    parts = urlparse_cached(request)
    return f"{parts.scheme}://{parts.netloc}"

