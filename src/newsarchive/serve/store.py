"""Read-only access to one archive for the web app: search, records, versions, reposts, raw captures.

Every request opens its own read-only connection to the index (:meth:`ArchiveIndex.open_read_only`), so
the app never writes and always sees what the last ``newsarchive index`` committed. The LSH table of the
MinHash signatures (for versions and reposts) is built on first use and rebuilt when the index changes.

Versions and reposts of a record (:meth:`Session.related`): candidates are the records with the same id
and the LSH candidates at :data:`VERSION_MIN_SIMILARITY` (at most :data:`MAX_CANDIDATES`); each gets the
exact Jaccard of character shingles (:mod:`newsarchive.similarity`).

- a *version* is another capture of the same article: the same record id (the crawler's ids come from
  the URL and the article's place on the page), or a text at least :data:`VERSION_MIN_SIMILARITY`
  similar under the same URL or where one side has no URL (a seed capture: ``newsarchive diff`` matches
  seeds to crawls by content the same way). Versions are
  ordered by capture time, and each is compared with the one before (:func:`newsarchive.diff.compare`);
- a *repost* (near-duplicate) is a record under another URL at least :data:`REPOST_MIN_SIMILARITY`
  similar (``newsarchive dups``'s threshold), identical texts included.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from newsarchive import diff, similarity
from newsarchive.captures import CaptureError, iter_records
from newsarchive.dups import DEFAULT_THRESHOLD as REPOST_MIN_SIMILARITY
from newsarchive.index import INDEX_NAME, ArchiveIndex, IndexedRecord
from newsarchive.records import RecordFileError, host_of, kind_of
from newsarchive.search import Searcher, SearchIndexMissing
from normalize.record import Record

VERSION_MIN_SIMILARITY = diff.DEFAULT_MIN_SIMILARITY
MAX_RELATED = 50  # versions or reposts listed per article
MAX_CANDIDATES = 500  # LSH candidates compared exactly per article page (bounds its time)


class NotFound(LookupError):
    """No such record or capture; the message says what is missing."""


@dataclass
class Related:
    """Another record related to the one shown: a version or a repost."""

    row: IndexedRecord
    similarity: float  # exact Jaccard of character shingles
    same_text: bool
    current: bool = False

    def to_json(self) -> dict[str, Any]:
        r = self.row
        return {
            "rowid": r.rowid, "id": r.id, "title": r.title, "url": r.url, "site": r.site,
            "host": host_of(r.url), "published": r.published, "fetched_at": r.fetched_at,
            "file": r.file, "position": r.position, "similarity": round(self.similarity, 4),
            "same_text": self.same_text, "current": self.current,
        }  # fmt: skip


@dataclass
class VersionDiff:
    old: Related
    new: Related
    diff: diff.ArticleDiff


@dataclass
class Article:
    row: IndexedRecord
    record: Record
    state: str
    versions: list[Related] = field(default_factory=list)
    diffs: list[VersionDiff] = field(default_factory=list)
    reposts: list[Related] = field(default_factory=list)


@dataclass
class RawCapture:
    """The capture a record came from, as received (content-decoded when it came over HTTP)."""

    body: bytes
    content_type: str  # as received, but text gets the charset the normaliser read it with
    kind: str  # "warc" | "text" | "html"
    file: str
    offset: int | None = None
    url: str | None = None
    status: int | None = None
    fetched_at: str | None = None
    declared_type: str | None = None  # the Content-Type the server sent


def _with_charset(content_type: str, charset: str | None) -> str:
    """A text Content-Type with the charset the page was really decoded with (a portal that declares
    gbk and sends UTF-8 is shown readable, as it was cleaned).

    >>> _with_charset("text/html; charset=gbk", "utf-8"), _with_charset("image/png", "utf-8")
    ('text/html; charset=utf-8', 'image/png')
    """
    mime = content_type.split(";")[0].strip().lower() or "text/html"
    if not charset or not mime.startswith("text/"):
        return content_type
    return f"{mime}; charset={charset}"


class Store:
    """One archive, opened read-only. Thread-safe: each call opens what it needs."""

    def __init__(self, archive: Path) -> None:
        self.archive = Path(archive)
        if not (self.archive / INDEX_NAME).is_file():
            raise FileNotFoundError(
                f"{self.archive / INDEX_NAME}: no index; run `newsarchive index {self.archive}` first"
            )
        with self.session() as s:  # fails now, with the fix, when the search tables are missing
            s.searcher()
        self._lsh_lock = threading.Lock()
        self._lsh: tuple[Any, similarity.LSHIndex, dict[int, int], np.ndarray] | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        index = ArchiveIndex.open_read_only(self.archive)
        try:
            yield Session(self, index)
        finally:
            index.close()

    def lsh(self, index: ArchiveIndex) -> tuple[similarity.LSHIndex, dict[int, int], np.ndarray]:
        """The LSH table of all signatures, row number by rowid, and the signatures (cached)."""
        sql = "SELECT COUNT(*), MAX(rowid), (SELECT MAX(indexed_at) FROM files) FROM records"
        fingerprint = tuple(index.db.execute(sql).fetchone())
        with self._lsh_lock:
            if self._lsh is None or self._lsh[0] != fingerprint:
                rowids, sigs = index.signatures()
                table = similarity.LSHIndex.for_threshold(VERSION_MIN_SIMILARITY)
                if len(rowids):
                    table.add(sigs, rowids)
                self._lsh = (fingerprint, table, {int(r): i for i, r in enumerate(rowids)}, sigs)
            return self._lsh[1], self._lsh[2], self._lsh[3]


class Session:
    """What one request reads; closed at the end of the request."""

    def __init__(self, store: Store, index: ArchiveIndex) -> None:
        self.store, self.index = store, index

    def searcher(self) -> Searcher:
        return Searcher(self.index.db)

    def row(self, rowid: int) -> IndexedRecord:
        row = next(self.index.rows("rowid = ?", [rowid]), None)
        if row is None:
            raise NotFound(f"no record {rowid} in the index (it may have been re-indexed: search again)")
        return row

    def newest_rowid(self, record_id: str) -> int:
        found = self.index.db.execute(
            "SELECT rowid FROM records WHERE id = ? ORDER BY fetched_at DESC, rowid DESC LIMIT 1",
            (record_id,),
        ).fetchone()
        if found is None:
            raise NotFound(f"no record with id {record_id!r}")
        return int(found[0])

    def record(self, rowid: int) -> Record:
        """The record: the index's copy (fast), else read from its record file."""
        copy = self.searcher().record(rowid)
        if copy is not None:
            return copy
        try:
            rec = self.index.load_records([rowid]).get(rowid)
        except (RecordFileError, OSError) as exc:
            raise NotFound(f"record {rowid}: its record file cannot be read ({exc})") from exc
        if rec is None:
            raise NotFound(f"record {rowid}: not in its record file any more; run `newsarchive index`")
        return rec

    def article(self, rowid: int) -> Article:
        row = self.row(rowid)
        article = Article(row, self.record(rowid), self.searcher().state(rowid))
        article.versions, article.reposts = self.related(row)
        article.diffs = self.version_diffs(article.versions)
        return article

    # -- versions and reposts -------------------------------------------------------------------------
    def related(self, row: IndexedRecord) -> tuple[list[Related], list[Related]]:
        """(versions including this record, in capture order; reposts, most similar first)."""
        searcher = self.searcher()
        text = searcher.text(row.rowid) or ""
        mine = similarity.shingle_hashes(text)
        versions = [Related(row, 1.0, True, current=True)]
        reposts = []
        for other in self._candidates(row):
            other_text = searcher.text(other.rowid) or ""
            score = similarity.jaccard(mine, similarity.shingle_hashes(other_text))
            same = other.text_sha256 == row.text_sha256
            rel = Related(other, 1.0 if same else score, same)
            if _same_article(row, other, rel.similarity):
                versions.append(rel)
            elif rel.similarity >= REPOST_MIN_SIMILARITY:
                reposts.append(rel)
        versions.sort(key=lambda v: (v.row.fetched_at or "", v.row.file, v.row.position))
        reposts.sort(key=lambda v: (-v.similarity, v.row.file, v.row.position))
        return versions[:MAX_RELATED], reposts[:MAX_RELATED]

    def _candidates(self, row: IndexedRecord) -> list[IndexedRecord]:
        table, where, sigs = self.store.lsh(self.index)
        found: set[int] = set()
        if row.rowid in where:
            [cands] = table.query(sigs[where[row.rowid]][None, :])
            found.update(int(c) for c in cands)
        same = self.index.db.execute("SELECT rowid FROM records WHERE id = ?", (row.id,))  # (indexed)
        found.update(r for (r,) in same)
        found.discard(row.rowid)
        return [r for rid in sorted(found)[:MAX_CANDIDATES] for r in self.index.rows("rowid = ?", [rid])]

    def version_diffs(self, versions: list[Related]) -> list[VersionDiff]:
        if len(versions) < 2:
            return []
        records = {}
        for v in versions:
            with contextlib.suppress(NotFound):
                records[v.row.rowid] = self.record(v.row.rowid)
        out = []
        for old, new in itertools.pairwise(versions):
            a, b = records.get(old.row.rowid), records.get(new.row.rowid)
            if a is not None and b is not None:
                out.append(VersionDiff(old, new, diff.compare(a, b)))
        return out

    # -- raw captures ---------------------------------------------------------------------------------
    def raw(self, rowid: int) -> RawCapture:
        row = self.row(rowid)
        file = row.capture.get("file")
        if not isinstance(file, str) or not file:
            raise NotFound(f"record {rowid} does not say which capture it came from")
        path = self._inside_archive(file)
        kind = kind_of(path)
        if kind == "warc":
            raw = self._warc_response(path, file, row.capture.get("offset"))
            raw.content_type = _with_charset(raw.content_type, self.record(rowid).encoding.used)
            return raw
        if kind in ("text", "html"):
            charset = self.record(rowid).encoding.used or "utf-8"
            mime = "text/plain" if kind == "text" else "text/html"
            return RawCapture(path.read_bytes(), f"{mime}; charset={charset}", kind, file)
        raise NotFound(f"record {rowid}: {file} is not a capture file the app can show")

    def _inside_archive(self, file: str) -> Path:
        root = self.store.archive.resolve()
        path = (root / file).resolve()
        if not path.is_relative_to(root):
            raise NotFound(f"capture {file!r} lies outside the archive; not served")
        if not path.is_file():
            raise NotFound(f"capture {file} is missing from the archive")
        return path

    def _warc_response(self, path: Path, file: str, offset: Any) -> RawCapture:
        if not isinstance(offset, int):
            raise NotFound(f"{file}: the record gives no WARC offset")
        records = iter_records(path, start=offset, content=True)
        try:
            entry = next(records)
        except (StopIteration, CaptureError) as exc:
            raise NotFound(f"{file}@{offset}: no readable WARC record there ({exc})") from exc
        finally:
            records.close()
        http = entry.record.http_headers
        if entry.rec_type != "response" or http is None:
            raise NotFound(f"{file}@{offset}: not an HTTP response record ({entry.rec_type})")
        return RawCapture(
            entry.body, http.get_header("Content-Type") or "application/octet-stream", "warc", file, offset,
            entry.header("WARC-Target-URI"), int(http.get_statuscode() or 0), entry.header("WARC-Date"),
            http.get_header("Content-Type"),
        )  # fmt: skip


def _same_article(row: IndexedRecord, other: IndexedRecord, score: float) -> bool:
    """Same record id (the crawler's ids come from the URL and the article's place on the page); or
    similar text under the same URL (an e-paper page whose items moved), or where one has no URL."""
    if row.id == other.id:
        return True
    if score < VERSION_MIN_SIMILARITY:
        return False
    return row.url == other.url or not (row.url and other.url)


__all__ = ["Article", "NotFound", "RawCapture", "Related", "SearchIndexMissing", "Session", "Store"]
