"""Retries with exponential backoff, ``Retry-After``, and no long retrying of a host that never answered.

Same policy as Scrapy's RetryMiddleware (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS), which it
replaces, but:

- retry n of a request waits ``RETRY_BACKOFF_BASE * 2 ** (n - 1)`` seconds (capped at RETRY_BACKOFF_MAX)
  before it is rescheduled, without blocking the reactor;
- a 503 or 429 with ``Retry-After`` (seconds or an HTTP date) waits that long instead, at most
  RETRY_AFTER_MAX seconds, and holds the host's download slot meanwhile (other requests to the host wait
  too; needs a download delay > 0, the default);
- a connection error (refused, unknown host, connect timeout) on a host that has never answered is retried
  only RETRY_UNREACHABLE_TIMES times: nothing is listening there, and RETRY_TIMES rounds of backoff would
  only delay the failure report (crawler.extensions.outcome).

Settings: RETRY_ENABLED (off: NotConfigured), RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS,
RETRY_BACKOFF_BASE (default 2.0; 0 = no wait), RETRY_BACKOFF_MAX (default 60.0), RETRY_AFTER_MAX (default
600), RETRY_UNREACHABLE_TIMES (default 1). Stats: Scrapy's ``retry/*``, ``newsarchive/retry_after/count``,
``newsarchive/retry_after/seconds`` (waited), ``newsarchive/retry_after/capped``.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

CONNECTION_ERRORS = {"ConnectionRefusedError", "DownloadConnectionRefusedError", "DNSLookupError",
                     "CannotResolveHostError", "TCPTimedOutError", "ConnectError", "NoRouteError"}


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (RFC 9110 10.2.3: delay-seconds or an HTTP-date).

    >>> retry_after_seconds(b"120"), retry_after_seconds("soon")
    (120.0, None)
    >>> retry_after_seconds("Thu, 20 Feb 2020 08:00:30 GMT", now=1582185600.0)  # 08:00:00 UTC
    30.0
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, moment - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX")
        self.unreachable_times = settings.getint("RETRY_UNREACHABLE_TIMES")
        self.answered: set[str] = set()  # hosts (netloc) that sent at least one response

    def backoff(self, request: Request) -> float:
        """Seconds to wait before the retry ``request`` (its meta already counts the retry)."""
        n = max(1, int(request.meta.get("retry_times", 1)))
        return min(self.backoff_max, self.backoff_base * 2 ** (n - 1))

    async def _wait(self, result: Request | Response | None, at_least: float = 0.0) -> Any:
        if isinstance(result, Request):
            wait = max(self.backoff(result) if self.backoff_base > 0 else 0.0, at_least)
            if wait > 0:
                await asyncio.sleep(wait)
        return result

    async def process_response(self, request: Request, response: Response) -> Any:  # type: ignore[override]
        self.answered.add(urlparse_cached(request).netloc)
        asked = self.retry_after(request, response)
        return await self._wait(super().process_response(request, response), asked)

    async def process_exception(self, request: Request, exception: Exception) -> Any:  # type: ignore[override]
        if type(exception).__name__ in CONNECTION_ERRORS and (
                urlparse_cached(request).netloc not in self.answered):
            request.meta.setdefault("max_retry_times", self.unreachable_times)
        result = super().process_exception(request, exception)
        return await self._wait(result) if result is not None else None

    def retry_after(self, request: Request, response: Response) -> float:
        """The wait a 503/429 asks for (capped and counted; the host's slot is held as long)."""
        if response.status not in (429, 503) or request.meta.get("dont_retry"):
            return 0.0
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is None:
            return 0.0
        stats = self.crawler.stats
        wait = min(asked, self.retry_after_max)
        stats.inc_value("newsarchive/retry_after/count")
        stats.inc_value("newsarchive/retry_after/seconds", wait)
        if asked > self.retry_after_max:
            stats.inc_value("newsarchive/retry_after/capped")
        self.hold_slot(request, wait)
        return wait

    def hold_slot(self, request: Request, seconds: float) -> None:
        """Make the host's download slot wait ``seconds`` before its next request."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and hasattr(slot, "lastseen"):
            slot.lastseen = max(slot.lastseen, time.time() + seconds - slot.download_delay())
