"""The archive index: one SQLite file (``ARCHIVE/index.sqlite``, WAL mode) describing every record.

It holds, per record: id, url, site, title, published, source, fetched_at, text hash and length, where
the record lives (record file + position in it), where its raw capture lives (``capture`` file and WARC
offset), and the MinHash signature of its clean text (:mod:`newsarchive.similarity`, stored as a
little-endian uint32 blob). The record files stay the truth: the index can be deleted and rebuilt
from them at any time (``newsarchive index --rebuild``).

Which files: the record files under ``ARCHIVE/seeds`` and ``ARCHIVE/captures`` (the archive layout);
when neither folder exists, every record file under ``ARCHIVE``.

Incremental: a file whose size and modification time (ns) are unchanged is not opened; a file whose
size or time changed is hashed (SHA-256) and read again only if its content changed; records of
deleted files are dropped. :class:`IndexStats` counts each case (a second run over an unchanged
archive reports ``files_read == 0``). A record file that cannot be read is reported with its name,
the records before the damage are kept, and the file is read again once it changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newsarchive import search, similarity
from newsarchive.records import RecordFileError, find_loose_captures, find_record_files, read_record_file
from normalize.record import Record

INDEX_NAME = "index.sqlite"
INDEX_SCHEMA_VERSION = 1
LAYOUT_FOLDERS = ("seeds", "captures")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,          -- relative to the archive folder, '/' separated
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    records INTEGER NOT NULL,
    error TEXT,                     -- why the file could not be read completely, or NULL
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
    capture_file TEXT, capture_offset INTEGER,
    capture TEXT NOT NULL,          -- the record's full capture object as JSON
    minhash BLOB NOT NULL,
    UNIQUE (file, position)
);
CREATE INDEX IF NOT EXISTS records_id ON records(id);
CREATE INDEX IF NOT EXISTS records_site ON records(site);
CREATE INDEX IF NOT EXISTS records_published ON records(published);
CREATE INDEX IF NOT EXISTS records_text ON records(text_sha256);
"""

_COLUMNS = (
    "file, position, id, url, site, title, published, source, fetched_at, text_sha256, length, "
    "capture_file, capture_offset, capture, minhash"
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
    unindexed_captures: int = 0  # raw captures with no record file beside them
    rebuilt: bool = False
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.files_seen} record files: {self.files_read} read, {self.files_unchanged} unchanged",
            f"{self.files_same_content} touched but same content" if self.files_same_content else "",
            f"{self.files_deleted} deleted" if self.files_deleted else "",
        ]
        head = ", ".join(p for p in parts if p)
        line = f"{head}; records +{self.records_added} -{self.records_removed}, {self.records_total} in index"
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
    """The SQLite index of an archive folder. Use as a context manager or call :meth:`close`."""

    def __init__(self, archive: Path, db_path: Path | None = None) -> None:
        self.archive = Path(archive)
        if not self.archive.is_dir():
            raise FileNotFoundError(
                f"{self.archive}: no such archive folder; pass the folder holding seeds/ and captures/"
            )
        self.db_path = Path(db_path) if db_path else self.archive / INDEX_NAME
        try:
            self.db = sqlite3.connect(self.db_path, timeout=30)  # wait for another writer (WAL)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise RuntimeError(_open_error(self.db_path, exc)) from exc

    @classmethod
    def open_read_only(cls, archive: Path, db_path: Path | None = None) -> ArchiveIndex:
        """An existing index opened read-only (``newsarchive serve``): no schema set-up, no writes."""
        self = cls.__new__(cls)
        self.archive = Path(archive)
        self.db_path = Path(db_path) if db_path else self.archive / INDEX_NAME
        if not self.db_path.is_file():
            raise FileNotFoundError(f"{self.db_path}: no index here; run `newsarchive index {self.archive}`")
        self.db = sqlite3.connect(f"{self.db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                                  check_same_thread=False)  # one user at a time, maybe from several threads
        return self

    def __enter__(self) -> ArchiveIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------------------------ updating

    def record_files(self) -> list[Path]:
        """The record files this index covers (see the module docstring)."""
        roots = [self.archive / f for f in LAYOUT_FOLDERS if (self.archive / f).is_dir()]
        found = [p for root in roots or [self.archive] for p in find_record_files(root)]
        return sorted(p for p in found if p.resolve() != self.db_path.resolve())

    def update(self, *, rebuild: bool = False) -> IndexStats:
        """Bring the index up to date with the record files; see :class:`IndexStats`."""
        stats = IndexStats()
        if rebuild or self._params_changed():
            self._clear()
            stats.rebuilt = True
        files = self.record_files()
        known = {row[0]: row[1:] for row in self.db.execute("SELECT path, size, mtime_ns, sha256 FROM files")}
        current = {self._rel(p): p for p in files}
        with self.db:
            for rel in sorted(set(known) - set(current)):
                stats.records_removed += self._drop_file(rel)
                stats.files_deleted += 1
        for rel, path in current.items():
            stats.files_seen += 1
            self._update_file(rel, path, known.get(rel), stats)
        search.update(self)  # newsarchive serve's search tables (newsarchive.search), from the records above
        stats.unindexed_captures = self._count_unindexed_captures()
        stats.records_total = self.count()
        stats.problems.extend(self._stored_errors())
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
        with self.db:
            stats.records_removed += self._drop_file(rel)
            added, error = self._insert_records(rel, read_record_file(path))
            self.db.execute(
                "INSERT INTO files (path, size, mtime_ns, sha256, records, error, indexed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (rel, st.st_size, st.st_mtime_ns, digest, added, error, _now()),
            )
        stats.records_added += added

    def _insert_records(self, rel: str, records: Iterator[Record]) -> tuple[int, str | None]:
        added = 0
        try:
            for position, rec in enumerate(records):
                self.db.execute(
                    f"INSERT INTO records ({_COLUMNS}) VALUES ({','.join('?' * 15)})",
                    _row(rel, position, rec),
                )
                added += 1
        except RecordFileError as exc:
            return added, f"{exc} (the {added} records before it are indexed)"
        return added, None

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
        return [
            e for (e,) in self.db.execute("SELECT error FROM files WHERE error IS NOT NULL ORDER BY path")
        ]

    def _count_unindexed_captures(self) -> int:
        roots = [self.archive / f for f in LAYOUT_FOLDERS if (self.archive / f).is_dir()] or [self.archive]
        return sum(len(find_loose_captures(root)) for root in roots)

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

    def load_records(self, rowids: Iterable[int]) -> dict[int, Record]:
        """The full records for some row ids, reading each record file once (streaming)."""
        wanted: dict[str, dict[int, int]] = {}
        for rowid, file, position in self._locations(rowids):
            wanted.setdefault(file, {})[position] = rowid
        out: dict[int, Record] = {}
        for file, positions in wanted.items():
            left = len(positions)  # per file: `out` holds the records of the files before too
            for position, rec in enumerate(read_record_file(self.archive / file)):
                if position in positions:
                    out[positions[position]] = rec
                    left -= 1
                    if not left:
                        break
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


def _open_error(db_path: Path, exc: sqlite3.DatabaseError) -> str:
    if isinstance(exc, sqlite3.OperationalError) and not os.access(db_path.parent, os.W_OK):
        return f"{db_path}: cannot create the index ({exc}): the folder {db_path.parent} is not writable"
    return (
        f"{db_path}: not a usable index ({exc}); delete it and run `newsarchive index` "
        "to rebuild it from the record files"
    )


def _row(rel: str, position: int, rec: Record) -> tuple[Any, ...]:
    capture = rec.capture or {}
    offset = capture.get("offset")
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
