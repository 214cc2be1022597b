"""Turn a command-line argument (record file, raw capture or folder) into article records.

What a path can be (chosen by its name):

- ``NAME.json`` / ``NAME.jsonl``: a record file, read with :mod:`newsarchive.records`;
- ``NAME.txt``: a text capture (like the seeds), cleaned with ``normalize.clean(kind="text")``;
- ``NAME.html`` / ``NAME.htm``: a saved page, cleaned with ``normalize.clean(kind="html")``;
- ``NAME.warc.gz`` / ``NAME.warc``: the HTTP responses in it (status 200, HTML or text) are cleaned one
  by one with their URL and HTTP charset; each record gets ``url``, ``site`` (host), ``fetched_at``
  (WARC-Date) and ``capture = {"file", "offset"}``;
- a folder: everything above found under it, except that a capture with a record file beside it
  (``X.txt`` + ``X.json``, ``X.warc.gz`` + ``X.jsonl``) is read from its record file — the records the
  archive already holds — rather than cleaned again; ``robots.txt`` and the side files in
  :data:`newsarchive.records.NOT_CAPTURES` are skipped (the file kinds, like
  the rest of the archive layout, are :mod:`newsarchive.records`'s).

Nothing stops at the first bad file: each problem (unreadable record file, truncated WARC, a page
``normalize.clean`` rejects) is appended to the caller's ``problems`` list as a message naming the file
and what to do, and the remaining files are still read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newsarchive.captures import CaptureError, iter_records
from newsarchive.records import (
    RecordFileError,
    fill_archive_fields,
    find_captures,
    has_record_file,
    host_of,
    kind_of,
    read_record_file,
)
from normalize.errors import CleanError
from normalize.record import Record

CleanFn = Callable[..., list[Record]]


def iter_source(path: Path, problems: list[str]) -> Iterator[Record]:
    """Records of one argument (file or folder); problems are appended to ``problems``."""
    path = Path(path)
    if path.is_dir():
        for file in folder_inputs(path):
            yield from iter_file(file, problems)
    elif path.is_file():
        yield from iter_file(path, problems)
    else:
        problems.append(f"{path}: no such file or folder")


def load_sources(paths: list[Path], problems: list[str]) -> list[Record]:
    """All records of several arguments, in order."""
    return [rec for p in paths for rec in iter_source(p, problems)]


def folder_inputs(root: Path) -> list[Path]:
    """The files of a folder to read: record files, plus captures that have no record file beside them."""
    files = find_captures(root, ("records", "text", "html", "warc"))
    return [p for p in files if kind_of(p) == "records" or not has_record_file(p)]


def iter_file(path: Path, problems: list[str]) -> Iterator[Record]:
    kind = kind_of(path)
    if kind == "records":
        yield from _iter_record_file(path, problems)
    elif kind in ("text", "html"):
        yield from _clean_capture(path, kind, problems)
    elif kind == "warc":
        yield from iter_warc(path, problems)
    else:
        problems.append(
            f"{path}: not a record file or capture (expected .json, .jsonl, .txt, .html or .warc.gz)"
        )


def _iter_record_file(path: Path, problems: list[str]) -> Iterator[Record]:
    try:
        yield from read_record_file(path)
    except RecordFileError as exc:
        problems.append(str(exc))


def clean_function() -> CleanFn:
    """``normalize.clean.clean`` (imported late: raw captures are the only reason to need it)."""
    try:
        from normalize import clean
    except ImportError as exc:  # the normaliser is another package's work; say so plainly
        raise RuntimeError(
            f"normalize.clean is not available ({exc}); raw captures cannot be cleaned — "
            "pass record files (run `newsarchive clean` first) or install the complete project"
        ) from exc
    return clean


def _clean_capture(path: Path, kind: str, problems: list[str]) -> Iterator[Record]:
    try:
        data = path.read_bytes()
        records = clean_function()(data, name=path.name, kind=kind)
    except (OSError, CleanError, RuntimeError) as exc:
        reason = getattr(exc, "reason", None)
        problems.append(f"{path}: cannot clean capture{f' ({reason})' if reason else ''}: {exc}")
        return
    for rec in records:
        if not rec.capture:
            rec.capture = {"file": str(path)}
        yield rec


# -------------------------------------------------------------------------------------------- WARC


def iter_warc(path: Path, problems: list[str]) -> Iterator[Record]:
    """Clean the HTML/text responses of a WARC file (read by :func:`newsarchive.captures.iter_records`);
    a damaged or truncated file is reported with the offset where reading stopped, and the records
    before it are still yielded."""
    try:
        for entry in iter_records(path, content=True):
            if entry.rec_type == "response" and entry.record.http_headers is not None:
                yield from _clean_response(path, entry.offset, entry.record, entry.body, problems)
    except CaptureError as exc:
        problems.append(str(exc))


def _clean_response(path: Path, offset: int, entry: Any, body: bytes, problems: list[str]) -> list[Record]:
    headers = entry.http_headers
    url = entry.rec_headers.get_header("WARC-Target-URI")
    status = headers.get_statuscode()
    content_type = headers.get_header("Content-Type") or ""
    ctype = content_type.lower()
    if status != "200" or not ctype.startswith(("text/html", "application/xhtml", "text/plain")):
        return []
    kind = "text" if ctype.startswith("text/plain") else "html"
    try:
        records = clean_function()(body, url=url, http_charset=content_type, kind=kind)
    except (CleanError, RuntimeError) as exc:
        problems.append(f"{path}@{offset} {url}: not cleaned ({getattr(exc, 'reason', 'error')}): {exc}")
        return []
    # the WARC-Date as written (UTC, "...Z"): the same form the crawler stores in fetched_at
    fetched = entry.rec_headers.get_header("WARC-Date") or None
    for rec in records:
        fill_archive_fields(rec, url=url, site=host_of(url), capture={"file": str(path), "offset": offset},
                            fetched_at=fetched)
    return records
