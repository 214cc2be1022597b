"""The archive index: one SQLite file (``ARCHIVE/index.sqlite``, WAL mode) describing every record.

It holds, per record: id, url, site, title, published, source, fetched_at, text hash and length, where
the record lives (record file + position in it), where its raw capture lives (``capture`` file and WARC
offset), and the MinHash signature of its clean text (:mod:`newsarchive.similarity`, stored as a
little-endian uint32 blob). The record files stay the truth: the index can be deleted and rebuilt
from them at any time (``newsarchive index --rebuild``), so anything stored in it must be derived from
them. Its layout version is the database's ``PRAGMA user_version`` (:data:`INDEX_SCHEMA_VERSION`); an
index of another version is deleted and built again, never read with the wrong columns.

Reading never needs write access: when ``index.sqlite`` (or its folder) is not writable, the commands
that only read (``export``, ``diff --against``, ``dups``, ``verify``) bring a temporary copy up to
date and say so (:attr:`ArchiveIndex.notes`); a damaged index is moved aside to
``index.sqlite.damaged`` and rebuilt (or, read-only, replaced by a temporary one).

Which files: the record files under ``ARCHIVE/seeds`` and ``ARCHIVE/captures`` (the archive layout);
when neither folder exists, every record file under ``ARCHIVE``.

Incremental: a file whose size and modification time (ns) are unchanged is not opened; a file whose
size or time changed is hashed (SHA-256) and read again only if its content changed; records of
deleted files are dropped. :class:`IndexStats` counts each case (a second run over an unchanged
archive reports ``files_read == 0``). A record that cannot be read (:func:`newsarchive.records.
iter_record_file`: not JSON, not of the record schema, ...) is reported with its file and line, every
other record of the file is indexed, and the file is read again once it changes.

Each update also checks that every record's raw capture is there: the capture file exists and, for a
WARC, is long enough to hold the record's ``offset + length`` (a truncated or emptied WARC is named,
with the number of records that point into the missing part). ``newsarchive verify`` reads the WARC
records themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newsarchive import capturelog, history, similarity
from newsarchive import search as search_index
from newsarchive.display import name_problem, shown
from newsarchive.index_rows import (
    INSERT_RECORD,
    FileJob,
    FileRows,
    available_cores,
    group_jobs,
    map_in_pool,
    read_files,
    sha256_file,
)
from newsarchive.progress import Progress
from newsarchive.records import (
    capture_problem,
    find_loose_captures,
    find_record_files,
    is_file,
    iter_record_file,
)
from normalize.record import Record

INDEX_NAME = "index.sqlite"
INDEX_SCHEMA_VERSION = 3  # PRAGMA user_version; 2: capture_length, problems per file; 3: rensa signatures
PARALLEL_MIN_BYTES = 16 << 20  # record files to read from which an update uses a process pool
PARALLEL_MIN_RECORDS = 5000  # records indexed from which a first build of the search tables uses shards
COMMIT_ROWS = 20_000  # records written between commits (whole files; FTS5 flushes its terms at a commit)
LAYOUT_FOLDERS = ("seeds", "captures")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,          -- relative to the archive folder, '/' separated
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    records INTEGER NOT NULL,
    error TEXT,                     -- its problems, one per line (records that could not be read), or NULL
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    rowid INTEGER PRIMARY KEY,
    file TEXT NOT NULL REFERENCES files(path),
    position INTEGER NOT NULL,      -- 0-based index of the record in its file
    id TEXT NOT NULL,
    url TEXT, site TEXT, title TEXT, published TEXT, source TEXT, fetched_at TEXT,
    text_sha256 TEXT NOT NULL,
    length INTEGER NOT NULL,        -- characters of clean text
    capture_file TEXT, capture_offset INTEGER, capture_length INTEGER,
    capture TEXT NOT NULL,          -- the record's full capture object as JSON
    minhash BLOB NOT NULL,
    UNIQUE (file, position)
);
CREATE INDEX IF NOT EXISTS records_id ON records(id);
CREATE INDEX IF NOT EXISTS records_site ON records(site);
CREATE INDEX IF NOT EXISTS records_published ON records(published);
CREATE INDEX IF NOT EXISTS records_text ON records(text_sha256);
CREATE INDEX IF NOT EXISTS records_capture ON records(capture_file);
"""

