"""Clean each fetched article page into records: ``normalize.clean`` on the raw bytes, in worker processes.

Design (CPU-bound extraction must not stall downloads): ``process_item`` is a coroutine that hands the page to
the clean workers (crawler.pipelines.cleanpool: CLEAN_WORKERS spawned processes, started when the spider
opens, each fed over its own socket by the event loop itself) and awaits the result, so the reactor thread
keeps downloading and writing WARC while the workers run decode -> trafilatura -> repairs. On the 2-core
target one worker is busy with extraction while the reactor uses the other core; with 2 workers the pool
saturates both cores once downloads outpace extraction. Scrapy's scraper slot (SCRAPER_SLOT_MAX_ACTIVE_SIZE)
is the back-pressure: when too many pages wait for cleaning, the engine stops pulling new requests.

The spider hands column list pages to the same workers (:meth:`CleanPipeline.read_list`: decoding and
link extraction, one parse per page), so the crawler process keeps only I/O, scheduling and WARC writes.

In the worker: ``normalize.clean(body, url=..., http_charset=..., encoding_override=<site encoding>,
kind="html")`` decodes the bytes itself (BOM > header > meta, validated; the override wins), so a wrong
charset header does not produce mojibake. A page that cannot be cleaned is dropped with its reason counted
(``newsarchive/drop/<reason>``, e.g. ``no-main-content``); its raw bytes are already in the WARC.

Settings: CLEAN_WORKERS (default 2; 0 = clean in the reactor thread, for debugging), CLEAN_ENABLED
(default True), CLEAN_TIMEOUT (seconds per page, default 120, counted once the workers are up: a page that
hangs the normaliser is dropped as ``normalizer-timeout`` and its worker is replaced; a page whose
worker died under it is retried once, then dropped as ``normalizer-crashed``),
CLEAN_FUNCTION (``module:function`` with clean()'s signature; default ``normalize:clean``),
CLEAN_MAX_HTML_CHARS (the most characters of HTML a page may have before it is dropped as ``too-large``
with its raw capture kept; 0, the default, is normalize's own limit ``normalize.pipeline.MAX_HTML_CHARS``,
2M characters).
Stats: ``newsarchive/time/{decode,extraction,normalisation}`` (seconds, summed over
pages, measured inside the workers), ``newsarchive/pages_cleaned``, ``newsarchive/cpu/clean`` (CPU seconds
the workers spent cleaning), ``newsarchive/cpu/lists`` (CPU seconds the workers spent reading list pages)
and ``newsarchive/cpu/reactor`` (CPU seconds of the crawler process;
``newsarchive/cpu/reactor_at_open``: the part spent before the spider opened, start-up): with
crawl wall time they show whether both cores were busy.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from types import ModuleType
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.items import PageItem
from crawler.pipelines.cleanpool import CleanPool
from crawler.pipelines.cleanworker import DEFAULT_FUNCTION, clean_page, install_stage_timers, serve

log = logging.getLogger(__name__)
_RUNNING = "_newsarchive_clean_pool"  # the crawler attribute holding the pipeline while its pool runs


class CleanPipeline:
    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("CLEAN_TIMEOUT")
        self.function = crawler.settings.get("CLEAN_FUNCTION") or DEFAULT_FUNCTION
        self.max_html_chars = crawler.settings.getint("CLEAN_MAX_HTML_CHARS") or None
        self.stats = crawler.stats
        self.workers = workers
        self.pool: CleanPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        if not crawler.settings.getbool("CLEAN_ENABLED"):
            raise NotConfigured("CLEAN_ENABLED is off")
        return cls(crawler, crawler.settings.getint("CLEAN_WORKERS"))

    def open_spider(self) -> None:
        # start-up (imports, settings, components) is not per-page work: the benchmark takes it off
        self.stats.set_value("newsarchive/cpu/reactor_at_open", process_cpu())
        if self.workers > 0:
            # the workers import normalize/trafilatura now, while the first pages download
            self.pool = CleanPool(self.workers, self.timeout, failed, start_worker)
            self.pool.start()
            setattr(self.crawler, _RUNNING, self)
        else:
            install_stage_timers()

    @staticmethod
    def running(crawler: Crawler) -> CleanPipeline | None:
        """The crawl's pipeline while its worker pool runs (None without one: CLEAN_WORKERS = 0, CLEAN_ENABLED
        off, not opened yet or closed)."""
        pipeline: CleanPipeline | None = getattr(crawler, _RUNNING, None)
        return pipeline if pipeline is not None and pipeline.pool is not None else None

    async def read_list(self, body: bytes, url: str, http_charset: str | None, override: str | None,
                        options: dict[str, Any]) -> dict[str, Any]:
        """A list page's links read in a worker (cleanworker.read_list), or ``ok`` False."""
        assert self.pool is not None
        result = await self.pool.run("read_list", (body, url, http_charset, override, options), url)
        self.stats.inc_value("newsarchive/cpu/lists", result.get("cpu", 0.0))
        return result

    def close_spider(self) -> None:
        # the reactor process (downloads, WARC, JSONL)
        self.stats.set_value("newsarchive/cpu/reactor", process_cpu())
        if getattr(self.crawler, _RUNNING, None) is self:
            delattr(self.crawler, _RUNNING)
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        result = await self._run(item)
        for stage, seconds in result["times"].items():
            self.stats.inc_value(f"newsarchive/time/{stage}", seconds)
        self.stats.inc_value("newsarchive/cpu/clean", result.get("cpu", 0.0))
        self.stats.inc_value("newsarchive/pages_cleaned")
        if not result["ok"]:
            self.stats.inc_value(f"newsarchive/drop/{result['reason']}")
            # a counted drop, not a crawl failure (the raw page is in the WARC; replay recovers it)
            level = logging.WARNING if result["reason"] == "normalizer-error" else logging.INFO
            log.log(level, "%s: no record (%s): %s%s; raw capture kept at %s", item.url, result["reason"],
                    result["message"], CRAWL_HINTS.get(result["reason"], ""), item.capture.get("file"))
            raise DropItem(f"{result['reason']}: {item.url}")
        item.records = result["records"]
        return item

    async def _run(self, item: PageItem) -> dict[str, Any]:
        args = (item.body, item.url, item.http_charset, item.encoding_override, self.function,
                self.max_html_chars)
        if self.pool is None:
            return clean_page(*args)
        return await self.pool.run("clean_page", args, item.url)


# what a drop reason's fix is called in a crawl
CRAWL_HINTS = {"too-large": " (in the crawl: -s CLEAN_MAX_HTML_CHARS=N)"}


def start_worker(conn: Connection) -> Any:
    """Spawn one clean worker (cleanworker.serve) on its end of the socket."""
    process = multiprocessing.get_context("spawn").Process(target=serve, args=(conn,), daemon=True,
                                                           name="newsarchive-clean")
    with without_main_module():
        process.start()
    return process


@contextmanager
def without_main_module() -> Iterator[None]:
    """Hide ``__main__`` while workers are spawned: a spawned process re-imports its parent's main module
    (here Scrapy's command line: ~0.5 s of CPU and tens of MB per worker) unless it has neither a spec nor
    a file. The workers only need crawler.pipelines.cleanworker and the normaliser."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def process_cpu() -> float:
    """CPU seconds of this process so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def failed(reason: str, message: str) -> dict[str, Any]:
    return {"ok": False, "reason": reason, "message": message, "times": {}}
