"""The capture log: every HTTP capture in the archive's WARC segments, and the records made from each.

What a CDX index is to pywb or the Wayback Machine: one row per ``response`` or ``revisit`` record under
``ARCHIVE/captures/`` (URL, WARC-Date, status, Location, Content-Type, ETag, Last-Modified, payload
digest, record id, revisit profile and what it refers to, where the record is), and one row per article
record of the JSONL segments beside them (record id, URL, the capture it was cleaned from, hashes of its
text and of its metadata, published). :mod:`newsarchive.history` classifies captures from it; the
crawler reads it to send conditional requests, to write revisit records instead of copies and to know
which articles are due for a revisit (:func:`known_urls`).

The tables live in the archive index (``index.sqlite``) beside the records, have their own layout version
(:data:`LOG_VERSION`, in ``capture_log_meta``: another version drops and rebuilds them) and, like the
rest of the index, are derived from the files only. Incremental: a file whose size and modification time
are unchanged is not opened; a changed one is read again whole (segments only grow, and a crash's torn
tail is cut off by the crawler's resume), one transaction per file, so an interrupted refresh is
completed by the next. The record files the index reads anyway get their rows from that reading
(:func:`store_records`, in the index's transaction), so :func:`refresh` finds them up to date. A damaged
WARC contributes the records before the damage and is named in :attr:`LogStats.problems`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.captures import PROFILES, SEGMENT_RE, CaptureError, Original, iter_records
from newsarchive.display import name_problem, shown
from newsarchive.records import iter_record_file, kind_of, walk_files
from normalize.record import Record

LOG_VERSION = "1"
CAPTURES_FOLDER = "captures"
METADATA_FIELDS = ("title", "kicker", "subtitle", "published", "source", "authors", "photographers", "editor")

SCHEMA = """
CREATE TABLE IF NOT EXISTS capture_log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS capture_files (
    path TEXT PRIMARY KEY,          -- relative to the archive folder
    kind TEXT NOT NULL,             -- 'warc' | 'records'
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS capture_log (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,             -- the folder under captures/ (the crawler's site name)
    crawl TEXT NOT NULL,            -- crawl id from the segment name (<crawl-id>-NNNNN.warc.gz)
    url TEXT NOT NULL,              -- WARC-Target-URI
    date TEXT NOT NULL,             -- WARC-Date
    rec_type TEXT NOT NULL,         -- 'response' | 'revisit'
    profile TEXT,                   -- revisits: 'identical-payload-digest' | 'server-not-modified'
    status INTEGER, location TEXT, content_type TEXT, etag TEXT, last_modified TEXT,
    payload_digest TEXT,            -- WARC-Payload-Digest (of the original, for a revisit)
    record_id TEXT NOT NULL,        -- WARC-Record-ID
    refers_to TEXT, refers_to_uri TEXT, refers_to_date TEXT,
    file TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL,
    UNIQUE (file, offset)
);
CREATE INDEX IF NOT EXISTS capture_log_url ON capture_log(site, url, date);
CREATE TABLE IF NOT EXISTS capture_records (
    file TEXT NOT NULL, position INTEGER NOT NULL,   -- the record file and slot (as in records)
    site TEXT NOT NULL, id TEXT NOT NULL, url TEXT,
    capture_file TEXT, capture_offset INTEGER, capture_index INTEGER,
    text_sha256 TEXT NOT NULL, meta_sha256 TEXT NOT NULL, published TEXT, title TEXT,
    length INTEGER NOT NULL,
    PRIMARY KEY (file, position)
);
CREATE INDEX IF NOT EXISTS capture_records_capture ON capture_records(capture_file, capture_offset);
CREATE INDEX IF NOT EXISTS capture_records_url ON capture_records(site, url);
"""
_TABLES = ("capture_log_meta", "capture_files", "capture_log", "capture_records")
_LOG_COLUMNS = ("site", "crawl", "url", "date", "rec_type", "profile", "status", "location", "content_type",
                "etag", "last_modified", "payload_digest", "record_id", "refers_to", "refers_to_uri",
                "refers_to_date", "file", "offset", "length")


@dataclass
class LogStats:
    """What one :func:`refresh` did."""

    files_read: int = 0
    files_dropped: int = 0
    captures: int = 0  # capture rows added
    records: int = 0  # record rows added
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.files_read or self.files_dropped)


@dataclass(frozen=True)
class Capture:
    """One row of the capture log."""

    id: int
    site: str
    crawl: str
    url: str
    date: str
    rec_type: str
    profile: str | None
    status: int | None
    location: str | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    record_id: str
    refers_to: str | None
    refers_to_uri: str | None
    refers_to_date: str | None
    file: str
    offset: int
    length: int

    @property
    def revisit(self) -> bool:
        return self.rec_type == "revisit"


def prepare(db: sqlite3.Connection) -> None:
    """Create the tables, or drop and recreate them when they are of another layout version."""
    prepare_tables(db, "capture_log_meta", LOG_VERSION, _TABLES, SCHEMA)


def prepare_tables(db: sqlite3.Connection, meta: str, version: str, tables: Sequence[str],
                   schema: str) -> None:
    """Create ``schema``'s tables, first dropping ``tables`` when the ``meta`` table records another layout
    ``version`` (the tables are derived data: the next update rebuilds them). Shared by history."""
    try:
        row = db.execute(f"SELECT value FROM {meta} WHERE key='version'").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is not None and row[0] != version:
        with db:
            for table in tables:
                db.execute(f"DROP TABLE IF EXISTS {table}")
    with db:
        db.executescript(schema)
        db.execute(f"INSERT OR REPLACE INTO {meta} VALUES ('version', ?)", (version,))


# -------------------------------------------------------------------------------------- refreshing


def refresh(db: sqlite3.Connection, archive: Path, sites: Iterable[str] | None = None) -> LogStats:
    """Bring the log up to date with ``ARCHIVE/captures/`` (only the folders of ``sites`` when given)."""
    prepare(db)
    archive = Path(archive)
    stats = LogStats()
    wanted = sorted(set(sites)) if sites is not None else None
    current = dict(_capture_files(archive, wanted, stats.problems))
    known = {row[0]: row[1:] for row in db.execute("SELECT path, size, mtime_ns FROM capture_files")}
    for rel in sorted(known):
        if rel not in current and (wanted is None or _site_of(rel) in wanted):
            with db:
                _drop(db, rel)
            stats.files_dropped += 1
    for rel, (path, kind) in current.items():
        try:
            st = path.stat()
        except OSError as exc:
            stats.problems.append(f"{shown(path)}: cannot read it ({exc.strerror or exc})")
            continue
        if known.get(rel) == (st.st_size, st.st_mtime_ns):
            continue
        with db:
            _drop(db, rel)
            if kind == "warc":
                stats.captures += _insert_captures(db, rel, path, stats.problems)
            else:
                stats.records += _insert_records(db, rel, path, stats.problems)
            db.execute("INSERT INTO capture_files VALUES (?, ?, ?, ?)",
                       (rel, kind, st.st_size, st.st_mtime_ns))
        stats.files_read += 1
    return stats


def _capture_files(archive: Path, sites: list[str] | None, problems: list[str]) -> Iterator[
        tuple[str, tuple[Path, str]]]:
    root = archive / CAPTURES_FOLDER
    roots = [root / site for site in sites] if sites is not None else [root]
    for folder in roots:
        if not folder.is_dir():
            continue
        for path in walk_files(folder, problems):
            kind = kind_of(path)
            if kind not in ("warc", "records") or name_problem(path):
                continue  # (the index names files whose names cannot be shown)
            rel = path.relative_to(archive).as_posix()
            if covers(rel):
                yield rel, (path, kind)


def _site_of(rel: str) -> str:
    """
    >>> _site_of("captures/sample/sample-portal-00000.warc.gz")
    'sample'
    """
    return rel.split("/")[1]


def _crawl_of(rel: str) -> str:
    """
    >>> _crawl_of("captures/sample/sample-portal-00003.warc.gz"), _crawl_of("captures/x/other.warc.gz")
    ('sample-portal', 'other.warc.gz')
    """
    name = rel.rsplit("/", 1)[-1]
    m = SEGMENT_RE.match(name)
    return m.group("crawl") if m else name


def _drop(db: sqlite3.Connection, rel: str) -> None:
    db.execute("DELETE FROM capture_log WHERE file=?", (rel,))
    db.execute("DELETE FROM capture_records WHERE file=?", (rel,))
    db.execute("DELETE FROM capture_files WHERE path=?", (rel,))


def _insert_captures(db: sqlite3.Connection, rel: str, path: Path, problems: list[str]) -> int:
    rows = []
    try:
        for entry in iter_records(path):
            if entry.rec_type in ("response", "revisit") and entry.record.http_headers is not None:
                rows.append(_capture_row(rel, entry))
    except CaptureError as exc:
        problems.append(str(exc))
    db.executemany(f"INSERT OR IGNORE INTO capture_log ({', '.join(_LOG_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(_LOG_COLUMNS))})", rows)
    return len(rows)


def _capture_row(rel: str, entry: Any) -> tuple[Any, ...]:
    http = entry.record.http_headers
    status = http.get_statuscode()
    return (
        _site_of(rel), _crawl_of(rel), entry.header("WARC-Target-URI"), entry.header("WARC-Date"),
        entry.rec_type, PROFILES.get(entry.header("WARC-Profile")) if entry.rec_type == "revisit" else None,
        int(status) if status and status.isdigit() else None, http.get_header("Location"),
        http.get_header("Content-Type"), http.get_header("ETag"), http.get_header("Last-Modified"),
        entry.header("WARC-Payload-Digest") or None, entry.header("WARC-Record-ID"),
        entry.header("WARC-Refers-To") or None, entry.header("WARC-Refers-To-Target-URI") or None,
        entry.header("WARC-Refers-To-Date") or None, rel, entry.offset, entry.length,
    )  # fmt: skip


def _insert_records(db: sqlite3.Connection, rel: str, path: Path, problems: list[str]) -> int:
    rows = record_rows(rel, iter_record_file(path, problems))
    db.executemany(_INSERT_RECORD_ROW, rows)
    return len(rows)


_INSERT_RECORD_ROW = f"INSERT OR REPLACE INTO capture_records VALUES ({', '.join('?' * 13)})"


def covers(rel: str) -> bool:
    """Whether the log holds this capture file (a WARC or record file under ``captures/<site>/``): the
    one rule for the files the log lists and the record files whose rows the index writes into it.

    >>> covers("captures/sample/sample-portal-00000.jsonl"), covers("seeds/001.json")
    (True, False)
    """
    return rel.startswith(CAPTURES_FOLDER + "/") and rel.count("/") >= 2


def record_rows(rel: str, records: Iterable[tuple[int, Record]]) -> list[tuple[Any, ...]]:
    """The ``capture_records`` rows of a record file's ``(position, record)`` pairs."""
    return [_record_row(rel, position, rec) for position, rec in records]


def store_records(db: sqlite3.Connection, rel: str, size: int, mtime_ns: int,
                  rows: list[tuple[Any, ...]]) -> None:
    """The rows of one record file that was read elsewhere (the index's workers read every record file
    anyway, :mod:`newsarchive.index`), inside the caller's transaction, with the size and modification
    time it was read at: :func:`refresh` reads the file again only once they change."""
    _drop(db, rel)
    db.executemany(_INSERT_RECORD_ROW, rows)
    db.execute("INSERT INTO capture_files VALUES (?, ?, ?, ?)", (rel, "records", size, mtime_ns))


def _record_row(rel: str, position: int, rec: Record) -> tuple[Any, ...]:
    capture = rec.capture or {}
    offset, index = capture.get("offset"), capture.get("index", 0)
    return (
        rel, position, _site_of(rel), rec.id, rec.url, capture.get("file"),
        offset if isinstance(offset, int) else None, index if isinstance(index, int) else 0,
        rec.text_sha256, metadata_sha256(rec), rec.published, rec.title, len(rec.text),
    )  # fmt: skip


def metadata_sha256(rec: Record) -> str:
    """SHA-256 of a record's metadata (:data:`METADATA_FIELDS`), blanks squeezed and empty values alike,
    as ``newsarchive diff`` compares them: of their JSON (``json.dumps(..., ensure_ascii=False,
    sort_keys=True)``), written here directly for the values a record holds (None, text, a list of
    texts) and by :mod:`json` for anything else.

    >>> a, b = Record(id="a", text="", title="标题 "), Record(id="b", text="x", title="标题")
    >>> metadata_sha256(a) == metadata_sha256(b)
    True
    >>> c = Record(id="c", text="", title=' "标\\\\题"\\n', authors=["张三", " "], editor=" ")
    >>> [metadata_sha256(r) == _metadata_sha256_json(r) for r in (a, c)]
    [True, True]
    """
    items = []
    for name in _METADATA_SORTED:
        value = getattr(rec, name)
        if value is None:
            items.append(f'"{name}": null')
        elif value.__class__ is str:
            value = " ".join(value.split())
            items.append(f'"{name}": {_json_string(value)}' if value else f'"{name}": null')
        elif value.__class__ is list and all(v.__class__ is str for v in value):
            squeezed = [" ".join(v.split()) for v in value]
            texts = [_json_string(v) if v else "null" for v in squeezed]
            items.append(f'"{name}": [{", ".join(texts)}]' if texts else f'"{name}": null')
        else:
            return _metadata_sha256_json(rec)
    return hashlib.sha256(("{" + ", ".join(items) + "}").encode()).hexdigest()


def _metadata_sha256_json(rec: Record) -> str:
    """:func:`metadata_sha256` by :mod:`json`, for any values."""
    values = {name: _norm(getattr(rec, name)) for name in _METADATA_SORTED}
    return hashlib.sha256(_metadata_json(values).encode()).hexdigest()


_METADATA_SORTED = tuple(sorted(METADATA_FIELDS))  # the keys in json.dumps(sort_keys=True)'s order
# one encoder, not one a call (json.dumps); sort_keys for the keys of a dict value too
_metadata_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_json_string = json.encoder.encode_basestring  # a JSON string as json.dumps(ensure_ascii=False) writes it


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, list):
        return [_norm(v) for v in value] or None
    return value


# ----------------------------------------------------------------------------------------- reading


def captures(db: sqlite3.Connection, site: str | None = None) -> list[Capture]:
    """Capture rows (of one site), by site, URL and time."""
    where, params = ("WHERE site = ?", (site,)) if site else ("", ())
    sql = (f"SELECT id, {', '.join(_LOG_COLUMNS)} FROM capture_log {where} "
           "ORDER BY site, url, date, file, offset")
    return [Capture(*row) for row in db.execute(sql, params)]


@dataclass
class KnownUrl:
    """What the archive knows about one URL of a site, for the crawler (see :func:`known_urls`)."""

    url: str
    first_date: str  # WARC-Date of its first capture
    last_date: str  # ... and of its last one
    last_status: int | None
    last_crawl: str
    article: bool = False  # some capture of it gave article records
    published: str | None = None  # earliest ``published`` of its records
    original: Original | None = None  # its last full 2xx response: what a revisit record refers to
    etag: str | None = None  # validators of its last 2xx capture (response or revisit)
    last_modified: str | None = None
    last_revisit: bool = False  # its last capture is a revisit record
    original_recorded: bool = False  # records were made from ``original`` (a page that needs none if same)

    @property
    def gone(self) -> bool:
        """Its last capture said 404 / 410 (the crawler revisits such articles less often)."""
        return self.last_status in (404, 410)


def known_urls(db: sqlite3.Connection, site: str) -> dict[str, KnownUrl]:
    """Every captured URL of ``site`` with its first and last capture, the original a revisit would refer
    to, the validators for a conditional request, and whether it is an article (has records)."""
    known: dict[str, KnownUrl] = {}
    recorded = set(db.execute("SELECT DISTINCT capture_file, capture_offset FROM capture_records "
                              "WHERE site = ?", (site,)))
    for cap in captures(db, site):
        k = known.get(cap.url)
        if k is None:
            k = known[cap.url] = KnownUrl(cap.url, cap.date, cap.date, cap.status, cap.crawl)
        k.last_date, k.last_status, k.last_crawl = cap.date, cap.status, cap.crawl
        k.last_revisit = cap.revisit
        if cap.status is not None and (200 <= cap.status < 300 or cap.revisit):
            k.etag, k.last_modified = cap.etag, cap.last_modified
            if not cap.revisit and cap.payload_digest:
                k.original = Original(cap.url, cap.date, cap.record_id, cap.payload_digest, cap.file,
                                      cap.offset)
                k.original_recorded = (cap.file, cap.offset) in recorded
    sql = "SELECT url, MIN(published) FROM capture_records WHERE site = ? GROUP BY url"
    for url, published in db.execute(sql, (site,)):
        if url in known:
            known[url].article = True
            known[url].published = published
    return known
