"""Record files: atomic writing and streaming reading.

Two on-disk forms, both UTF-8 and not \\u-escaped:

- ``NAME.json`` next to a seed capture ``NAME.txt``: ``{"capture": ..., "records": [record, ...]}``
  (one capture may hold several articles, e.g. an e-paper page);
- ``<crawl-id>-NNNNN.jsonl`` next to a WARC segment: one record per line.

Reading never loads more than one file at a time; a damaged file raises :class:`RecordFileError`
naming the file and the line, so callers can report it and go on with the rest of the archive.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit

import orjson

from newsarchive.display import name_problem, printable, shown
from normalize.record import Record, sha256_text

# the project's schema/ folder: in the source tree, or where a wheel install puts it (pyproject data-files)
SCHEMA_DIRS = (Path(__file__).resolve().parents[2] / "schema",
               Path(sys.prefix) / "share" / "cn-gov-news-archive" / "schema")

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
    # a short temp name: ".{name}.XXXXXXXX.tmp" would pass the 255-byte limit before the name itself does
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
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
    """Yield the records of one ``.json`` or ``.jsonl`` file, streaming JSONL line by line; the first
    problem raises :class:`RecordFileError` (use :func:`iter_record_file` to read past bad records)."""
    problems: list[str] = []
    for _, record in iter_record_file(path, problems):
        if problems:
            break
        yield record
    if problems:
        raise RecordFileError(problems[0])


def iter_record_file(path: Path, problems: list[str]) -> Iterator[tuple[int, Record]]:
    """``(position, record)`` for every valid record of one record file; every bad record is appended
    to ``problems`` (file, line, what is wrong, what to do) and skipped, the rest still read.

    ``position`` is the record's slot in the file (0-based: the n-th non-blank JSONL line, the n-th item
    of a ``.json`` file's ``records``), bad slots included, so positions do not move when a record goes
    bad. A record is valid when it is a JSON object that validates against
    ``schema/record.schema.json``, holds only text that can be written as UTF-8, and its ``text_sha256``
    is the hash of its ``text``. A file that cannot be read at all, or holds nothing, is one problem.
    """
    path = Path(path)
    bad_name = name_problem(path)
    if bad_name:
        problems.append(bad_name)
        return
    try:
        if path.suffix == ".jsonl":
            yield from _read_jsonl(path, problems)
        elif path.suffix == ".json":
            yield from _read_json(path, problems)
        else:
            problems.append(f"{shown(path)}: not a record file (expected .json or .jsonl)")
    except OSError as exc:
        problems.append(f"{shown(path)}: cannot read record file ({exc.strerror or exc}); "
                        "check that it exists and is readable")


MAX_RECORD_BYTES = 64 * 1024 * 1024  # one record line / one .json file; larger is not a record file
_EMPTY_HINT = ("its records were lost or never written: restore it from a backup, re-create it "
               "(`newsarchive clean` for a seed, `scrapy crawl SITE -s REPLAY_WARC=...` for a crawl), "
               "or delete it if its capture holds no article")


def _read_json(path: Path, problems: list[str]) -> Iterator[tuple[int, Record]]:
    with path.open("rb") as fh:
        data = fh.read(MAX_RECORD_BYTES + 1)
    where = shown(path)
    if not data.strip():
        problems.append(f"{where}: empty record file ({len(data)} bytes); {_EMPTY_HINT}")
        return
    if len(data) > MAX_RECORD_BYTES:
        problems.append(f"{where}: larger than {MAX_RECORD_BYTES >> 20} MiB, not a record file; "
                        "move it out of the archive")
        return
    try:
        doc, valid_text = _loads(data)
    except RecordFileError as exc:
        problems.append(f"{where}: {exc}; rerun `newsarchive clean` to write it again")
        return
    if isinstance(doc, dict) and "records" in doc:
        items = doc["records"]
        if not isinstance(items, list):
            problems.append(f"{where}: \"records\" is {_kind(items)}, not a list of records; "
                            "rerun `newsarchive clean` to write it again")
            return
    else:
        items = [doc]
    if not items:
        problems.append(f"{where}: holds no records; {_EMPTY_HINT}")
        return
    for i, item in enumerate(items):
        try:
            yield i, check_record(item, data, valid_text=valid_text)
        except RecordFileError as exc:
            problems.append(f"{where}: record {i}: {exc}; rerun `newsarchive clean` to write it again")


def _read_jsonl(path: Path, problems: list[str]) -> Iterator[tuple[int, Record]]:
    where = shown(path)
    position, seen_bytes = 0, 0
    with path.open("rb") as fh:
        for lineno, line in enumerate(_lines(fh), 1):
            seen_bytes += len(line)
            if line.isspace():  # (never empty: _lines ends at the end of the file)
                continue
            try:
                if len(line) > MAX_RECORD_BYTES:
                    raise RecordFileError(f"line longer than {MAX_RECORD_BYTES >> 20} MiB, not a record")
                item, valid_text = _loads(line)
                yield position, check_record(item, line, valid_text=valid_text)
            except RecordFileError as exc:
                torn = not line.endswith(b"\n")
                hint = ("the last line was cut short (a crash while writing?): the records before it are "
                        "kept; re-fetch that page or replay the segment" if torn else
                        "fix or delete that line (the other lines are read)")
                problems.append(f"{where}:{lineno}: {exc}; {hint}")
            position += 1
    if seen_bytes == 0 or position == 0:
        problems.append(f"{where}: empty record file ({seen_bytes} bytes, no records); {_EMPTY_HINT}")


def _lines(fh: BinaryIO) -> Iterator[bytes]:
    """Lines of a binary file, each cut at :data:`MAX_RECORD_BYTES` + 1 bytes (the rest of an overlong
    line is skipped, so one huge line cannot fill the memory)."""
    while line := fh.readline(MAX_RECORD_BYTES + 1):
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
        yield line


def _loads(data: bytes) -> tuple[Any, bool]:
    """The JSON value of ``data``, and whether its strings are known to be text (no lone surrogate).

    orjson first (strict RFC 8259, and it refuses a lone surrogate); what it refuses is parsed again by
    :mod:`json`, for the message or for what json alone accepts (a lone surrogate, to be named; 1e400)."""
    try:
        return orjson.loads(data), True
    except orjson.JSONDecodeError:
        return _json_loads(data), False


def _json_loads(data: bytes) -> Any:
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise RecordFileError(f"not UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r})") from exc
    except json.JSONDecodeError as exc:
        raise RecordFileError(f"not valid JSON ({exc.msg} at character {exc.pos})") from exc
    except RecursionError as exc:  # "[" * 200_000
        raise RecordFileError("not a record: JSON nested too deeply") from exc
    except ValueError as exc:  # a 5,000-digit number, NaN
        what = "a number of more than 4300 digits" if "digits" in str(exc) else str(exc)[:80]
        raise RecordFileError(f"not a record: holds {what}") from exc
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


@functools.cache
def _validator() -> Callable[[Any], Any]:
    """fastjsonschema's check, which raises with the field and what it must be (the messages)."""
    import fastjsonschema  # compiled once, on first use: importing newsarchive stays cheap

    return fastjsonschema.compile(record_schema())


