"""JOBDIR request queues that survive a SIGKILL at any moment: one SQLite file per priority.

Scrapy's default disk queues (queuelib's LifoDiskQueue / FifoDiskQueue) write through a user-space
buffer and keep their size and read position in a header / ``info.json`` written only on a clean close.
Killed before that, a queue file can be left with 0 bytes, and every later run fails on it
(``struct.error: unpack requires a buffer of 4 bytes``) and records nothing. Here every push and pop is
one SQLite transaction (WAL journal, ``synchronous=NORMAL``): a killed process loses no committed push or
pop, and a power cut loses at most the last ones, never the file. A queue file SQLite cannot open
(disk damage) is moved aside as ``<name>.damaged`` with a warning and the queue starts empty: the portal
spider finds its requests again from the start pages (crawler.spiders.portal).

Requests are stored as ``Request.to_dict()``, pickled (what Scrapy's Pickle*DiskQueue stores).

Settings (crawler/settings.py): SCHEDULER_DISK_QUEUE = "crawler.diskqueue.LifoSQLiteQueue",
SCHEDULER_START_DISK_QUEUE = "crawler.diskqueue.FifoSQLiteQueue".
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.request import request_from_dict

log = logging.getLogger(__name__)


class _SQLiteRequestQueue:
    ORDER = "ASC"

    def __init__(self, crawler: Crawler, key: str) -> None:
        self.spider = crawler.spider
        self.path = Path(key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()
        self.size = int(self.db.execute("SELECT COUNT(*) FROM queue").fetchone()[0])

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str, *args: Any, **kwargs: Any) -> _SQLiteRequestQueue:
        return cls(crawler, key)

    def _open(self) -> sqlite3.Connection:
        try:
            return _connect(self.path)
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(self.path.name + ".damaged")
            log.warning("JOBDIR queue %s cannot be read (%s); moved to %s, the requests in it are found "
                        "again from the start pages", self.path, exc, aside)
            self.path.replace(aside)
            return _connect(self.path)

    def push(self, request: Request) -> None:
        try:
            data = pickle.dumps(request.to_dict(spider=self.spider), protocol=4)
        except (pickle.PicklingError, AttributeError, TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from exc  # the scheduler keeps it in memory instead
        with self.db:
            self.db.execute("INSERT INTO queue (item) VALUES (?)", (data,))
        self.size += 1

    def pop(self) -> Request | None:
        with self.db:
            row = self.db.execute(f"SELECT id, item FROM queue ORDER BY id {self.ORDER} LIMIT 1").fetchone()
            if row is None:
                self.size = 0
                return None
            self.db.execute("DELETE FROM queue WHERE id = ?", (row[0],))
        self.size -= 1
        return request_from_dict(pickle.loads(row[1]), spider=self.spider)

    def peek(self) -> Request | None:
        row = self.db.execute(f"SELECT item FROM queue ORDER BY id {self.ORDER} LIMIT 1").fetchone()
        return request_from_dict(pickle.loads(row[0]), spider=self.spider) if row else None

    def close(self) -> None:
        self.db.close()
        if not self.size:
            for suffix in ("", "-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)

    def __len__(self) -> int:
        return self.size


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT, item BLOB)")
    db.execute("SELECT COUNT(*) FROM queue").fetchone()  # reads the file: a damaged one fails here
    return db


class LifoSQLiteQueue(_SQLiteRequestQueue):
    """Last in, first out (Scrapy's default order for a crawl's queue: depth first)."""

    ORDER = "DESC"


class FifoSQLiteQueue(_SQLiteRequestQueue):
    """First in, first out (start requests in the order the spider gives them)."""

    ORDER = "ASC"
