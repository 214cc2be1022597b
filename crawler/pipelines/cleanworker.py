"""The worker side of crawler.pipelines.clean: runs ``normalize.clean`` on one page in a pool process, and
reads the links of a column list page (:func:`read_list`: decoding and lxml parsing stay off the crawler
process).

Kept free of Scrapy imports so that each spawned worker only loads the normaliser. A worker exits as soon
as the crawler process that started it is gone, however it died (SIGKILL, OOM killer): no orphans.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import multiprocessing.connection
import pickle
import signal
import sys
import time
import traceback
from collections.abc import Callable
from functools import wraps
from types import ModuleType
from typing import Any

from newsarchive.workers import exit_with_parent

log = logging.getLogger(__name__)

_TIMES: dict[str, float] = {"decode": 0.0, "extraction": 0.0}


DEFAULT_FUNCTION = "normalize:clean"


def clean_function(spec: str = DEFAULT_FUNCTION) -> Callable[..., list[Any]]:
    """``normalize.clean`` (a function in the package, or the ``clean`` function of ``normalize.clean``),
    or another ``module:function`` with its signature (CLEAN_FUNCTION, e.g. for tests)."""
    if spec != DEFAULT_FUNCTION:
        module, _, name = spec.partition(":")
        custom: Callable[..., list[Any]] = getattr(importlib.import_module(module), name)
        return custom
    normalize = importlib.import_module("normalize")
    fn = getattr(normalize, "clean", None)
    if fn is None or isinstance(fn, ModuleType):
        fn = importlib.import_module("normalize.pipeline").clean
    return fn


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
    """Time ``decode`` and ``extract_page`` wherever the normaliser's modules imported them.

    The split of clean()'s time into decode / extraction / normalisation is for the crawl benchmark only;
    clean() itself is unchanged.
    """
    clean_function()
    for name in ("normalize.extract", "normalize.decoding"):
        try:
            importlib.import_module(name)
        except ImportError:  # an older normaliser: its time counts as normalisation
            log.debug("no %s to time", name)
    for module in list(sys.modules.values()):
        if not (getattr(module, "__name__", "") or "").startswith("normalize"):
            continue
        for attr, stage in (("extract_page", "extraction"), ("decode", "decode")):
            fn = getattr(module, attr, None)
            timed = getattr(fn, "__newsarchive_timed__", False)
            if callable(fn) and not isinstance(fn, ModuleType) and not timed:
                setattr(module, attr, _timed(stage, fn))


def init_worker() -> None:
    """Workers ignore Ctrl-C: Scrapy's graceful stop (pause with JOBDIR) lets them finish their pages.
    They exit with the crawler process (:func:`exit_with_parent`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()
    try:
        install_stage_timers()
    except Exception as exc:  # a broken normaliser: every page reports it as normalizer-error instead
        log.error("clean worker: cannot load the normaliser (%s: %s)", type(exc).__name__, exc)


def clean_page(body: bytes, url: str, http_charset: str | None, override: str | None,
               function: str = DEFAULT_FUNCTION, max_html_chars: int | None = None) -> dict[str, Any]:
    """Runs in a worker: the page's records as dicts, or the drop reason; with stage times.

    ``max_html_chars`` (CLEAN_MAX_HTML_CHARS) is passed on only when set, so a CLEAN_FUNCTION written
    before the keyword existed keeps working."""
    from normalize.errors import CleanError

    _TIMES.update(decode=0.0, extraction=0.0)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        clean = clean_function(function)
        limit = {} if max_html_chars is None else {"max_html_chars": max_html_chars}
        records = clean(body, url=url, http_charset=http_charset, encoding_override=override, kind="html",
                        **limit)
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


def read_list(body: bytes, url: str, http_charset: str | None, override: str | None,
              options: dict[str, Any]) -> dict[str, Any]:
    """Runs in a worker: a list page decoded as articles are (BOM > header > meta, validated; the site's
    encoding wins) and read by :func:`crawler.links.read_list_page` with ``options``; or ``ok`` False
    when the page cannot be decoded (the spider then reads it with Scrapy's decoding)."""
    from crawler.links import read_list_page
    from normalize.decoding import decode

    cpu_started = time.process_time()
    try:
        html = decode(body, http_charset, override=override).text
    except ValueError as exc:  # normalize.errors.DecodeError
        return {"ok": False, "reason": "undecodable", "message": str(exc), "cpu": 0.0}
    page = read_list_page(html, url, **options)
    return {"ok": True, "page": page, "cpu": time.process_time() - cpu_started}


def serve(conn: multiprocessing.connection.Connection) -> None:
    """A worker's life (crawler.pipelines.cleanpool): start, say ``"ready"``, then run each task
    ``(name, args)`` it reads and send back its result, until the crawler closes the socket."""
    init_worker()
    with contextlib.suppress(EOFError, OSError):  # the crawler closed the socket (done, or gone)
        conn.send_bytes(pickle.dumps("ready"))
        while True:
            name, args = pickle.loads(conn.recv_bytes())
            conn.send_bytes(encoded(run_task(name, args)))


def run_task(name: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """One task's result; a failure that escapes the task is the page's ``normalizer-error``."""
    try:
        return TASKS[name](*args)
    except Exception as exc:
        return task_error(exc)


def encoded(result: dict[str, Any]) -> bytes:
    try:
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a result that cannot be sent back
        return pickle.dumps(task_error(exc))


def task_error(exc: Exception) -> dict[str, Any]:
    return {"ok": False, "reason": "normalizer-error", "message": f"{type(exc).__name__}: {exc}", "times": {}}


TASKS: dict[str, Callable[..., dict[str, Any]]] = {"clean_page": clean_page, "read_list": read_list}
