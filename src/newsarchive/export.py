"""Export clean articles for other projects: JSONL, Parquet or a folder of .txt files.

Python API — streams, never holds the archive in memory (one record file open at a time)::

    from newsarchive.export import iter_export
    for item in iter_export("archive", sites={"zhumadian.gov.cn"}, since=date(2020, 2, 1)):
        item.record.text, item.record_file, item.cluster_id

Rows (JSONL and Parquet) follow ``schema/export.schema.json`` (:data:`EXPORT_SCHEMA_VERSION` = 2): every
field of the record (:class:`normalize.record.Record`) under its own name, except:

- ``id`` is unique per row — one capture of one article, as one record file holds it:
  ``<article_id>@<12 hex digits of SHA-256 of "record_file#record_position">``, stable while the record
  files are (segments are append-only; ``newsarchive clean`` rewrites a seed's records in place);
- ``article_id`` is the record's own id, the same for every capture of an article (``url-<hash>-N``
  repeats across recrawls — group by it to follow an article through time);
- ``published`` stays as recorded (ISO date, date and time, or ``--MM-DD`` when the page gave no year)
  and ``published_date`` is the typed day (``YYYY-MM-DD``, Parquet ``date32``; null without a year);
- ``fetched_at`` is a UTC timestamp (``2020-02-20T08:15:01Z`` in JSONL, Parquet ``timestamp[us, UTC]``);
- the record's ``schema_version`` is ``record_schema_version``; ``schema_version`` is the export's;

plus ``record_file`` / ``record_position`` (where the record lives in the archive), ``cluster_id`` /
``cluster_size`` (its duplicate cluster, when ``--one-per-cluster`` computed clusters; null otherwise),
and ``state`` / ``version``: what the capture the record was cleaned from says in the article's history
(:mod:`newsarchive.history`: new, unchanged, edited, metadata-changed, restored, moved) and the version of
the article's text it holds (1, 2, ...); null for records outside the history (seeds, a crawl feed).
JSONL writes UTF-8 characters as they are (no ``\\u`` escapes). Parquet (needs pyarrow, the ``parquet``
extra) stores ``capture`` as a JSON string because its keys vary; :func:`read_export` reads both formats
back. Both load with ``pandas.read_json(path, lines=True)`` / ``pandas.read_parquet(path)``.

A folder export (``-o out/``) writes ``<id>.txt`` per article (title, blank line, text; the name cut to
fit the 255-byte limit of file names, the hash kept) and ``manifest.jsonl`` (one line per file: id,
article_id, file, title, url, site, published, published_date, source, cluster_id).

Filters: ``sites`` (a record's ``site`` or its URL host, a parent domain matches its subdomains),
``since`` / ``until`` (inclusive, on the ``published`` date; records with no full date are left out and
counted), ``one_per_cluster`` (only the representative of each duplicate cluster, see
:mod:`newsarchive.dups`). Every output is written to a temporary file or folder beside the target and
renamed into place, so a failed export leaves the previous one intact.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from newsarchive import history
from newsarchive.display import shown
from newsarchive.dups import DEFAULT_THRESHOLD, cluster_map, find_clusters
from newsarchive.index import ArchiveIndex, IndexedRecord
from newsarchive.records import atomic_write, host_of, iter_record_file
from normalize.record import Record

EXPORT_SCHEMA_VERSION = 3  # 2: unique id + article_id, published_date, UTC fetched_at; 3: state + version
PARQUET_BATCH = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class ExportError(ValueError):
    """An export that cannot be written; the message says what to change."""


@dataclass
class ExportItem:
    record: Record
    record_file: str
    record_position: int
    cluster_id: int | None = None
    cluster_size: int | None = None
    state: str | None = None
    version: int | None = None

    @property
    def id(self) -> str:
        """The row's unique id (see the module docstring)."""
        return row_id(self.record.id, self.record_file, self.record_position)

    def to_row(self) -> dict[str, Any]:
        """The export row (JSON-ready)."""
        data = self.record.to_dict()
        record_version = data.pop("schema_version")
        article_id = data.pop("id")
        data["fetched_at"] = utc_timestamp(data["fetched_at"])
        return {
            "schema_version": EXPORT_SCHEMA_VERSION,
            "id": self.id,
            "article_id": article_id,
            **data,
            "published_date": published_date(data["published"]),
            "record_schema_version": record_version,
            "record_file": self.record_file,
            "record_position": self.record_position,
            "cluster_id": self.cluster_id,
            "cluster_size": self.cluster_size,
            "state": self.state,
            "version": self.version,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ExportItem:
        """Inverse of :meth:`to_row`."""
        data = dict(row)
        version = data.pop("schema_version")
        if version != EXPORT_SCHEMA_VERSION:
            raise ExportError(f"export schema_version {version} is not {EXPORT_SCHEMA_VERSION}; re-export")
        extras = {k: data.pop(k) for k in ("record_file", "record_position", "cluster_id", "cluster_size",
                                           "state", "version")}
        data["schema_version"] = data.pop("record_schema_version")
        data.pop("published_date")
        data.pop("id")
        data["id"] = data.pop("article_id")
        return cls(Record.from_dict(data), **extras)


def row_id(article_id: str, record_file: str, position: int) -> str:
    """The unique id of an export row.

    >>> row_id("url-0123456789abcdef-0", "captures/zmd/c-00000.jsonl", 3)
    'url-0123456789abcdef-0@f05705da101a'
    """
    digest = hashlib.sha256(f"{record_file}#{position}".encode()).hexdigest()[:12]
    return f"{article_id}@{digest}"


def published_date(published: str | None) -> str | None:
    """The day of a ``published`` value when it has a year, as ``YYYY-MM-DD``, else None.

    >>> [published_date(v) for v in ("2020-02-12T08:28", "2020-02-14", "--02-20", "2020-02-30", None)]
    ['2020-02-12', '2020-02-14', None, None, None]
    """
    if not published or not _DATE.match(published):
        return None
    try:
        return date.fromisoformat(published[:10]).isoformat()
    except ValueError:  # a date the page got wrong (2020-02-30): kept in `published` only
        return None


def utc_timestamp(value: str | None) -> str | None:
    """An ISO datetime as UTC with ``Z`` (no zone = UTC, as the record schema says); None when it is
    not a time (the record schema only lets well-formed ones in).

    >>> utc_timestamp("2026-11-20T16:00:00+08:00"), utc_timestamp("2026-11-01T00:00"), utc_timestamp(None)
    ('2026-11-20T08:00:00Z', '2026-11-01T00:00:00Z', None)
    """
    moment = _parse_time(value)
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass
class ExportStats:
    written: int = 0
    filtered_out: int = 0  # by site / date
    no_date: int = 0  # left out by a date filter because ``published`` has no full date
    duplicates_skipped: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the index did on its own (read-only archive, ...)


# ------------------------------------------------------------------------------------------ reading


def iter_export(
    archive: Path | str,
    *,
    sites: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    one_per_cluster: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    stats: ExportStats | None = None,
) -> Iterator[ExportItem]:
    """Stream the archive's records (index updated first), filtered; see the module docstring."""
    stats = stats if stats is not None else ExportStats()
    index, index_stats = ArchiveIndex.updated(Path(archive))
    with index:
        stats.problems.extend(index_stats.problems)
        stats.notes.extend(index_stats.notes)
        clusters = cluster_map(find_clusters(index, threshold, stats.problems)) if one_per_cluster else {}
        versions = history.record_versions(index.db)
        keep = _row_filter(sites, since, until, stats)
        rows = (r for r in index.rows() if keep(r))
        for file, group in itertools.groupby(rows, key=lambda r: r.file):
            wanted = {}
            for r in group:
                info = clusters.get(r.rowid)
                if info and not info[2]:
                    stats.duplicates_skipped += 1
                else:
                    wanted[r.position] = info
            for item in _read_positions(index.archive, file, wanted, stats):
                where = (item.record_file, item.record_position)
                item.state, item.version = versions.get(where, (None, None))
                yield item


def _row_filter(
    sites: Iterable[str] | None, since: date | None, until: date | None, stats: ExportStats
) -> Any:
    wanted_sites = {s.lower().removeprefix("www.") for s in sites or ()}

    def keep(row: IndexedRecord) -> bool:
        if wanted_sites and not _site_matches(row, wanted_sites):
            stats.filtered_out += 1
            return False
        if since or until:
            if not row.published or not _DATE.match(row.published):
                stats.no_date += 1
                return False
            day = row.published[:10]
            if (since and day < since.isoformat()) or (until and day > until.isoformat()):
                stats.filtered_out += 1
                return False
        return True

    return keep


def _site_matches(row: IndexedRecord, wanted: set[str]) -> bool:
    names = {n for n in ((row.site or "").lower(), host_of(row.url) or "") if n}
    return any(n == w or n.endswith("." + w) for n in names for w in wanted)


def _read_positions(
    archive: Path, file: str, wanted: dict[int, tuple[int, int, bool] | None], stats: ExportStats
) -> Iterator[ExportItem]:
    if not wanted:
        return
    last, found = max(wanted), 0
    problems: list[str] = []
    for position, rec in iter_record_file(archive / file, problems):
        if position in wanted:
            info = wanted[position]
            found += 1
            yield ExportItem(rec, file, position, info[0] if info else None, info[1] if info else None)
        if position >= last:
            break
    if found < len(wanted):
        stats.problems.append(f"{shown(archive / file)}: {len(wanted) - found} indexed records could not be "
                              "read again (the file changed or was damaged while exporting); run "
                              "`newsarchive index` and export again")


def read_export(path: Path | str) -> Iterator[ExportItem]:
    """Read a JSONL or Parquet export back (streaming)."""
    path = Path(path)
    if path.suffix == ".parquet":
        yield from _read_parquet(path)
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield ExportItem.from_row(json.loads(line))


# ------------------------------------------------------------------------------------------ writing


def output_kind(target: Path | str) -> str:
    """``"jsonl"``, ``"parquet"`` or ``"txt"`` from the name of ``-o``.

    >>> output_kind("out.jsonl"), output_kind("a/b.parquet"), output_kind("texts/")
    ('jsonl', 'parquet', 'txt')
    """
    text = str(target)
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        return "txt"
    suffix = Path(text).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".parquet":
        return "parquet"
    raise ExportError(
        f"{target}: cannot tell the format from the name; use FILE.jsonl, FILE.parquet, "
        "or a folder name ending in / for .txt files"
    )


def write_export(items: Iterable[ExportItem], target: Path | str, stats: ExportStats | None = None) -> int:
    """Write items to ``target`` in the format its name says, atomically; returns the rows written."""
    stats = stats if stats is not None else ExportStats()
    kind = output_kind(target)
    path = Path(target)
    if kind == "txt":
        stats.written = _write_txt_folder(items, path)
    elif kind == "parquet":
        stats.written = _atomic_file(path, lambda fh: _write_parquet(items, fh))
    else:
        stats.written = _atomic_file(path, lambda fh: _write_jsonl(items, fh))
    return stats.written


def _atomic_file(path: Path, write: Callable[[IO[bytes]], int]) -> int:
    if not path.parent.is_dir():
        raise ExportError(f"{path.parent}: no such folder; create it first")
    return atomic_write(path, write)


def _write_jsonl(items: Iterable[ExportItem], fh: IO[bytes]) -> int:
    n = 0
    for item in items:
        fh.write((json.dumps(item.to_row(), ensure_ascii=False) + "\n").encode("utf-8"))
        n += 1
    return n


# --------------------------------------------------------------------------------------------- txt

_UNSAFE = re.compile(r"[^\w.@\-]+")
MAX_NAME_BYTES = 200  # of a .txt name: under the 255-byte limit with room for a "-2" and a temp prefix


def _write_txt_folder(items: Iterable[ExportItem], target: Path) -> int:
    target = Path(str(target).rstrip("/" + os.sep) or ".")
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        n = _fill_txt_folder(items, tmp)
        _swap_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return n


def _check_replaceable(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir() or (any(target.iterdir()) and not (target / "manifest.jsonl").exists()):
        raise ExportError(
            f"{target}: exists and is not an earlier export folder (no manifest.jsonl); "
            "choose a new or empty folder so nothing of yours is overwritten"
        )


def _fill_txt_folder(items: Iterable[ExportItem], folder: Path) -> int:
    used: set[str] = set()
    n = 0
    with (folder / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for item in items:
            rec = item.record
            name = _unique_name(txt_stem(item.id), used)
            body = (f"{rec.title}\n\n" if rec.title else "") + rec.text.rstrip("\n") + "\n"
            (folder / name).write_text(body, encoding="utf-8")
            entry = {
                "schema_version": EXPORT_SCHEMA_VERSION,
                "id": item.id,
                "article_id": rec.id,
                "file": name,
                "title": rec.title,
                "url": rec.url,
                "site": rec.site,
                "published": rec.published,
                "published_date": published_date(rec.published),
                "source": rec.source,
                "cluster_id": item.cluster_id,
            }
            manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
            n += 1
    return n


def txt_stem(row_id: str) -> str:
    """A file name stem for a row id: unsafe characters as ``_``, at most :data:`MAX_NAME_BYTES` bytes
    of UTF-8 with the ``@hash`` end kept (so cut names stay unique).

    >>> txt_stem("url-0123456789abcdef-0@5e5ac7d1a0ed")
    'url-0123456789abcdef-0@5e5ac7d1a0ed'
    >>> long = txt_stem("报道" * 200 + "-0@5e5ac7d1a0ed")
    >>> len(long.encode()), long[-13:]
    (199, '@5e5ac7d1a0ed')
    """
    safe = _UNSAFE.sub("_", row_id).strip("._") or "record"
    head, at, tail = safe.rpartition("@")
    if not at:
        head, tail = safe, ""
    budget = MAX_NAME_BYTES - len(tail.encode()) - len(at)
    cut = head.encode()[:budget].decode("utf-8", errors="ignore")
    return cut + at + tail


def _unique_name(stem: str, used: set[str]) -> str:
    name, k = f"{stem}.txt", 1
    while name in used:
        k += 1
        name = f"{stem}-{k}.txt"
    used.add(name)
    return name


def _swap_folder(tmp: Path, target: Path) -> None:
    if not target.exists():
        tmp.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    old.rmdir()
    target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


# ----------------------------------------------------------------------------------------- Parquet


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'cn-gov-news-archive[parquet]' "
            "(or pip install pyarrow), or export to FILE.jsonl instead"
        ) from exc
    return pa, pq


def arrow_schema() -> Any:
    """The Parquet schema of export rows (``capture`` is a JSON string)."""
    pa, _ = _pyarrow()
    s, i, strs = pa.string(), pa.int64(), pa.list_(pa.string())
    return pa.schema(
        [
            ("schema_version", pa.int32()),
            ("id", s),
            ("article_id", s),
            ("text", s),
            ("title", s),
            ("kicker", s),
            ("subtitle", s),
            ("published", s),
            ("source", s),
            ("authors", strs),
            ("photographers", strs),
            ("editor", s),
            ("url", s),
            ("site", s),
            ("capture", s),
            ("fetched_at", pa.timestamp("us", tz="UTC")),
            ("encoding", pa.struct([("declared", s), ("detected", s), ("used", s), ("why", s)])),
            ("script", pa.struct([("original", s), ("converted", pa.bool_())])),
            ("repairs", pa.list_(pa.struct([("step", s), ("count", i)]))),
            ("removed", pa.list_(pa.struct([("kind", s), ("text", s)]))),
            ("flags", strs),
            ("raw_sha256", s),
            ("text_sha256", s),
            ("published_date", pa.date32()),
            ("record_schema_version", pa.int32()),
            ("record_file", s),
            ("record_position", i),
            ("cluster_id", i),
            ("cluster_size", i),
            ("state", s),
            ("version", i),
        ]
    )


def _write_parquet(items: Iterable[ExportItem], fh: IO[bytes]) -> int:
    pa, pq = _pyarrow()
    schema = arrow_schema()
    n = 0
    with pq.ParquetWriter(fh, schema, compression="zstd") as writer:
        iterator = iter(items)
        while batch := list(itertools.islice(iterator, PARQUET_BATCH)):
            rows = [item.to_row() for item in batch]
            for row in rows:
                row["capture"] = json.dumps(row["capture"], ensure_ascii=False, sort_keys=True)
                row["fetched_at"] = _parse_time(row["fetched_at"])
                row["published_date"] = row["published_date"] and date.fromisoformat(row["published_date"])
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            n += len(rows)
        if n == 0:
            writer.write_table(schema.empty_table())
    return n


def _read_parquet(path: Path) -> Iterator[ExportItem]:
    _, pq = _pyarrow()
    for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH):
        for row in batch.to_pylist():
            row["capture"] = json.loads(row["capture"]) if row["capture"] else {}
            row["fetched_at"] = row["fetched_at"] and utc_timestamp(row["fetched_at"].isoformat())
            row["published_date"] = row["published_date"] and row["published_date"].isoformat()
            yield ExportItem.from_row(row)