_ROW_FIELDS = (
    "rowid", "file", "position", "id", "url", "site", "title", "published", "source", "fetched_at",
    "text_sha256", "length",
)  # fmt: skip


def _params() -> dict[str, str]:
    return {
        "index_schema_version": str(INDEX_SCHEMA_VERSION),
        "shingle_size": str(similarity.SHINGLE_SIZE),
        "num_perm": str(similarity.NUM_PERM),
        "seed": str(similarity.SEED),
        "minhash": similarity.FAMILY,
    }


@dataclass
class IndexStats:
    """What one :meth:`ArchiveIndex.update` did."""

    files_seen: int = 0
    files_unchanged: int = 0  # size and mtime unchanged: not opened
    files_same_content: int = 0  # size/mtime changed, SHA-256 unchanged: not read again
    files_read: int = 0  # new or changed: records read again
    files_deleted: int = 0
    records_added: int = 0
    records_removed: int = 0
    records_total: int = 0
    unindexed_captures: int = 0  # text/HTML captures with no record file beside them (`newsarchive clean`)
    bad_records: int = 0  # records in record files that could not be read (named in problems)
    rebuilt: bool = False
    search_added: int = 0  # records added to the search tables (`newsarchive index`: search=True)
    search_total: int | None = None  # records in the search tables, when they were brought up to date
    workers: int = 1  # processes that read the record files
    seconds: dict[str, float] = field(default_factory=dict)  # wall; CPU: read, shingle, sign, search, write
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the index did on its own (a temporary copy, ...)

    def summary(self) -> str:
        parts = [
            f"{self.files_seen} record files: {self.files_read} read, {self.files_unchanged} unchanged",
            f"{self.files_same_content} touched but same content" if self.files_same_content else "",
            f"{self.files_deleted} deleted" if self.files_deleted else "",
        ]
        head = ", ".join(p for p in parts if p)
        line = f"{head}; records +{self.records_added} -{self.records_removed}, {self.records_total} in index"
        if self.search_total is not None:
            line += f", {self.search_total} searchable"
        if self.problems:
            line += f"; {len(self.problems)} problems (listed on stderr)"
        if self.unindexed_captures:
            line += (
                f"; {self.unindexed_captures} captures have no record file yet "
                "(run `newsarchive clean` to index them)"
            )
        return ("index rebuilt: " if self.rebuilt else "") + line


@dataclass(frozen=True)
class IndexedRecord:
    """One row of the index (what is known about a record without opening its file)."""

    rowid: int
    file: str
    position: int
    id: str
    url: str | None
    site: str | None
    title: str | None
    published: str | None
    source: str | None
    fetched_at: str | None
    text_sha256: str
    length: int
    capture: dict[str, Any]


