"""Keep every request on the site's allowed domains, redirects included.

Scrapy's OffsiteMiddleware lets ``dont_filter`` requests through, and the portal spider marks its requests
``dont_filter`` (see crawler.spiders.portal); a redirect inherits the flag. So an article that redirects to
another host would be fetched. This middleware refuses any request whose host is not one of the spider's
``allowed_domains`` (or a subdomain), before robots.txt or the network are touched.

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
        if not crawler.settings.getbool("ONSITE_ENABLED", True):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        if not domains:
            return
        host = urlparse_cached(request).hostname or ""
        if not any(host == d or host.endswith("." + d) for d in domains):
            raise IgnoreRequest(f"offsite: {request.url} is not on {', '.join(domains)}")
