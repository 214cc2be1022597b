"""Record files: atomic writing and streaming reading.

Two on-disk forms, both UTF-8 and not \\u-escaped:

- ``NAME.json`` next to a seed capture ``NAME.txt``: ``{"capture": ..., "records": [record, ...]}``
  (one capture may hold several articles, e.g. an e-paper page);
- ``<crawl-id>-NNNNN.jsonl`` next to a WARC segment: one record per line.

Reading never loads more than one file at a time; a damaged file raises :class:`RecordFileError`
naming the file and the line, so callers can report it and go on with the rest of the archive.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit

from normalize.record import Record

# The archive's file kinds, by name: the one place that knows them (sources, index, `newsarchive clean`).
RECORD_SUFFIXES = (".json", ".jsonl")
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
WARC_SUFFIXES = (".warc.gz", ".warc")
CAPTURE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES  # loose captures: their NAME.json record file beside them
NOT_RECORD_FILES = ("manifest.jsonl",)  # an export's manifest, not archive records
NOT_CAPTURES = ("robots.txt", "_headers.json", "manifest.jsonl")  # crawl/export side files in a folder

T = TypeVar("T")


class RecordFileError(ValueError):
    """A record file that cannot be read; the message names the file (and line) and what is wrong."""


def dumps(obj: Any) -> str:
    """JSON the way the archive stores it: UTF-8 characters as they are, stable key order.

    >>> dumps({"title": "复工复产"})
    '{"title": "复工复产"}'
    """
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


def atomic_write(path: Path, write: Callable[[BinaryIO], T]) -> T:
    """Call ``write(fh)`` on a temp file in ``path``'s folder, fsync, then rename it over ``path``.

    Readers see the old file or the new one, never a half-written one; on any error the temp file
    goes and ``path`` is untouched. Returns what ``write`` returned.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            result = write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def atomic_write_text(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`).

    Returns False and leaves the file untouched when it already holds exactly ``text``, so reruns
    change nothing (not even the modification time).
    """
    path = Path(path)
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, lambda fh: fh.write(data))
    return True


def write_seed_records(path: Path, capture: dict[str, Any], records: Iterable[Record]) -> bool:
    """Write the ``NAME.json`` record file of one text capture; True when the file changed."""
    doc = {"capture": capture, "records": [r.to_dict() for r in records]}
    return atomic_write_text(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")


def read_record_file(path: Path) -> Iterator[Record]:
    """Yield the records of one ``.json`` or ``.jsonl`` file, streaming JSONL line by line."""
    path = Path(path)
    if path.suffix == ".jsonl":
        yield from _read_jsonl(path)
    elif path.suffix == ".json":
        yield from _read_json(path)
    else:
        raise RecordFileError(f"{path}: not a record file (expected .json or .jsonl)")


def _read_json(path: Path) -> Iterator[Record]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        items = doc["records"] if isinstance(doc, dict) and "records" in doc else [doc]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise RecordFileError(f"{path}: cannot read record file: {exc}; rerun `newsarchive clean`") from exc
    for i, item in enumerate(items):
        yield _to_record(item, f"{path}: record {i}")


def _read_jsonl(path: Path) -> Iterator[Record]:
    try:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise RecordFileError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
                yield _to_record(item, f"{path}:{lineno}")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordFileError(f"{path}: cannot read record file: {exc}") from exc


def _to_record(item: Any, where: str) -> Record:
    if not isinstance(item, dict):
        raise RecordFileError(f"{where}: expected a JSON object, got {type(item).__name__}")
    try:
        return Record.from_dict(item)
    except (TypeError, ValueError) as exc:
        raise RecordFileError(f"{where}: not a record: {exc}") from exc


def is_record_file(path: Path) -> bool:
    """Whether ``path`` is a record file of the archive layout.

    A ``.jsonl`` file is a record segment; a ``.json`` file is a record file only when the capture it
    describes (same name, ``.txt``/``.html``/``.htm``) sits beside it, so that other JSON in an archive
    (crawl stats, configs) is never mistaken for records.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in ("000_a.txt", "000_a.json", "crawl.stats.json", "crawl-00000.jsonl"):
    ...     _ = (d / name).write_text("", encoding="utf-8")
    >>> [p.name for p in sorted(d.iterdir()) if is_record_file(p)]
    ['000_a.json', 'crawl-00000.jsonl']
    """
    path = Path(path)
    if path.name in NOT_RECORD_FILES or path.name.startswith("."):
        return False
    if path.suffix == ".jsonl":
        return True
    if path.suffix == ".json":
        return any(path.with_suffix(s).is_file() for s in CAPTURE_SUFFIXES)
    return False


def find_record_files(root: Path) -> list[Path]:
    """All record files under ``root`` (or ``root`` itself, whatever its name), sorted; skips hidden
    files and anything :func:`is_record_file` rejects."""
    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such file or folder")
    found = (p for p in root.rglob("*") if p.suffix in RECORD_SUFFIXES and p.is_file())
    return sorted(p for p in found if is_record_file(p))


def kind_of(path: Path) -> str | None:
    """``"records"``, ``"text"``, ``"html"``, ``"warc"`` or None (not a file of the archive layout).

    >>> kind_of(Path("a/crawl-00001.warc.gz")), kind_of(Path("000_x.txt")), kind_of(Path("x.md"))
    ('warc', 'text', None)
    """
    name = Path(path).name.lower()
    if name.endswith(RECORD_SUFFIXES):
        return "records" if is_record_file(path) else None
    for kind, suffixes in (("warc", WARC_SUFFIXES), ("text", TEXT_SUFFIXES), ("html", HTML_SUFFIXES)):
        if name.endswith(suffixes):
            return kind
    return None


def stem_of(path: Path) -> str:
    """File name without its capture/record suffix: ``c-00001.warc.gz`` -> ``c-00001``.

    >>> stem_of(Path("c-00001.warc.gz")), stem_of(Path("000_a.JSON")), stem_of(Path("x.md"))
    ('c-00001', '000_a', 'x')
    """
    path = Path(path)
    name = path.name
    for suffix in WARC_SUFFIXES + RECORD_SUFFIXES + CAPTURE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def has_record_file(capture: Path) -> bool:
    """Whether the records of a capture are in the archive: ``NAME.json`` or ``NAME.jsonl`` beside it."""
    capture = Path(capture)
    candidates = (capture.parent / (stem_of(capture) + suffix) for suffix in RECORD_SUFFIXES)
    return any(p.is_file() and is_record_file(p) for p in candidates)


def find_captures(root: Path, kinds: tuple[str, ...] = ("text", "html")) -> list[Path]:
    """Capture files of the given kinds under ``root``, sorted; hidden files and folders and the side
    files in :data:`NOT_CAPTURES` (``robots.txt``, ...) are skipped.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in ("000_a.txt", "p.HTML", "robots.txt", ".x.txt", "c-00000.warc.gz", "notes.md"):
    ...     _ = (d / name).write_text("", encoding="utf-8")
    >>> [p.name for p in find_captures(d)], [p.name for p in find_captures(d, ("warc",))]
    (['000_a.txt', 'p.HTML'], ['c-00000.warc.gz'])
    """
    root = Path(root)
    return sorted(
        p
        for p in root.rglob("*")
        if kind_of(p) in kinds
        and p.name not in NOT_CAPTURES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def find_loose_captures(root: Path, kinds: tuple[str, ...] = ("text", "html", "warc")) -> list[Path]:
    """The captures under ``root`` whose records are not in the archive yet (no record file beside)."""
    return [p for p in find_captures(root, kinds) if not has_record_file(p)]


# -- the fields a record gets from the archive, not from the normaliser --------------------------------
ARCHIVE_FIELDS = ("url", "site", "capture", "fetched_at")


def fill_archive_fields(record: Record | dict[str, Any], *, url: str | None, site: str | None,
                        capture: dict[str, Any] | None, fetched_at: str | None) -> None:
    """Fill what ``normalize.clean`` cannot know (``url``, ``site``, ``capture``, ``fetched_at``) in a
    :class:`Record` or its JSON dict (the crawler's records pipeline); a field the record already has
    is kept. The crawler's ``site`` is its site config's name, ``newsarchive diff`` on a WARC uses
    :func:`host_of`.

    >>> r = {"url": "http://a.gov.cn/1.html?from=list", "site": None}
    >>> fill_archive_fields(r, url="http://a.gov.cn/1.html", site="a", capture={"file": "x"}, fetched_at=None)
    >>> r
    {'url': 'http://a.gov.cn/1.html?from=list', 'site': 'a', 'capture': {'file': 'x'}, 'fetched_at': None}
    """
    values = {"url": url, "site": site, "capture": capture, "fetched_at": fetched_at}
    if isinstance(record, dict):
        for name, value in values.items():
            record[name] = record.get(name) or value
    else:
        for name, value in values.items():
            setattr(record, name, getattr(record, name) or value)


def host_of(url: str | None) -> str | None:
    """Lower-case host of a URL, without ``www.`` and port.

    >>> host_of("http://WWW.Zhumadian.gov.cn:8080/a.html")
    'zhumadian.gov.cn'
    >>> host_of(None) is None
    True
    """
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None
