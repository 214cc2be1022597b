"""Clean each fetched article page into records: ``normalize.clean`` on the raw bytes, in worker processes.

Design (CPU-bound extraction must not stall downloads): ``process_item`` is a coroutine that submits the
page to a ``concurrent.futures.ProcessPoolExecutor`` (CLEAN_WORKERS processes, spawned, warmed up when the
spider opens) and awaits the future through asyncio, so the reactor thread keeps downloading, writing WARC
and parsing list pages while the workers run decode -> trafilatura -> repairs. On the 2-core target one
worker is busy with extraction while the reactor uses the other core; with 2 workers the pool saturates
both cores once downloads outpace extraction. Scrapy's scraper slot (SCRAPER_SLOT_MAX_ACTIVE_SIZE) is the
back-pressure: when too many pages wait for cleaning, the engine stops pulling new requests.

In the worker: ``normalize.clean(body, url=..., http_charset=..., encoding_override=<site encoding>,
kind="html")`` decodes the bytes itself (BOM > header > meta, validated; the override wins), so a wrong
charset header does not produce mojibake. A page that cannot be cleaned is dropped with its reason counted
(``newsarchive/drop/<reason>``, e.g. ``no-main-content``); its raw bytes are already in the WARC.

Settings: CLEAN_WORKERS (default 2; 0 = clean in the reactor thread, for debugging), CLEAN_ENABLED
(default True). Stats: ``newsarchive/time/{decode,extraction,normalisation}`` (seconds, summed over
pages, measured inside the workers), ``newsarchive/pages_cleaned``, ``newsarchive/cpu/clean`` (CPU seconds
the workers spent cleaning) and ``newsarchive/cpu/reactor`` (CPU seconds of the crawler process): with
crawl wall time they show whether both cores were busy.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import wraps
from types import ModuleType
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.items import PageItem

log = logging.getLogger(__name__)

_TIMES: dict[str, float] = {"decode": 0.0, "extraction": 0.0}


def clean_function() -> Callable[..., list[Any]]:
    """``normalize.clean`` (a function in the package, or the ``clean`` function of ``normalize.clean``)."""
    normalize = importlib.import_module("normalize")
    fn = getattr(normalize, "clean", None)
    if fn is None or isinstance(fn, ModuleType):
        fn = importlib.import_module("normalize.clean").clean
    return fn  # type: ignore[no-any-return]


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _TIMES[name] += time.perf_counter() - started

    wrapper.__newsarchive_timed__ = True  # type: ignore[attr-defined]
    return wrapper


def install_stage_timers() -> None:
    """Time ``decode`` and ``extract_html`` wherever the normaliser's modules imported them.

    The split of clean()'s time into decode / extraction / normalisation is for the crawl benchmark only;
    clean() itself is unchanged.
    """
    clean_function()
    for name in ("normalize.extract", "normalize.decode"):
        try:
            importlib.import_module(name)
        except ImportError:  # an older normaliser: its time counts as normalisation
            log.debug("no %s to time", name)
    for module in list(sys.modules.values()):
        if not (getattr(module, "__name__", "") or "").startswith("normalize"):
            continue
        for attr, stage in (("extract_html", "extraction"), ("decode", "decode")):
            fn = getattr(module, attr, None)
            timed = getattr(fn, "__newsarchive_timed__", False)
            if callable(fn) and not isinstance(fn, ModuleType) and not timed:
                setattr(module, attr, _timed(stage, fn))


def init_worker() -> None:
    """Workers ignore Ctrl-C: Scrapy's graceful stop (pause with JOBDIR) lets them finish their pages."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    install_stage_timers()


def warm_up() -> bool:
    return True


def clean_page(body: bytes, url: str, http_charset: str | None, override: str | None) -> dict[str, Any]:
    """Runs in a worker: the page's records as dicts, or the drop reason; with stage times."""
    from normalize.errors import CleanError

    _TIMES.update(decode=0.0, extraction=0.0)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        records = clean_function()(body, url=url, http_charset=http_charset, encoding_override=override,
                                   kind="html")
        result: dict[str, Any] = {"ok": True, "records": [r.to_dict() for r in records]}
    except CleanError as exc:
        result = {"ok": False, "reason": exc.reason, "message": str(exc)}
    except Exception as exc:  # a normaliser bug must not lose the page or stop the crawl
        result = {"ok": False, "reason": "normalizer-error",
                  "message": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"}
    total = time.perf_counter() - started
    result["times"] = {"decode": _TIMES["decode"], "extraction": _TIMES["extraction"],
                       "normalisation": max(0.0, total - _TIMES["decode"] - _TIMES["extraction"])}
    result["cpu"] = time.process_time() - cpu_started
    return result


class CleanPipeline:
    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        if not crawler.settings.getbool("CLEAN_ENABLED", True):
            raise NotConfigured("CLEAN_ENABLED is off")
        return cls(crawler, crawler.settings.getint("CLEAN_WORKERS", 2))

    def open_spider(self) -> None:
        if self.workers > 0:
            self._start_pool()
        else:
            install_stage_timers()

    def _start_pool(self) -> None:
        self.executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=init_worker)
        for _ in range(self.workers):  # import normalize/trafilatura now, while the first pages download
            self.executor.submit(warm_up)

    def close_spider(self) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)  # the reactor process (downloads, WARC, JSONL)
        self.stats.set_value("newsarchive/cpu/reactor", usage.ru_utime + usage.ru_stime)  # type: ignore[union-attr]
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        result = await self._run(item)
        for stage, seconds in result["times"].items():
            self.stats.inc_value(f"newsarchive/time/{stage}", seconds)  # type: ignore[union-attr]
        self.stats.inc_value("newsarchive/cpu/clean", result.get("cpu", 0.0))  # type: ignore[union-attr]
        self.stats.inc_value("newsarchive/pages_cleaned")  # type: ignore[union-attr]
        if not result["ok"]:
            self.stats.inc_value(f"newsarchive/drop/{result['reason']}")  # type: ignore[union-attr]
            level = logging.ERROR if result["reason"] == "normalizer-error" else logging.INFO
            log.log(level, "%s: no record (%s): %s; raw capture kept at %s", item.url, result["reason"],
                    result["message"], item.capture.get("file"))
            raise DropItem(f"{result['reason']}: {item.url}")
        item.records = result["records"]
        return item

    async def _run(self, item: PageItem) -> dict[str, Any]:
        args = (item.body, item.url, item.http_charset, item.encoding_override)
        if self.executor is None:
            return clean_page(*args)
        try:
            return await asyncio.wrap_future(self.executor.submit(clean_page, *args))
        except BrokenProcessPool:
            log.error("a clean worker died (out of memory?) on %s; restarting the pool", item.url)
            self._start_pool()
            return {"ok": False, "reason": "normalizer-crashed", "message": "worker process died",
                    "times": {}}
