"""Keep every request on the site, redirects included: same scheme, host and port.

Scrapy's OffsiteMiddleware compares host names only and lets ``dont_filter`` requests through, and the
portal spider marks its requests ``dont_filter`` (see crawler.spiders.portal); a redirect inherits the
flag. So an article that redirects to another host, or to another port of the same host, would be
fetched and filed under the site. This middleware refuses any request the spider's ``on_site`` rejects
(crawler.siteconfig.SiteConfig.on_site: the origins of ``base_url`` and ``allowed_domains``), before
robots.txt or the network are touched. A spider without ``on_site`` is held to its ``allowed_domains``
host names. robots.txt requests are exempt (RFC 9309 lets them redirect to another origin).

Settings: ONSITE_ENABLED (default True). Stats: ``newsarchive/drop/offsite`` (counted by the spider).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached


class OnSiteMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OnSiteMiddleware:
        if not crawler.settings.getbool("ONSITE_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get("newsarchive_kind") == "robots":
            return
        spider = self.crawler.spider
        on_site = getattr(spider, "on_site", None)
        if callable(on_site):
            if not on_site(request.url):
                raise IgnoreRequest(f"offsite: {request.url} is not on the site "
                                    f"({', '.join(getattr(spider, 'allowed_domains', None) or ['?'])})")
            return
        domains = getattr(spider, "allowed_domains", None)
        host = urlparse_cached(request).hostname or ""
        if domains and not any(host == d or host.endswith("." + d) for d in domains):
            raise IgnoreRequest(f"offsite: {request.url} is not on {', '.join(domains)}")
