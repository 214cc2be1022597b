"""Scrapy's scheduler, with JOBDIR state that survives a SIGKILL.

Scrapy writes ``JOBDIR/requests.queue/active.json`` (which priority queues hold requests) only when the
crawl closes, with a plain ``open("w")``. After a SIGKILL it is missing, stale, or cut in half, and a cut
one stops every later run with a JSONDecodeError. Here it is written atomically (temp file + rename), read
leniently (an unreadable one is reported and ignored), and the queues found on disk are opened whatever it
says, so requests queued before a crash are not forgotten. The queues themselves are crash-safe SQLite
files (crawler.diskqueue), one folder per download slot (DownloaderAwarePriorityQueue, crawler/settings.py:
hosts take turns, so one host's Crawl-delay never holds up another's requests), and in it one file per
priority (``-10``, ``0``, and ``-10s`` for start requests).

Settings: SCHEDULER = "crawler.scheduler.ResumableScheduler", plus Scrapy's SCHEDULER_* and JOBDIR.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.pqueues import _path_safe

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
        if per_slot:
            if not isinstance(state, dict):
                state = {}  # a list: written by a per-priority queue; its files are not in slot folders
            return slot_queues_on_disk(Path(dqdir), state)
        if isinstance(state, dict):
            log.warning("%s was written by a per-download-slot SCHEDULER_PRIORITY_QUEUE; its queues are not "
                        "reused, the requests are found again from the start pages", path)
            state = ()
        return sorted({int(p) for p in state if isinstance(p, int)} | queues_on_disk(Path(dqdir)))

    def _write_dqs_state(self, dqdir: str, state: Any) -> None:
        atomic_write_text(Path(dqdir, "active.json"), json.dumps(state))


def slot_queues_on_disk(dqdir: Path, state: dict[str, Any]) -> dict[str, list[int]]:
    """DownloaderAwarePriorityQueue's state: ``{slot: priorities}`` from ``active.json`` merged with the
    per-slot folders found on disk (``<slot>-<md5 of slot>``, Scrapy's ``_path_safe``), so the slots of a
    crawl killed before it could write ``active.json`` are resumed too."""
    found: dict[str, set[int]] = {
        slot: {int(p) for p in prios if isinstance(p, int)}
        for slot, prios in state.items() if isinstance(slot, str) and isinstance(prios, list)
    }
    if dqdir.is_dir():
        for sub in dqdir.iterdir():
            slot = sub.name.rsplit("-", 1)[0]
            if not sub.is_dir():
                continue
            if _path_safe(slot) != sub.name:
                known = next((s for s in found if _path_safe(s) == sub.name), None)
                if known is None:
                    log.warning("%s: queue folder of an unknown download slot (its name cannot be read "
                                "back); its requests are found again from the start pages", sub)
                    continue
                slot = known
            found.setdefault(slot, set()).update(queues_on_disk(sub))
    return {slot: sorted(prios) for slot, prios in found.items() if prios}


def queues_on_disk(dqdir: Path) -> set[int]:
    """Priorities of the queue files in ``dqdir`` (``0``, ``-10``, ``-10s``; not SQLite's -wal/-shm)."""
    if not dqdir.is_dir():
        return set()
    return {int(m.group(1)) for p in dqdir.iterdir() if (m := _QUEUE_NAME.match(p.name))}
