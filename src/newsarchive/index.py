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

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newsarchive import history, search, similarity
from newsarchive.display import name_problem, shown
from newsarchive.records import (
    capture_problem,
    find_loose_captures,
    find_record_files,
    is_file,
    iter_record_file,
)
from normalize.record import Record

INDEX_NAME = "index.sqlite"
INDEX_SCHEMA_VERSION = 2  # PRAGMA user_version; 2: capture_length, several problems per file
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

_COLUMNS = (
    "file, position, id, url, site, title, published, source, fetched_at, text_sha256, length, "
    "capture_file, capture_offset, capture_length, capture, minhash"
)


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
        "scheme": similarity.SCHEME,
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
        cls, archive: Path, *, rebuild: bool = False, writable: bool = False
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
            return index, index.update(rebuild=rebuild)
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
            return index, index.update()

    @classmethod
    def open_read_only(cls, archive: Path, db_path: Path | None = None) -> ArchiveIndex:
        """An existing index opened read-only (``newsarchive serve``): no schema set-up, no writes."""
        self = cls.__new__(cls)
        self.archive = Path(archive)
        self.db_path = Path(db_path) if db_path else self.archive / INDEX_NAME
        self.notes, self.schema_rebuilt, self._tmp = [], False, None
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

    def update(self, *, rebuild: bool = False) -> IndexStats:
        """Bring the index up to date with the record files; see :class:`IndexStats`."""
        stats = IndexStats(notes=list(self.notes))
        if rebuild or self._params_changed():
            self._clear()
            stats.rebuilt = True
        stats.rebuilt |= self.schema_rebuilt
        walk_problems: list[str] = []
        files = self.record_files(walk_problems)
        known = {row[0]: row[1:] for row in self.db.execute("SELECT path, size, mtime_ns, sha256 FROM files")}
        current: dict[str, Path] = {}
        # a file indexed before stays a record file while it exists, even when the capture beside it that
        # made it one is gone: its records stay, and the lost capture is named (capture_problems)
        listed = set(files)
        files += [p for rel in sorted(known) if (p := self.archive / rel) not in listed and is_file(p)]
        for path in files:
            bad_name = name_problem(path)
            if bad_name:
                walk_problems.append(bad_name)
            else:
                current[self._rel(path)] = path
        with self.db:
            for rel in sorted(set(known) - set(current)):
                stats.records_removed += self._drop_file(rel)
                stats.files_deleted += 1
        for rel, path in current.items():
            stats.files_seen += 1
            try:
                self._update_file(rel, path, known.get(rel), stats)
            except OSError as exc:
                walk_problems.append(f"{shown(path)}: cannot read record file ({exc.strerror or exc}); "
                                     "check that it is readable")
        search.update(self)  # newsarchive serve's search tables (newsarchive.search), from the records above
        history.update(self)  # every capture's history (newsarchive.history) and the search states
        stats.unindexed_captures = self._count_unindexed_captures()
        stats.records_total = self.count()
        stats.problems.extend(self._stored_errors())
        stats.bad_records = len(stats.problems)
        stats.problems.extend(walk_problems)
        stats.problems.extend(self.capture_problems())
        return stats

    def _update_file(self, rel: str, path: Path, known: tuple[Any, ...] | None, stats: IndexStats) -> None:
        st = path.stat()
        if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            stats.files_unchanged += 1
            return
        digest = _sha256_file(path)
        if known and known[2] == digest:
            with self.db:
                self.db.execute(
                    "UPDATE files SET size=?, mtime_ns=? WHERE path=?", (st.st_size, st.st_mtime_ns, rel)
                )
            stats.files_same_content += 1
            return
        stats.files_read += 1
        problems: list[str] = []
        with self.db:
            stats.records_removed += self._drop_file(rel)
            added = self._insert_records(rel, iter_record_file(path, problems))
            self.db.execute(
                "INSERT INTO files (path, size, mtime_ns, sha256, records, error, indexed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (rel, st.st_size, st.st_mtime_ns, digest, added, "\n".join(problems) or None, _now()),
            )
        stats.records_added += added

    def _insert_records(self, rel: str, records: Iterator[tuple[int, Record]]) -> int:
        added = 0
        for position, rec in records:
            self.db.execute(
                f"INSERT INTO records ({_COLUMNS}) VALUES ({','.join('?' * 16)})", _row(rel, position, rec)
            )
            added += 1
        return added

    def _drop_file(self, rel: str) -> int:
        """Delete a file's rows (inside the caller's transaction); returns the records removed."""
        n = self.db.execute("DELETE FROM records WHERE file=?", (rel,)).rowcount
        self.db.execute("DELETE FROM files WHERE path=?", (rel,))
        return n

    def _params_changed(self) -> bool:
        stored = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        return stored != _params()

    def _clear(self) -> None:
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


def _row(rel: str, position: int, rec: Record) -> tuple[Any, ...]:
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
        json.dumps(capture, ensure_ascii=False, sort_keys=True),
        similarity.signature_to_blob(similarity.text_signature(rec.text)),
    )


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
