"""Turn a command-line argument (record file, raw capture or folder) into article records.

What a path can be (chosen by its name):

- ``NAME.json`` / ``NAME.jsonl``: a record file, read with :mod:`newsarchive.records`;
- ``NAME.txt``: a text capture (like the seeds), cleaned with ``normalize.clean(kind="text")``;
- ``NAME.html`` / ``NAME.htm``: a saved page, cleaned with ``normalize.clean(kind="html")``;
- ``NAME.warc.gz`` / ``NAME.warc``: when the crawler's record segment ``NAME.jsonl`` is beside it, the
  records it holds (the articles the crawl found in that segment; list pages, robots.txt and dropped
  pages have none); otherwise the HTTP responses in it are cleaned one by one with their URL and HTTP
  charset, skipping what is not an article: non-200 responses, other content types, ``robots.txt``,
  and pages ``normalize.clean`` finds no article text in (counted in ``skipped``, not problems). Each
  record gets ``url``, ``site`` (host), ``fetched_at`` (WARC-Date) and ``capture = {"file", "offset"}``;
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

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsarchive.captures import CaptureError, iter_records, jsonl_path_for
from newsarchive.display import name_problem, shown
from newsarchive.records import (
    fill_archive_fields,
    find_captures,
    has_record_file,
    host_of,
    is_file,
    iter_record_file,
    kind_of,
)
from normalize.errors import CleanError
from normalize.record import Record

CleanFn = Callable[..., list[Record]]
NOT_ARTICLE_REASONS = ("no-main-content", "empty", "not-html", "binary")  # clean()'s "this is no article"

# Responses of a WARC that were not articles, by reason ("robots.txt", "http-404", "image/png",
# "no-main-content", ...): reported as a count, never as problems. Callers may pass their own Counter.
Skipped = Counter[str]


def iter_source(path: Path, problems: list[str], skipped: Skipped | None = None) -> Iterator[Record]:
    """Records of one argument (file or folder); problems are appended to ``problems``, responses that
    are not articles counted in ``skipped``."""
    path = Path(path)
    if path.is_dir():
        for file in folder_inputs(path, problems):
            yield from iter_file(file, problems, skipped)
    elif is_file(path):
        yield from iter_file(path, problems, skipped)
    else:
        problems.append(f"{shown(path)}: no such file or folder")


def load_sources(paths: list[Path], problems: list[str], skipped: Skipped | None = None) -> list[Record]:
    """All records of several arguments, in order."""
    return [rec for p in paths for rec in iter_source(p, problems, skipped)]


def folder_inputs(root: Path, problems: list[str] | None = None) -> list[Path]:
    """The files of a folder to read: record files, plus captures that have no record file beside them
    (a WARC segment with its ``.jsonl`` beside is read from the record file)."""
    files = find_captures(root, ("records", "text", "html", "warc"), problems)
    return [p for p in files if kind_of(p) == "records" or not has_record_file(p)]


def iter_file(path: Path, problems: list[str], skipped: Skipped | None = None) -> Iterator[Record]:
    bad_name = name_problem(path)
    if bad_name:
        problems.append(bad_name)
        return
    kind = kind_of(path)
    if kind == "records":
        yield from _iter_record_file(path, problems)
    elif kind in ("text", "html"):
        yield from _clean_capture(path, kind, problems)
    elif kind == "warc":
        yield from iter_warc(path, problems, skipped)
    else:
        problems.append(
            f"{shown(path)}: not a record file or capture (expected .json, .jsonl, .txt, .html or .warc.gz)"
        )


def _iter_record_file(path: Path, problems: list[str]) -> Iterator[Record]:
    for _, record in iter_record_file(path, problems):
        yield record


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
        problems.append(f"{shown(path)}: cannot clean capture{f' ({reason})' if reason else ''}: {exc}")
        return
    except Exception as exc:  # a bug in the normaliser must not stop the other inputs
        problems.append(_clean_failed(shown(path), exc))
        return
    for rec in records:
        if not rec.capture:
            rec.capture = {"file": str(path)}
        yield rec


# -------------------------------------------------------------------------------------------- WARC


def iter_warc(path: Path, problems: list[str], skipped: Skipped | None = None) -> Iterator[Record]:
    """The articles of a WARC file: the records of the ``.jsonl`` beside it when there is one, else its
    responses cleaned (see the module docstring). A damaged or truncated file is reported with the
    offset where reading stopped, and the records before it are still yielded; an empty one is named."""
    beside = jsonl_path_for(path) if path.name.endswith(".warc.gz") else path.with_suffix(".jsonl")
    if is_file(beside):
        yield from _iter_record_file(beside, problems)
        return
    if path.stat().st_size == 0:
        problems.append(f"{shown(path)}: empty WARC file (0 bytes); the crawl that wrote it lost its "
                        "responses: restore it from a backup or crawl again")
        return
    skipped = skipped if skipped is not None else Counter()
    try:
        for entry in iter_records(path, content=True):
            if entry.rec_type == "response" and entry.record.http_headers is not None:
                yield from _clean_response(path, entry.offset, entry.record, entry.body, problems, skipped)
    except CaptureError as exc:
        problems.append(str(exc))


def not_an_article(url: str, status: str, content_type: str) -> str | None:
    """Why a WARC response is not an article page, or None.

    >>> not_an_article("http://a.gov.cn/robots.txt", "200", "text/plain")
    'robots.txt'
    >>> not_an_article("http://a.gov.cn/logo.png", "200", "image/png"), not_an_article("http://a/", "404", "")
    ('image/png', 'http-404')
    >>> not_an_article("http://a.gov.cn/art/1.html", "200", "text/html; charset=gbk") is None
    True
    """
    if urlsplit(url).path.lower() == "/robots.txt":
        return "robots.txt"
    if status != "200":
        return f"http-{status}"
    ctype = content_type.split(";")[0].strip().lower()
    if ctype not in ("text/html", "application/xhtml+xml", "text/plain"):
        return ctype or "no-content-type"
    return None


def _clean_response(path: Path, offset: int, entry: Any, body: bytes, problems: list[str],
                    skipped: Skipped) -> list[Record]:
    headers = entry.http_headers
    url = entry.rec_headers.get_header("WARC-Target-URI") or ""
    content_type = headers.get_header("Content-Type") or ""
    reason = not_an_article(url, str(headers.get_statuscode()), content_type)
    if reason:
        skipped[reason] += 1
        return []
    kind = "text" if content_type.lower().startswith("text/plain") else "html"
    try:
        records = clean_function()(body, url=url, http_charset=content_type, kind=kind)
    except CleanError as exc:
        if exc.reason in NOT_ARTICLE_REASONS:
            skipped[exc.reason] += 1
        else:
            problems.append(f"{shown(path)}@{offset} {shown(url)}: not cleaned ({exc.reason}): {exc}")
        return []
    except RuntimeError as exc:  # the normaliser is not installed
        problems.append(f"{shown(path)}@{offset} {shown(url)}: not cleaned: {exc}")
        return []
    except Exception as exc:  # a bug in the normaliser must not stop the other responses
        problems.append(_clean_failed(f"{shown(path)}@{offset} {shown(url)}", exc))
        return []
    # the WARC-Date as written (UTC, "...Z"): the same form the crawler stores in fetched_at
    fetched = entry.rec_headers.get_header("WARC-Date") or None
    for rec in records:
        fill_archive_fields(rec, url=url, site=host_of(url), capture={"file": str(path), "offset": offset},
                            fetched_at=fetched)
    return records


def _clean_failed(where: str, exc: Exception) -> str:
    return (f"{where}: normalize.clean failed ({type(exc).__name__}: {str(exc)[:200]}); the capture is "
            "kept — please report this file")
