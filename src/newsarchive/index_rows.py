"""Index rows from record files: each file read and checked, its texts shingled and signed in batches,
in this process or, for a large first index, in a pool of worker processes (:func:`map_in_pool`).

The worker side is pure: :func:`read_files` turns a group of record files into :class:`FileRows`
(the rows of the ``records`` table, the file's SHA-256 and its problems) and writes nothing; the
process that owns the index writes them (:mod:`newsarchive.index`), whole files committed about every
``COMMIT_ROWS`` records, in the order of the files, so a parallel build gives the same index, row
ids included, as a serial one.

Workers come from multiprocessing's fork server, which preloads only this module: nothing of the
parent's state (threads, rensa's thread pool, the open database) is inherited. Each worker still imports
the caller's main script as ``__mp_main__`` (multiprocessing's own rule, fork server or spawn alike), so
a script that indexes a large archive needs the ``if __name__ == "__main__"`` guard; without it the
workers fail to start and the groups are read in the one process (a note says so).
Workers ignore Ctrl-C (the parent stops them) and run rensa single-threaded (the pool already uses the
cores). A pool that breaks (a worker killed) is not fatal: the groups it did not finish are read in
this process, and a note says so.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from newsarchive import capturelog, search, similarity
from newsarchive.display import shown
from newsarchive.records import iter_record_file
from newsarchive.workers import exit_with_parent
from normalize.record import Record

COLUMNS = (
    "rowid", "file", "position", "id", "url", "site", "title", "published", "source", "fetched_at",
    "text_sha256", "length", "capture_file", "capture_offset", "capture_length", "capture", "minhash",
)  # fmt: skip
INSERT_RECORD = f"INSERT INTO records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
T = TypeVar("T")
R = TypeVar("R")
GROUP_BYTES = 4 << 20  # record files go to a worker in groups of about this many bytes
SIGN_BATCH = 1000  # records shingled and signed per call
_capture_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # json.dumps, one encoder


@dataclass(frozen=True)
class FileJob:
    """A record file to read: where, its stat when listed, its SHA-256 when already known, and what to
    make of its records: index rows, search rows (:func:`newsarchive.search.payloads`), or both."""

    rel: str  # relative to the archive, '/' separated
    path: Path
    size: int
    mtime_ns: int
    sha256: str | None = None  # None: the reader hashes it
    rows: bool = True
    search: bool = False
    tokens: bool = True  # the search rows' FTS5 tokens too (not in a first build: search.end_bulk makes them)


@dataclass
class FileRows:
    """What reading one record file gave: its rows (in file order), problems, or why it could not be
    read at all (``unreadable``: nothing of it is written, it is tried again on the next run)."""

    job: FileJob
    sha256: str = ""
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # COLUMNS but the rowid
    positions: list[int] = field(default_factory=list)  # of the records read, in file order
    search: list[tuple[Any, ...]] = field(default_factory=list)  # their search payloads, when asked for
    capture: list[tuple[Any, ...]] = field(default_factory=list)  # capture-log rows (newsarchive.capturelog)
    problems: list[str] = field(default_factory=list)
    unreadable: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # CPU by stage: read, shingle, sign, search


def group_jobs(jobs: Sequence[FileJob], workers: int = 1) -> list[list[FileJob]]:
    """Consecutive jobs in groups of at least a target size (a larger file alone), order kept. The
    target is :data:`GROUP_BYTES`, smaller when that would leave a worker idle: about four groups per
    worker, so that the last groups finish close together.

    >>> sizes = [1, 1, 5, 1, 1, 1]
    >>> [len(g) for g in group_jobs([FileJob(str(i), Path(str(i)), s, 0) for i, s in enumerate(sizes)], 1)]
    [6]
    >>> [len(g) for g in group_jobs([FileJob(str(i), Path(str(i)), s, 0) for i, s in enumerate(sizes)], 2)]
    [1, 1, 1, 1, 1, 1]
    """
    total = sum(job.size for job in jobs)
    target = GROUP_BYTES if workers <= 1 else max(1, min(GROUP_BYTES, total // (4 * workers)))
    groups: list[list[FileJob]] = []
    size = target
    for job in jobs:
        if size >= target:
            groups.append([])
            size = 0
        groups[-1].append(job)
        size += job.size
    return groups


def read_files(jobs: Sequence[FileJob]) -> list[FileRows]:
    """Read, check, shingle and sign a group of record files (what a worker does)."""
    return [read_file(job) for job in jobs]


def read_file(job: FileJob) -> FileRows:
    """The rows of one record file; bad records are in ``problems``, an unreadable file in ``unreadable``."""
    out = FileRows(job)
    clock = time.process_time()
    try:
        out.sha256 = job.sha256 or sha256_file(job.path)
    except OSError as exc:
        out.unreadable = (f"{shown(job.path)}: cannot read record file ({exc.strerror or exc}); "
                          "check that it is readable")
        return out
    out.seconds["read"] = time.process_time() - clock
    records = iter_record_file(job.path, out.problems)
    while True:  # streaming: one batch of records in memory at a time
        clock = time.process_time()
        batch = list(islice(records, SIGN_BATCH))
        out.seconds["read"] += time.process_time() - clock
        if not batch:
            return out
        out.positions.extend(pos for pos, _ in batch)
        if job.rows:
            blobs = _signature_blobs([rec.text for _, rec in batch], out.seconds)
            out.rows.extend(row(job.rel, pos, rec, b) for (pos, rec), b in zip(batch, blobs, strict=True))
            if capturelog.covers(job.rel):  # from this reading, so that history need not read it again
                clock = time.process_time()
                out.capture.extend(capturelog.record_rows(job.rel, batch))
                out.seconds["read"] += time.process_time() - clock
        if job.search:
            clock = time.process_time()
            out.search.extend(search.payloads([rec for _, rec in batch], tokens=job.tokens))
            out.seconds["search"] = out.seconds.get("search", 0.0) + time.process_time() - clock


def _signature_blobs(texts: list[str], seconds: dict[str, float]) -> list[bytes]:
    clock = time.process_time()
    flat, offsets = similarity.shingle_batch(texts)
    mid = time.process_time()
    blobs = similarity.flat_signature_blobs(flat, offsets)
    end = time.process_time()
    seconds["shingle"] = seconds.get("shingle", 0.0) + mid - clock
    seconds["sign"] = seconds.get("sign", 0.0) + end - mid
    return blobs


def row(rel: str, position: int, rec: Record, minhash: bytes) -> tuple[Any, ...]:
    """The ``records`` row of one record (:data:`COLUMNS` but the rowid, which the writer gives)."""
    capture = rec.capture or {}
    offset, length = capture.get("offset"), capture.get("length")
    return (
        rel,
        position,
        rec.id,
        rec.url,
        rec.site,
        rec.title,
        rec.published,
        rec.source,
        rec.fetched_at,
        rec.text_sha256,
        len(rec.text),
        capture.get("file"),
        offset if isinstance(offset, int) else None,
        length if isinstance(length, int) else None,
        _capture_json(capture),
        minhash,
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, so a ``taskset`` or container limit counts)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_in_pool(func: Callable[[T], R], items: Sequence[T], workers: int, notes: list[str] | None = None,
                what: str = "tasks") -> Iterator[R]:
    """``map(func, items)``, results in order: in a pool of ``workers`` processes when more than one (at
    most ``2 * workers`` items in flight, so memory stays bounded), else in this process. ``func`` must be
    importable by the workers (a module-level function). When the pool breaks (a worker killed), the
    items without a result are done in this process and ``notes`` (when given) says so, naming them as
    ``what`` (:func:`read_files` of the index's groups, the FTS5 shards of a first search build)."""
    if workers <= 1 or len(items) <= 1:
        yield from map(func, items)
        return
    done = 0
    try:
        for result in _pool_map(func, items, min(workers, len(items))):
            done += 1
            yield result
    except BrokenProcessPool as exc:
        if notes is not None:
            notes.append(f"the index's worker processes stopped ({exc or 'killed'}); did the remaining "
                         f"{len(items) - done} {what} in one process")
        yield from map(func, items[done:])


def _pool_map(func: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_init_worker)
    try:
        pending: deque[Future[R]] = deque()
        todo = iter(items)
        for item in islice(todo, 2 * workers):
            pending.append(pool.submit(func, item))
        while pending:
            result = pending.popleft().result()
            for item in islice(todo, 1):  # the next item, if any, in the freed slot
                pending.append(pool.submit(func, item))
            yield result
    except BaseException:  # Ctrl-C, an error while writing, a broken pool: the results in flight are lost
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])  # instead of the default ["__main__"]: see the module docstring
    return ctx


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which shuts the pool down
    gc.freeze()  # the modules' objects, which live as long as the worker: out of every later collection
    os.environ["RAYON_NUM_THREADS"] = "1"  # rensa's thread pool: one thread per worker process
    exit_with_parent()  # after a SIGKILL of the index process, no worker lives on
