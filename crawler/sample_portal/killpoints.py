"""Test tooling: SIGKILL a crawl at the n-th occurrence of an event, at the worst moments (the kill/resume
sweep of crawler/sample_portal/resume_sweep.py, tests/crawler/test_resume.py and bench/resume.py).

Loaded by settings, never by default::

    -s SCHEDULER=crawler.sample_portal.killpoints.KillingScheduler
    -s SCHEDULER_DISK_QUEUE=crawler.sample_portal.killpoints.KillingLifoQueue
    -s SCHEDULER_START_DISK_QUEUE=crawler.sample_portal.killpoints.KillingFifoQueue
    -s KILL_AT=warc-write:3

Events (``KILL_AT = "<event>:<n>"``, or ``time:<seconds>``):
    scheduled     a request is about to be pushed to the JOBDIR queue (signal request_scheduled)
    queue-push    INSIDE a queue push: the row is inserted, the transaction not committed
    queue-pop     a request was popped (committed) and not yet downloaded
    response      a response was received (its exchange is already in the WARC)
    warc-write    INSIDE a WARC write: half of the exchange's bytes are written (a torn tail)
    revisit-write INSIDE the write of a revisit record and its request: half of the bytes written
    jsonl-write   INSIDE a JSONL write: half of the page's record bytes are written
    jsonl-epaper  INSIDE the JSONL write of a page with several records: cut after its first record line
                  (so the file ends with whole lines, but the page is incomplete)
    item          a page's records were written (signal item_scraped)
    state-write   INSIDE the scheduler's close: half of active.json is written
    time          ``time:0.4``: that many seconds after the engine started
The process kills itself with SIGKILL: no handler, no flush, no atexit; its clean workers are left to
notice (crawler.pipelines.cleanworker.exit_with_parent).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler

from crawler.diskqueue import FifoSQLiteQueue, LifoSQLiteQueue
from crawler.scheduler import ResumableScheduler
from newsarchive.captures import Exchange, WarcSegmentWriter
from newsarchive.records import dumps


class KillPoint:
    def __init__(self, spec: str) -> None:
        event, _, n = spec.partition(":")
        self.event, self.n, self.count = event, float(n or 1), 0

    def hit(self, event: str) -> bool:
        if event != self.event:
            return False
        self.count += 1
        return self.count == self.n


_POINT = KillPoint("")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(30)  # never reached


def hit(event: str) -> bool:
    return _POINT.hit(event)


def install(crawler: Crawler) -> None:
    """Arm the kill point named by the KILL_AT setting (once per process)."""
    global _POINT
    spec = crawler.settings.get("KILL_AT") or ""
    if not spec or _POINT.event:
        return
    _POINT = KillPoint(spec)
    for signal_, event in ((signals.request_scheduled, "scheduled"), (signals.response_received, "response"),
                           (signals.item_scraped, "item")):
        crawler.signals.connect(_on(event), signal=signal_, weak=False)
    if _POINT.event == "time":
        crawler.signals.connect(_arm_timer, signal=signals.engine_started, weak=False)
    _patch_writer()


def _on(event: str) -> Any:
    def handler(*args: Any, **kwargs: Any) -> None:
        if hit(event):
            die()
    return handler


def _arm_timer() -> None:
    import asyncio

    asyncio.get_event_loop().call_later(_POINT.n, die)


def _patch_writer() -> None:
    write_exchange = WarcSegmentWriter.write_exchange
    write_revisit = WarcSegmentWriter.write_revisit
    append_page_records = WarcSegmentWriter.append_page_records

    def torn_revisit(self: WarcSegmentWriter, exchange: Exchange, *args: Any, **kwargs: Any) -> Any:
        if not hit("revisit-write"):
            return write_revisit(self, exchange, *args, **kwargs)
        assert self._fd is not None
        before = self._size
        pointer = write_revisit(self, exchange, *args, **kwargs)  # written whole, then cut in half:
        os.ftruncate(self._fd, before + (self._size - before) // 2)  # what a kill mid-write leaves
        die()
        return pointer

    def torn_exchange(self: WarcSegmentWriter, exchange: Exchange) -> Any:
        if not hit("warc-write"):
            return write_exchange(self, exchange)
        if self._fd is None or self._size >= self.max_size:
            self._open_next_segment()
        from datetime import UTC, datetime

        (response, _), request = self._build_pair(exchange, exchange.fetched_at or datetime.now(UTC))
        data = response + request
        assert self._fd is not None
        os.write(self._fd, data[: len(data) // 2])
        die()

    def torn_records(self: WarcSegmentWriter, path: Path, records: Iterable[dict[str, Any]]) -> int:
        records = list(records)
        data = "".join(dumps(r) + "\n" for r in records).encode("utf-8")
        if hit("jsonl-write"):
            cut = len(data) // 2
        elif len(records) > 1 and hit("jsonl-epaper"):
            cut = data.index(b"\n") + 1
        else:
            return append_page_records(self, path, records)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.write(fd, data[:cut])
        die()
        return 0

    WarcSegmentWriter.write_exchange = torn_exchange  # type: ignore[method-assign]
    WarcSegmentWriter.write_revisit = torn_revisit  # type: ignore[method-assign]
    WarcSegmentWriter.append_page_records = torn_records  # type: ignore[method-assign]


class KillingScheduler(ResumableScheduler):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KillingScheduler:
        install(crawler)
        scheduler = super().from_crawler(crawler)
        assert isinstance(scheduler, KillingScheduler)
        return scheduler

    def _write_dqs_state(self, dqdir: str, state: Any) -> None:
        if hit("state-write"):
            text = json.dumps(state)
            Path(dqdir, "active.json").write_text(text[: max(1, len(text) // 2)], encoding="utf-8")
            die()
        super()._write_dqs_state(dqdir, state)


class _KillingQueue:
    def push(self, request: Request) -> None:
        if hit("queue-push"):
            self.db.execute("BEGIN")  # type: ignore[attr-defined]
            self.db.execute("INSERT INTO queue (item) VALUES (?)", (b"half a push",))  # type: ignore[attr-defined]
            die()
        super().push(request)  # type: ignore[misc]

    def pop(self) -> Request | None:
        request = super().pop()  # type: ignore[misc]
        if request is not None and hit("queue-pop"):
            die()
        return request


class KillingLifoQueue(_KillingQueue, LifoSQLiteQueue):
    pass


class KillingFifoQueue(_KillingQueue, FifoSQLiteQueue):
    pass
