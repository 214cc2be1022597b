"""Scrapy's scheduler, with JOBDIR state that survives a SIGKILL.

Scrapy writes ``JOBDIR/requests.queue/active.json`` (which priority queues hold requests) only when the
crawl closes, with a plain ``open("w")``. After a SIGKILL it is missing, stale, or cut in half, and a cut
one stops every later run with a JSONDecodeError. Here it is written atomically (temp file + rename), read
leniently (an unreadable one is reported and ignored), and the queues found on disk are opened whatever it
says, so requests queued before a crash are not forgotten. The queues themselves are crash-safe SQLite
files (crawler.diskqueue); with ScrapyPriorityQueue (crawler/settings.py) their names are the priorities
(``-10``, ``0``, and ``-10s`` for start requests).

Settings: SCHEDULER = "crawler.scheduler.ResumableScheduler", plus Scrapy's SCHEDULER_* and JOBDIR.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler

from newsarchive.records import atomic_write_text

log = logging.getLogger(__name__)
_QUEUE_NAME = re.compile(r"^(-?\d+)s?$")


class ResumableScheduler(Scheduler):
    def _read_dqs_state(self, dqdir: str) -> Any:
        state: Any = ()
        path = Path(dqdir, "active.json")
        if path.exists():
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                log.warning("%s is unreadable (%s; the previous run was killed while writing it?); using the "
                            "queue files found beside it", path, exc)
        per_slot = getattr(getattr(self, "pqclass", None), "__name__", "") == "DownloaderAwarePriorityQueue"
        if isinstance(state, dict):  # the state of a per-slot priority queue (DownloaderAwarePriorityQueue)
            if per_slot:
                return state
            log.warning("%s was written by another SCHEDULER_PRIORITY_QUEUE (per download slot; Scrapy's "
                        "default before this project's settings); its queues are not reused, the requests "
                        "are found again from the start pages", path)
            state = ()
        if per_slot:
            return state
        return sorted({int(p) for p in state if isinstance(p, int)} | queues_on_disk(Path(dqdir)))

    def _write_dqs_state(self, dqdir: str, state: Any) -> None:
        atomic_write_text(Path(dqdir, "active.json"), json.dumps(state))


def queues_on_disk(dqdir: Path) -> set[int]:
    """Priorities of the queue files in ``dqdir`` (``0``, ``-10``, ``-10s``; not SQLite's -wal/-shm)."""
    if not dqdir.is_dir():
        return set()
    return {int(m.group(1)) for p in dqdir.iterdir() if (m := _QUEUE_NAME.match(p.name))}
