"""Warn once, loudly, at the start of a crawl whose User-Agent gives no way to reach the operator.

A webmaster who sees an unknown crawler in the logs needs an address to write to before they block it.
The User-Agent must carry a real contact: an e-mail address or a web page that is not a placeholder
(the default ``https://github.com/ (set NEWSARCHIVE_CONTACT ...)``, ``example.org`` ...). Set it with
``-s NEWSARCHIVE_CONTACT=you@example.org`` (it goes into the User-Agent, see crawler.spiders.portal).

Settings: CONTACT_CHECK_ENABLED (default True; off under REPLAY_WARC, which touches no server).
Stats: ``newsarchive/user_agent_without_contact`` (1 when the warning was given).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_URL = re.compile(r"https?://([\w.-]+)(/[^\s;)]*)?")
_PLACEHOLDER_HOSTS = re.compile(r"(?:^|\.)(?:example\.(?:org|com|net)|localhost|github\.com)$", re.I)


def has_contact(user_agent: str) -> bool:
    """An e-mail address or a specific web page that is not a placeholder.

    >>> has_contact("cn-gov-news-archive/0.1 (research archive; +mailto:li.wei@pku.edu.cn)")
    True
    >>> has_contact("bot/1 (+https://github.com/someone/news-archive)")  # a project page is a contact
    True
    >>> has_contact("bot/1 (+https://github.com/ (set NEWSARCHIVE_CONTACT to your e-mail or project page))")
    False
    >>> has_contact("bot/1 (+you@example.org)"), has_contact("Mozilla/5.0")
    (False, False)
    """
    for m in _EMAIL.finditer(user_agent):
        if not _PLACEHOLDER_HOSTS.search(m.group(1)):
            return True
    for m in _URL.finditer(user_agent):
        host, path = m.group(1), (m.group(2) or "").strip("/")
        if not _PLACEHOLDER_HOSTS.search(host) or (host.lower().endswith("github.com") and path):
            return True
    return False


class ContactCheck:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactCheck:
        settings = crawler.settings
        if not settings.getbool("CONTACT_CHECK_ENABLED") or settings.get("REPLAY_WARC"):
            raise NotConfigured  # no log line: replay touches no server
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def spider_opened(self, spider: Any) -> None:
        user_agent = str(self.crawler.settings.get("USER_AGENT") or "")
        if has_contact(user_agent):
            return
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newsarchive/user_agent_without_contact", 1)
        log.warning(
            "\n%s\n!! The User-Agent gives webmasters no way to reach you:\n!!   %s\n"
            "!! Portals block crawlers they cannot identify. Put your e-mail or project page in it:\n"
            "!!   scrapy crawl %s -s NEWSARCHIVE_CONTACT=you@your-university.edu.cn\n%s",
            "!" * 100, user_agent, getattr(spider, "name", "NAME"), "!" * 100)
