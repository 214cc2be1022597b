"""Drop pages that only say the article is gone (该信息已删除, 页面不存在, 您访问的页面...): no record.

A deleted report is often replaced by a short page saying so, answered with 200; the normaliser may read
that sentence as an article. A page whose only record is a short text with such wording
(:func:`newsarchive.gone.placeholder_phrase`) gets no record: its raw response is in the WARC, and
``newsarchive index`` classifies the capture as a deletion (``placeholder``). An article that mentions
such words is long and is kept.

Settings: DROP_PLACEHOLDERS_ENABLED (default True). Stats: ``newsarchive/drop/placeholder``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.items import PageItem
from newsarchive.gone import placeholder_phrase

log = logging.getLogger(__name__)


class PlaceholderPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlaceholderPipeline:
        if not crawler.settings.getbool("DROP_PLACEHOLDERS_ENABLED"):
            raise NotConfigured("DROP_PLACEHOLDERS_ENABLED is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or len(item.records) != 1:
            return item
        record = item.records[0]
        phrase = placeholder_phrase(f"{record.get('title') or ''} {record.get('text') or ''}")
        if phrase is None:
            return item
        self.stats.inc_value("newsarchive/drop/placeholder")
        item.body = b""
        raise DropItem(f"placeholder: {item.url} says {phrase!r} (the article is gone; kept in WARC only)")