class ArchiveIndex:
    """The SQLite index of an archive folder. Use as a context manager or call :meth:`close`.

    ``writable=True`` (the ``index`` command) refuses to fall back to a temporary copy: it raises
    :class:`IndexUnavailable` saying why the index cannot be written. :attr:`notes` tells what the index
    did on its own (moved a damaged file aside, used a temporary copy, rebuilt for a new layout).
    """

    def __init__(self, archive: Path, db_path: Path | None = None, *, writable: bool = False) -> None:
        self.archive = Path(archive)
        if not self.archive.is_dir():
            raise FileNotFoundError(
                f"{shown(self.archive)}: no such archive folder; pass the folder holding seeds/ and captures/"
            )
        self.db_path = Path(db_path) if db_path else self.archive / INDEX_NAME
        self.notes: list[str] = []
        self.schema_rebuilt = False
        self._searchable = False  # the index has search tables: dropped records drop their search rows
        self._next_rowid = 1
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.db = self._open(writable)

    def _open(self, writable: bool) -> sqlite3.Connection:
        if self.db_path.exists() and not self.db_path.is_file():
            if writable:
                raise IndexUnavailable(f"{shown(self.db_path)}: is not a file but where the index goes; "
                                       "move it out of the way and run this again")
            return self._open_temporary("is not a file (move it out of the way)", copy=False)
        try:
            return self._connect(self.db_path)
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise IndexUnavailable(f"{shown(self.db_path)}: another newsarchive command is writing the "
                                       "index; wait for it to finish and run this again") from exc
            reason = f"cannot be written ({exc})"
        except sqlite3.DatabaseError as exc:
            if _can_write(self.db_path):
                return self._replace_damaged(exc)
            reason = f"is damaged ({exc}) and cannot be replaced (the archive is read-only)"
        if writable:
            raise IndexUnavailable(
                f"{shown(self.db_path)}: the index {reason}; give this user write access to "
                f"{shown(self.db_path.parent)} (the commands that only read, such as export, diff and "
                "dups, work on a read-only archive)"
            )
        return self._open_temporary(reason)

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=30)  # wait for another writer (WAL)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            if version != INDEX_SCHEMA_VERSION and tables:
                db.close()
                _remove_index(path)
                self.schema_rebuilt = True
                self.notes.append(f"{shown(path)}: was an index of layout version {version}, not "
                                  f"{INDEX_SCHEMA_VERSION}; built it again from the record files")
                return self._connect(path)
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version={INDEX_SCHEMA_VERSION}")
            db.execute("SELECT COUNT(*) FROM files").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    def _replace_damaged(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        aside = self.db_path.with_name(self.db_path.name + ".damaged")
        os.replace(self.db_path, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        self.notes.append(f"{shown(self.db_path)}: was damaged ({exc}); moved it to {aside.name} and "
                          "rebuilt the index from the record files (delete the .damaged copy when done)")
        return self._connect(self.db_path)

    def _open_temporary(self, reason: str, *, copy: bool = True) -> sqlite3.Connection:
        """A fresh index in a temporary folder (removed on :meth:`close`), starting from a copy of the
        archive's index when ``copy`` and it can be read."""
        if self._tmp is not None:
            self._tmp.cleanup()
        self._tmp = tempfile.TemporaryDirectory(prefix="newsarchive-index-")
        path = Path(self._tmp.name) / INDEX_NAME
        try:
            if not copy:
                raise FileNotFoundError(self.db_path)
            shutil.copyfile(self.db_path, path)
            if Path(f"{self.db_path}-wal").is_file():
                shutil.copyfile(f"{self.db_path}-wal", f"{path}-wal")
            db = self._connect(path)
            how = "brought a temporary copy of it up to date for this run"
        except (OSError, sqlite3.DatabaseError):
            _remove_index(path)
            db = self._connect(path)
            how = "built a temporary index from the record files for this run"
        self.notes.append(f"{shown(self.db_path)}: the index {reason}; {how} (run `newsarchive index` "
                          "where the archive is writable to keep it)")
        return db

    @classmethod
    def updated(
        cls, archive: Path, *, rebuild: bool = False, writable: bool = False, workers: int | None = None,
        progress: Progress | None = None, search: bool = False,
    ) -> tuple[ArchiveIndex, IndexStats]:
        """Open the index of ``archive`` and bring it up to date: what every command does first.

        ``rebuild`` deletes the index file first (it is derived from the record files). Damage that
        SQLite finds only while updating ("database disk image is malformed") is handled like damage
        found on opening: the file is moved aside (or, read-only, a temporary index is used) and the
        update runs again, once.
        """
        db_path = Path(archive) / INDEX_NAME
        if rebuild and _can_write(db_path):
            _remove_index(db_path)
        index = cls(archive, writable=writable)
        try:
            return index, index.update(rebuild=rebuild, workers=workers, progress=progress, search=search)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and _is_locked(exc):
                index.close()
                raise IndexUnavailable(f"{shown(db_path)}: another newsarchive command is writing the "
                                       "index; wait for it to finish and run this again") from exc
            index.db.close()
            if index._tmp is None and _can_write(db_path):
                index.db = index._replace_damaged(exc)
            elif writable:
                index.close()
                raise IndexUnavailable(f"{shown(db_path)}: the index is damaged ({exc}) and cannot be "
                                       "replaced; give this user write access to its folder") from exc
            else:
                index.db = index._open_temporary(f"is damaged ({exc})", copy=False)
            return index, index.update(workers=workers, progress=progress, search=search)

    @classmethod
    def open_read_only(cls, archive: Path, db_path: Path | None = None) -> ArchiveIndex:
        """An existing index opened read-only (``newsarchive serve``): no schema set-up, no writes."""
        self = cls.__new__(cls)
        self.archive = Path(archive)
        self.db_path = Path(db_path) if db_path else self.archive / INDEX_NAME
        self.notes, self.schema_rebuilt, self._tmp = [], False, None
        self._searchable, self._next_rowid = False, 1
        fix = f"run `newsarchive index {shown(self.archive)}`"
        if not self.db_path.is_file():
            raise FileNotFoundError(f"{shown(self.db_path)}: no index here; {fix}")
        try:
            try:
                version = self._connect_read_only("mode=ro")
            except sqlite3.OperationalError:
                if _can_write(self.db_path):
                    raise
                # a WAL index in a read-only folder cannot get its -shm file; nobody can be writing it
                version = self._connect_read_only("mode=ro&immutable=1")
        except sqlite3.DatabaseError as exc:
            raise IndexUnavailable(f"{shown(self.db_path)}: not a usable index ({exc}); {fix}") from exc
        if version != INDEX_SCHEMA_VERSION:
            self.db.close()
            raise IndexUnavailable(f"{shown(self.db_path)}: an index of layout version {version}, not "
                                   f"{INDEX_SCHEMA_VERSION}; {fix} to build it again")
        return self

    def _connect_read_only(self, flags: str) -> int:
        """Open :attr:`db` read-only with URI ``flags``; returns the layout version (``user_version``)."""
        self.db = sqlite3.connect(f"{self.db_path.resolve().as_uri()}?{flags}", uri=True, timeout=30,
                                  check_same_thread=False)  # one user at a time, maybe from several threads
        try:
            return int(self.db.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError:
            self.db.close()
            raise

    def __enter__(self) -> ArchiveIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # ------------------------------------------------------------------------------------ updating

    def record_files(self, problems: list[str] | None = None) -> list[Path]:
        """The record files this index covers (see the module docstring); folders that cannot be listed
        are appended to ``problems``."""
        roots = [self.archive / f for f in LAYOUT_FOLDERS if (self.archive / f).is_dir()]
        found = [p for root in roots or [self.archive] for p in find_record_files(root, problems)]
        return sorted(p for p in found if p.resolve() != self.db_path.resolve())

    def update(
        self, *, rebuild: bool = False, workers: int | None = None, progress: Progress | None = None,
        search: bool = False,
    ) -> IndexStats:
        """Bring the index up to date with the record files; see :class:`IndexStats`.

        ``workers``: processes that read, check, shingle and sign the record files. ``None`` (the
        default) uses every available core when at least :data:`PARALLEL_MIN_BYTES` are to be read (a
        first index, a large crawl) and this process alone otherwise (a small update starts at once);
        1 never starts a pool. ``progress`` is told the bytes to read and each batch written.

        ``search``: also bring ``newsarchive serve``'s search tables (:mod:`newsarchive.search`) up to
        date: what ``newsarchive index`` does; the other commands leave them, only dropping the search
        rows of the records they drop. The search rows of the files read are made by the same workers,
        from the same reading, and written in the same transactions as the records; in a first build
        (empty search tables) their FTS5 tokens come after the records, one shard per core built in
        parallel (:func:`newsarchive.search.end_bulk`; ``seconds["fts"]`` is its CPU).
        """
        stats = IndexStats(notes=list(self.notes))
        if search:
            prepared = search_index.prepare(self.db)
            if prepared.note:
                stats.notes.append(f"{shown(self.db_path)}: {prepared.note}")
        self._searchable = search or search_index.present(self.db)
        if rebuild or self._params_changed():
            self._clear()
            stats.rebuilt = True
        stats.rebuilt |= self.schema_rebuilt
        walk_problems: list[str] = []
        known = {row[0]: row[1:] for row in self.db.execute("SELECT path, size, mtime_ns, sha256 FROM files")}
        current = self._current_files(known, walk_problems)
        with self.db:
            for rel in sorted(set(known) - set(current)):
                stats.records_removed += self._drop_file(rel)
                stats.files_deleted += 1
        jobs = []
        for rel, path in current.items():
            stats.files_seen += 1
            try:
                job = self._job(rel, path, known.get(rel), stats)
            except OSError as exc:
                walk_problems.append(f"{shown(path)}: cannot read record file ({exc.strerror or exc}); "
                                     "check that it is readable")
                continue
            if job is not None:
                jobs.append(job)
        if jobs:
            capturelog.prepare(self.db)  # its tables, which the files read now fill (history reads the log)
        cores = workers or (available_cores() if search and self._large(jobs) else 1)
        bulk = search and search_index.start_bulk(self.db, cores)  # cores: FTS5 shards of a first build
        self._read([replace(job, search=search, tokens=not bulk) for job in jobs], stats, walk_problems,
                   workers, progress)
        if search:
            self._read([replace(job, tokens=not bulk) for job in self._search_jobs()], stats, walk_problems,
                       workers, progress)
            if bulk:
                clock, start = time.process_time(), time.perf_counter()
                _add_seconds(stats.seconds, "fts", self._end_bulk(cores, jobs, progress))
                _add_seconds(stats.seconds, "optimize", time.process_time() - clock)
                _add_seconds(stats.seconds, "fts_wall", time.perf_counter() - start)
            stats.search_total = search_index.count(self.db)
        clock = time.process_time()
        history.update(self)  # every capture's history (newsarchive.history) and the search states
        _add_seconds(stats.seconds, "history", time.process_time() - clock)
        stats.unindexed_captures = self._count_unindexed_captures()
        stats.records_total = self.count()
        stats.problems.extend(self._stored_errors())
        stats.bad_records = len(stats.problems)
        stats.problems.extend(walk_problems)
        stats.problems.extend(self.capture_problems())
        return stats

    def _end_bulk(self, cores: int, jobs: list[FileJob], progress: Progress | None) -> float:
        """The FTS5 shards of a first build (:func:`newsarchive.search.end_bulk`), shown as a second pass
        over the bytes read, one step a shard."""
        total = sum(job.size for job in jobs) or 1
        if progress is None:
            return search_index.end_bulk(self.db, cores)
        shown_progress = progress

        def on_shard(done: int, shards: int) -> None:
            shown_progress.update(total * done // shards, f"search index: {done} of {shards} shards built")

        progress.start(total)
        progress.update(0, "search index")
        try:
            return search_index.end_bulk(self.db, cores, on_shard)
        finally:
            progress.close()

    def _large(self, jobs: list[FileJob]) -> bool:
        """Whether a first build of the search tables is worth a process per shard: much to read now, or
        many records to read again for their search rows (indexed by another command first)."""
        return sum(job.size for job in jobs) >= PARALLEL_MIN_BYTES or self.count() >= PARALLEL_MIN_RECORDS

    def _current_files(self, known: dict[str, Any], walk_problems: list[str]) -> dict[str, Path]:
        """The record files to index now, by relative path; names that cannot be shown are problems."""
        files = self.record_files(walk_problems)
        # a file indexed before stays a record file while it exists, even when the capture beside it that
        # made it one is gone: its records stay, and the lost capture is named (capture_problems)
        listed = set(files)
        files += [p for rel in sorted(known) if (p := self.archive / rel) not in listed and is_file(p)]
        current: dict[str, Path] = {}
        for path in files:
            bad_name = name_problem(path)
            if bad_name:
                walk_problems.append(bad_name)
            else:
                current[self._rel(path)] = path
        return current

    def _job(self, rel: str, path: Path, known: tuple[Any, ...] | None, stats: IndexStats) -> FileJob | None:
        """The file to read again, or None when it is unchanged (same size and mtime: not opened; or the
        same SHA-256: only its new mtime is stored)."""
        st = path.stat()
        if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            stats.files_unchanged += 1
            return None
        digest = sha256_file(path) if known else None
        if known and known[2] == digest:
            with self.db:
                self.db.execute(
                    "UPDATE files SET size=?, mtime_ns=? WHERE path=?", (st.st_size, st.st_mtime_ns, rel)
                )
            stats.files_same_content += 1
            return None
        return FileJob(rel, path, st.st_size, st.st_mtime_ns, digest)

    def _read(self, jobs: list[FileJob], stats: IndexStats, walk_problems: list[str],
              workers: int | None, progress: Progress | None) -> None:
        """Read the jobs (in a pool when large) and write what they give, in file order, committing
        whole files at least every :data:`COMMIT_ROWS` records (a crash loses no more than that)."""
        if not jobs:
            return
        total = sum(job.size for job in jobs)
        if workers is None:
            workers = available_cores() if total >= PARALLEL_MIN_BYTES else 1
        groups = group_jobs(jobs, workers)
        stats.workers = max(stats.workers, min(workers, len(groups)))
        start, done, pending = time.perf_counter(), 0, 0
        self._next_rowid = self._first_free_rowid()
        deferred = self._defer_indexes() if total >= PARALLEL_MIN_BYTES else []
        if progress is not None:
            progress.start(total)
        try:
            for batch in map_in_pool(read_files, groups, workers, stats.notes, "groups of record files"):
                clock = time.process_time()
                for file_rows in batch:
                    pending += self._write_file(file_rows, stats, walk_problems)
                if pending >= COMMIT_ROWS:
                    self._commit(stats)
                    pending = 0
                _add_seconds(stats.seconds, "write", time.process_time() - clock)
                done += sum(f.job.size for f in batch)
                if progress is not None:
                    progress.update(done, f"{stats.records_added:,} records")
            clock = time.process_time()
            self._commit(stats)
            self._create_indexes(deferred)
            _add_seconds(stats.seconds, "write", time.process_time() - clock)
        except BaseException:
            self.db.rollback()
            raise
        finally:
            if progress is not None:
                progress.close()
        _add_seconds(stats.seconds, "wall", time.perf_counter() - start)

    def _defer_indexes(self) -> list[str]:
        """For a large first build (no records yet): drop the secondary indexes of the tables it fills
        (``records``, ``capture_records``) and return their statements, to be run again by
        :meth:`_create_indexes` after the last rows: one sort per index instead of a B-tree insert per
        row (a quarter of the writer's CPU). Nothing (``[]``) when the tables hold records already.

        A build killed before the end leaves them missing, never wrong: the next opening of the index
        (:data:`_SCHEMA`) and the next update (:func:`newsarchive.capturelog.prepare`) make them again.
        """
        if self.db.execute("SELECT EXISTS (SELECT 1 FROM records)").fetchone()[0]:
            return []
        dropped = self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            "AND tbl_name IN ('records', 'capture_records')").fetchall()  # fmt: skip
        with self.db:
            for name, _ in dropped:
                self.db.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in dropped]

    def _create_indexes(self, statements: list[str]) -> None:
        """The indexes :meth:`_defer_indexes` dropped, made again from their own statements."""
        with self.db:
            for sql in statements:
                self.db.execute(sql)

    def _commit(self, stats: IndexStats) -> None:
        """Commit (timed apart: FTS5 writes the terms it holds at a commit)."""
        clock = time.process_time()
        self.db.commit()
        _add_seconds(stats.seconds, "commit", time.process_time() - clock)

    def _write_file(self, file_rows: FileRows, stats: IndexStats, walk_problems: list[str]) -> int:
        """Write what reading one file gave (inside the caller's transaction); returns the rows written."""
        for stage, seconds in file_rows.seconds.items():
            _add_seconds(stats.seconds, stage, seconds)
        if file_rows.unreadable:
            walk_problems.append(file_rows.unreadable)
            return 0
        if not file_rows.job.rows:
            return self._write_search_rows(file_rows, stats)
        job = file_rows.job
        stats.files_read += 1
        stats.records_removed += self._drop_file(job.rel)
        rowids = range(self._next_rowid, self._next_rowid + len(file_rows.rows))
        self._next_rowid += len(rowids)
        self.db.executemany(INSERT_RECORD, [(r, *row) for r, row in zip(rowids, file_rows.rows, strict=True)])
        self.db.execute(
            "INSERT INTO files (path, size, mtime_ns, sha256, records, error, indexed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (job.rel, job.size, job.mtime_ns, file_rows.sha256, len(file_rows.rows),
             "\n".join(file_rows.problems) or None, _now()),
        )
        stats.records_added += len(file_rows.rows)
        if capturelog.covers(job.rel):  # the capture log's rows of the file, from the same reading
            capturelog.store_records(self.db, job.rel, job.size, job.mtime_ns, file_rows.capture)
        if job.search:
            clock = time.process_time()
            rows = zip(rowids, file_rows.positions, file_rows.search, strict=True)
            stats.search_added += search_index.insert_rows(
                self.db, [(r, job.rel, pos, file_rows.sha256, payload) for r, pos, payload in rows]
            )
            _add_seconds(stats.seconds, "write_search", time.process_time() - clock)
        return len(rowids)

    def _search_jobs(self) -> list[FileJob]:
        """The record files whose records lack search rows (indexed by another command): read again."""
        jobs = []
        for rel in search_index.missing(self.db):
            path = self.archive / rel
            try:
                st = path.stat()
            except OSError:
                continue  # gone since: the next update drops its records
            jobs.append(FileJob(rel, path, st.st_size, st.st_mtime_ns, rows=False, search=True))
        return jobs

    def _write_search_rows(self, file_rows: FileRows, stats: IndexStats) -> int:
        """Search rows for the records of a file read again for them, when it is still the file indexed."""
        rel = file_rows.job.rel
        indexed = self.db.execute("SELECT sha256 FROM files WHERE path=?", (rel,)).fetchone()
        if indexed is None or indexed[0] != file_rows.sha256:
            return 0  # changed since it was indexed: the next `newsarchive index` reads it again
        lacking = dict(self.db.execute(
            "SELECT r.position, r.rowid FROM records r LEFT JOIN search_docs d ON d.rowid = r.rowid "
            "WHERE r.file=? AND d.rowid IS NULL", (rel,)))  # fmt: skip
        rows = [(lacking[pos], rel, pos, file_rows.sha256, payload)
                for pos, payload in zip(file_rows.positions, file_rows.search, strict=True) if pos in lacking]
        clock = time.process_time()
        stats.search_added += search_index.insert_rows(self.db, rows)
        _add_seconds(stats.seconds, "write_search", time.process_time() - clock)
        return len(rows)

    def _first_free_rowid(self) -> int:
        """Above every record and every search row: a new record never takes a stale search row's id."""
        free = int(self.db.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM records").fetchone()[0])
        return max(free, search_index.next_rowid(self.db)) if self._searchable else free

    def _drop_file(self, rel: str) -> int:
        """Delete a file's rows and their search rows (inside the caller's transaction); returns the
        records removed."""
        if self._searchable:
            search_index.delete_file(self.db, rel)
        n = self.db.execute("DELETE FROM records WHERE file=?", (rel,)).rowcount
        self.db.execute("DELETE FROM files WHERE path=?", (rel,))
        return n

    def _params_changed(self) -> bool:
        stored = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        return stored != _params()

    def _clear(self) -> None:
        if self._searchable:
            search_index.clear(self.db)
        with self.db:
            self.db.execute("DELETE FROM records")
            self.db.execute("DELETE FROM files")
            self.db.execute("DELETE FROM meta")
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", _params().items())

    def _stored_errors(self) -> list[str]:
        rows = self.db.execute("SELECT error FROM files WHERE error IS NOT NULL ORDER BY path")
        return [line for (error,) in rows for line in error.split("\n")]

    def _count_unindexed_captures(self) -> int:
        roots = [self.archive / f for f in LAYOUT_FOLDERS if (self.archive / f).is_dir()] or [self.archive]
        return sum(len(find_loose_captures(root)) for root in roots)

    def capture_problems(self) -> list[str]:
        """Raw captures that are missing or too short for the records pointing into them (one stat per
        capture file; see :func:`newsarchive.records.capture_problem`)."""
        sql = (
            "SELECT capture_file, COUNT(*), MAX(CASE WHEN capture_offset IS NULL THEN 0 "
            "ELSE capture_offset + COALESCE(capture_length, 1) END), MIN(file) FROM records "
            "WHERE capture_file IS NOT NULL GROUP BY capture_file ORDER BY capture_file"
        )
        out = []
        for capture_file, count, end, example in self.db.execute(sql):
            problem = capture_problem(self.archive, capture_file, count, end, example)
            if problem:
                out.append(problem)
        return out

    def _rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.archive.resolve()).as_posix()

    # ------------------------------------------------------------------------------------- reading

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def rows(self, where: str = "", params: Iterable[Any] = ()) -> Iterator[IndexedRecord]:
        """Index rows in archive order (file, position), optionally filtered by an SQL ``where``."""
        sql = (
            "SELECT rowid, file, position, id, url, site, title, published, source, fetched_at, "
            f"text_sha256, length, capture FROM records {'WHERE ' + where if where else ''} "
            "ORDER BY file, position"
        )
        for row in self.db.execute(sql, tuple(params)):
            yield IndexedRecord(**dict(zip(_ROW_FIELDS, row[:12], strict=True)), capture=json.loads(row[12]))

    def signatures(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
        """Row ids and the (n, NUM_PERM) matrix of MinHash signatures of all records."""
        ids: list[int] = []
        blobs: list[bytes] = []
        for rowid, blob in self.db.execute("SELECT rowid, minhash FROM records ORDER BY rowid"):
            ids.append(rowid)
            blobs.append(blob)
        sigs = np.frombuffer(b"".join(blobs), dtype="<u4").astype(np.uint32).reshape(-1, similarity.NUM_PERM)
        return np.asarray(ids, dtype=np.int64), sigs

    def load_records(self, rowids: Iterable[int], problems: list[str] | None = None) -> dict[int, Record]:
        """The full records for some row ids, reading each record file once (streaming). A record whose
        file changed or went bad since it was indexed is left out and named in ``problems``."""
        wanted: dict[str, dict[int, int]] = {}
        for rowid, file, position in self._locations(rowids):
            wanted.setdefault(file, {})[position] = rowid
        out: dict[int, Record] = {}
        for file, positions in wanted.items():
            found = 0
            file_problems: list[str] = []
            for position, rec in iter_record_file(self.archive / file, file_problems):
                if position in positions:
                    out[positions[position]] = rec
                    found += 1
                    if found == len(positions):
                        break
            if found < len(positions) and problems is not None:
                problems.append(f"{shown(self.archive / file)}: {len(positions) - found} indexed records "
                                "could not be read again (the file changed or was damaged since it was "
                                "indexed); run `newsarchive index` and then this command again")
        return out

    def _locations(self, rowids: Iterable[int]) -> list[tuple[int, str, int]]:
        ids = list(rowids)
        found: list[tuple[int, str, int]] = []
        for start in range(0, len(ids), 900):  # SQLite's limit on host parameters
            chunk = ids[start : start + 900]
            found.extend(
                self.db.execute(
                    "SELECT rowid, file, position FROM records "
                    f"WHERE rowid IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        return found


class IndexUnavailable(RuntimeError):
    """The index cannot be opened for what was asked (locked by a writer, or not writable for
    ``newsarchive index``); the message says what to do."""


# What opening or updating an index can raise, each with a message that says what to do: a command
# prints it and exits non-zero.
INDEX_ERRORS = (FileNotFoundError, IndexUnavailable, RuntimeError, sqlite3.DatabaseError)


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _can_write(db_path: Path) -> bool:
    """Whether the index file (or, when it does not exist yet, its folder) can be replaced."""
    return os.access(db_path.parent, os.W_OK) and (not db_path.exists() or os.access(db_path, os.W_OK))


def _remove_index(path: Path) -> None:
    """Delete an index file and its WAL files (only files: a folder in its place is left alone)."""
    for name in (str(path), f"{path}-wal", f"{path}-shm"):
        if Path(name).is_file():
            Path(name).unlink()


def _add_seconds(seconds: dict[str, float], stage: str, value: float) -> None:
    seconds[stage] = seconds.get(stage, 0.0) + value


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
