"""Retries with exponential backoff (Scrapy's RetryMiddleware retries at once).

Same policy as RetryMiddleware (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS); retry n of a request
waits ``RETRY_BACKOFF_BASE * 2 ** (n - 1)`` seconds (capped at RETRY_BACKOFF_MAX) before it is
rescheduled, without blocking the reactor.

Settings: RETRY_BACKOFF_BASE (default 2.0; 0 = no wait), RETRY_BACKOFF_MAX (default 60.0), plus the
RETRY_* settings of Scrapy. Off (NotConfigured) with RETRY_ENABLED = False.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def backoff(self, request: Request) -> float:
        """Seconds to wait before the retry ``request`` (its meta already counts the retry)."""
        n = max(1, int(request.meta.get("retry_times", 1)))
        return min(self.backoff_max, self.backoff_base * 2 ** (n - 1))

    async def _wait(self, result: Request | Response) -> Request | Response:
        if isinstance(result, Request) and self.backoff_base > 0:
            await asyncio.sleep(self.backoff(result))
        return result

    async def process_response(self, request: Request, response: Response) -> Any:  # type: ignore[override]
        return await self._wait(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception) -> Any:  # type: ignore[override]
        result = super().process_exception(request, exception)
        return await self._wait(result) if result is not None else None
