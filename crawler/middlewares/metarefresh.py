"""Scrapy's MetaRefreshMiddleware, which decodes a page only when it can hold a meta refresh.

Scrapy's middleware decodes every HTML response in the crawler process (``response.text``: encoding
detection, then the whole body) to look for ``<meta http-equiv="refresh">`` in its first 4,096
characters. A page without the bytes ``refresh`` (any case) among its first 16,384 bytes has none there:
4,096 characters are at most 16,384 bytes in every ASCII-compatible encoding a page can have (UTF-8 and
GB18030 use at most four bytes a character). Such pages are passed on undecoded (the clean workers decode
them); the rest, and pages that may be UTF-16/32 (a NUL byte or a UTF-16 BOM in their first bytes), go
through Scrapy's own code unchanged, redirects and METAREFRESH_* settings included.

Settings: Scrapy's (METAREFRESH_ENABLED, METAREFRESH_IGNORE_TAGS, METAREFRESH_MAXDELAY). Stats: none
of its own.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import Response

HEAD_BYTES = 4096 * 4
WIDE_MARKS = (b"\xff\xfe", b"\xfe\xff")


class CheapMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response, spider: Any = None
                         ) -> Request | Response:
        if not may_refresh(response.body):
            return response
        result: Request | Response = super().process_response(request, response)
        return result


def may_refresh(body: bytes) -> bool:
    """Whether the first 4,096 characters of ``body`` can hold a meta refresh.

    >>> may_refresh(b'<meta http-equiv="Refresh" content="0; url=/a.html">'), may_refresh(b"<p>news</p>")
    (True, False)
    >>> may_refresh('<p>新闻</p>'.encode("utf-16"))
    True
    """
    head = body[:HEAD_BYTES]
    return head.startswith(WIDE_MARKS) or b"\x00" in head[:512] or b"refresh" in head.lower()