@functools.cache
def _is_valid() -> Callable[[Any], bool]:
    """jsonschema-rs's check (draft 2020-12, as the schema says): the one that decides, 9x faster."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(record_schema()).is_valid


def record_schema() -> dict[str, Any]:
    """``schema/record.schema.json``, the one description of a record file's records."""
    for folder in SCHEMA_DIRS:
        path = folder / "record.schema.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise RuntimeError(f"{SCHEMA_DIRS[0] / 'record.schema.json'}: the record schema is missing; "
                       "reinstall the project (pip install .) from its source tree")


def check_record(item: Any, raw: bytes = b"\\u", *, valid_text: bool = False) -> Record:
    """The :class:`Record` of one decoded JSON value, or :class:`RecordFileError` saying what is wrong.

    ``raw`` is the JSON text it came from: only text with a ``\\u`` escape can hold a lone surrogate;
    ``valid_text``: its parser already refused lone surrogates (orjson).

    >>> check_record({"records": 5})
    Traceback (most recent call last):
    ...
    newsarchive.records.RecordFileError: not a record: missing id, text, title, kicker and 18 more
    >>> check_record({"ti\\ud800tle": "标题"}, b'{"ti\\\\ud800tle": "x"}')  # in a key, too
    Traceback (most recent call last):
    ...
    newsarchive.records.RecordFileError: not a record: holds a lone surrogate (\\ud800-\\udfff), which is ...
    """
    if not isinstance(item, dict):
        raise RecordFileError(f"not a record: expected a JSON object, got {_kind(item)}")
    if not valid_text and b"\\u" in raw:  # first: the schema check cannot take one (in a key)
        try:
            json.dumps(item, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RecordFileError("not a record: holds a lone surrogate (\\ud800-\\udfff), "
                                  "which is not text") from exc
    if not _is_valid()(item):
        raise RecordFileError(f"not a record: {_invalid_message(item)}")
    record = Record.from_dict(item)
    if record.text_sha256 != sha256_text(record.text):
        raise RecordFileError("text_sha256 is not the SHA-256 of text (the text was edited or damaged)")
    return record


def _invalid_message(item: dict[str, Any]) -> str:
    """What is wrong with a record jsonschema-rs found invalid, worded from fastjsonschema's error."""
    import fastjsonschema

    try:
        _validator()(item)
    except fastjsonschema.JsonSchemaValueException as exc:
        return _schema_message(exc)
    return "does not match schema/record.schema.json"  # the two validators disagree: jsonschema-rs decides


def _schema_message(exc: Any) -> str:
    """One short line from a fastjsonschema error: the field, and what it must be or what is missing."""
    where = ".".join(map(str, exc.path[1:]))
    if exc.rule == "required" and isinstance(exc.value, dict):
        missing = [k for k in exc.rule_definition if k not in exc.value]
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        text = f"{where + ': ' if where else ''}missing {', '.join(missing[:4])}{more}"
    else:
        text = str(exc.message).removeprefix("data.").removeprefix("data ")
    return printable(text[:200], newlines=False)


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
        return any(is_file(path.with_suffix(s)) for s in CAPTURE_SUFFIXES)
    return False


def is_file(path: Path) -> bool:
    """``path.is_file()`` that says False, not raises, for a name the system refuses (ENAMETOOLONG:
    ``NAME.json`` beside a 252-byte ``NAME.txt``) or a folder it may not look into."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def walk_files(root: Path, problems: list[str] | None = None) -> Iterator[Path]:
    """Every file under ``root`` (or ``root`` itself), in sorted order, skipping hidden files and
    folders; a folder that cannot be listed is appended to ``problems`` (not skipped in silence, as
    ``Path.rglob`` does). Symbolic links to folders are followed once (a link loop ends there)."""
    root = Path(root)
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        raise FileNotFoundError(f"{shown(root)}: no such file or folder")
    yield from _walk(root, problems, set())


def _walk(folder: Path, problems: list[str] | None, seen: set[tuple[int, int]]) -> Iterator[Path]:
    try:
        st = folder.stat()
        if (st.st_dev, st.st_ino) in seen:
            return
        seen.add((st.st_dev, st.st_ino))
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if problems is not None:
            problems.append(f"{shown(folder)}: cannot list this folder ({exc.strerror or exc}); "
                            "its files are left out: fix its permissions")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, problems, seen)
        elif is_file(path):
            yield path


def find_record_files(root: Path, problems: list[str] | None = None) -> list[Path]:
    """All record files under ``root`` (or ``root`` itself, whatever its name), sorted; skips hidden
    files and folders and anything :func:`is_record_file` rejects (see :func:`walk_files`)."""
    root = Path(root)
    if root.is_file():
        return [root]
    return [p for p in walk_files(root, problems) if p.suffix in RECORD_SUFFIXES and is_record_file(p)]


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
    return any(is_file(p) and is_record_file(p) for p in candidates)


def find_captures(root: Path, kinds: tuple[str, ...] = ("text", "html"),
                  problems: list[str] | None = None) -> list[Path]:
    """Capture files of the given kinds under ``root``, sorted; hidden files and folders and the side
    files in :data:`NOT_CAPTURES` (``robots.txt``, ...) are skipped; a folder that cannot be listed is
    appended to ``problems``.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in ("000_a.txt", "p.HTML", "robots.txt", ".x.txt", "c-00000.warc.gz", "notes.md"):
    ...     _ = (d / name).write_text("", encoding="utf-8")
    >>> [p.name for p in find_captures(d)], [p.name for p in find_captures(d, ("warc",))]
    (['000_a.txt', 'p.HTML'], ['c-00000.warc.gz'])
    """
    return [p for p in walk_files(Path(root), problems) if kind_of(p) in kinds and p.name not in NOT_CAPTURES]


def find_loose_captures(root: Path, kinds: tuple[str, ...] = ("text", "html")) -> list[Path]:
    """The captures under ``root`` that `newsarchive clean` gives records to and that have none yet.

    WARC segments are not loose captures: the crawler writes their records (a segment holding only list
    pages, or only pages a resumed crawl had recorded already, rightly has no record file), and
    ``newsarchive verify`` checks that every record points at a complete WARC record.
    """
    return [p for p in find_captures(root, kinds) if not has_record_file(p)]


def capture_problem(archive: Path, capture_file: str, records: int, end: int, example: str) -> str | None:
    """Why ``records`` records (one of them in the record file ``example``) cannot find their raw
    capture ``capture_file`` (relative to ``archive``), or None: the file is missing, or it is shorter
    than ``end``, the furthest ``offset + length`` they point at (a truncated or emptied WARC).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "c-00000.warc.gz").write_bytes(b"x" * 100)
    >>> capture_problem(d, "c-00000.warc.gz", 3, 100, "c-00000.jsonl") is None
    True
    >>> capture_problem(d, "c-00000.warc.gz", 3, 150, "c-00000.jsonl").removeprefix(str(d))[:63]
    '/c-00000.warc.gz: 3 records (e.g. in c-00000.jsonl) point up to'
    """
    path = Path(archive) / capture_file
    who = f"{records} record{'s' if records != 1 else ''} (e.g. in {shown(example)})"
    capture_file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return (f"{shown(capture_file)}: {who} point at this raw capture, but it is "
                f"{'missing' if isinstance(exc, FileNotFoundError) else 'unreadable: ' + str(exc.strerror)}; "
                "restore it from a backup (the records stay, their raw capture is lost)")
    if size < end:
        return (f"{shown(capture_file)}: {who} point up to byte {end}, but the file has {size} bytes "
                "(truncated or emptied); restore it from a backup or re-fetch those pages — "
                "`newsarchive verify` lists the records affected")
    return None


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
