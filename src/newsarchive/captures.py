"""Raw captures: WARC/1.1 gzip segments, the JSONL record segment beside each, and WARC reading for replay.

Layout (one folder per site, one set of segments per crawl)::

    archive/captures/<site>/<crawl-id>-00000.warc.gz   warcinfo, then response + request records
    archive/captures/<site>/<crawl-id>-00000.jsonl     records cleaned from responses of that segment

Durability, so that ``warcio check`` accepts the files even after the crawler is SIGKILLed:

- every WARC record is its own gzip member; the response and request records of one exchange are built
  in memory and written with one ``os.write`` call on an ``O_APPEND`` descriptor (no user-space buffer),
  so a killed process leaves whole exchanges only: once ``write`` returns, the bytes are the kernel's;
- ``fsync`` (against power loss, not process death) runs at most every ``fsync_interval`` seconds
  (0 = after every write, None = only when a file is closed): per-page fsyncs cost more than the
  rest of the writing together;
- a writer never appends to an existing file: every start opens a new segment (next free ``NNNNN``),
  so a file damaged by a crash is never extended;
- segments rotate when they reach ``max_size`` bytes; the JSONL lines of a record go to the JSONL whose
  base name is that of the WARC segment holding its response, and each record's ``capture`` says
  ``{"file": <path relative to the archive root>, "offset": <response record offset>, "length": ...}``
  (the crawler adds ``index`` and ``count``: the article's place among the page's ``count`` records).

Revisits, as web archives write them (WARC 1.1 section 6.7): a page fetched again whose payload is the
same as its last full capture costs a ``revisit`` record (HTTP headers, no payload) instead of a copy.
:meth:`WarcSegmentWriter.write_revisit` writes one with the profile ``identical-payload-digest`` (a 200
whose payload digest equals the original's: the record block is the response's own HTTP headers) or
``server-not-modified`` (a 304 answer to a conditional request: the block is the stored response as the
304 freshens it, RFC 9111 section 4.3.4 — the original's status line and header fields, updated by the
fields the 304 carried — so replay tools such as pywb serve the original payload with the new headers;
the WARC-Profile says it was a 304). Both carry WARC-Refers-To (the original's record id),
WARC-Refers-To-Target-URI, WARC-Refers-To-Date and the original's WARC-Payload-Digest, and are followed
by their request record, written with the same single ``write`` as an exchange.

A kernel may still cut a large write short when the process is killed, and a power cut may lose the
unsynced tail. Before a crawl resumes, :func:`repair_crawl` makes the crawl's files whole again: a WARC
segment's torn tail is cut off (everything before it stays byte for byte), and a JSONL segment keeps only
complete pages (all ``count`` records of a page, whose WARC record is still there); the pages it drops are
fetched again by the resumed crawl, so each article ends up recorded exactly once.

No Scrapy here: the crawler passes plain :class:`Exchange` values.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import time
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.records import dumps

log = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"
REVISIT_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
REVISIT_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
PROFILES = {REVISIT_IDENTICAL: "identical-payload-digest", REVISIT_NOT_MODIFIED: "server-not-modified"}
SEGMENT_RE = re.compile(r"^(?P<crawl>.+)-(?P<num>\d{5})\.warc\.gz$")
# Hop-by-hop framing the HTTP client already removed from the body; kept, it would misdescribe the payload.
_DROPPED_HEADERS = {"transfer-encoding"}


class HeaderRecordWriter(WARCWriter):
    """For records that hold HTTP headers only (a GET's request record, a revisit record): no
    WARC-Block-Digest and, for a request without a body, no WARC-Payload-Digest. Both are optional
    (WARC 1.1 sections 5.8, 5.9); the CRC-32 of the record's own gzip member already guards a block of a
    few hundred bytes, and the two digests would be a sixth of what an unchanged page costs."""

    def ensure_digest(self, record: Any, block: bool = True, payload: bool = True) -> None:
        payload = payload and not (record.rec_type == "request" and not record.length)
        super().ensure_digest(record, block=False, payload=payload)


class CaptureError(OSError):
    """A WARC segment that cannot be written or read; the message names the file and what to do."""


@dataclass
class Exchange:
    """One HTTP request and the response it got, as received (body not decompressed)."""

    url: str
    status: int
    body: bytes
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    reason: str = ""
    protocol: str = "HTTP/1.1"
    fetched_at: datetime | None = None
    ip_address: str | None = None


@dataclass(frozen=True)
class CapturePointer:
    """Where the response record of one exchange sits: ``file`` is relative to the archive root."""

    file: str
    offset: int
    length: int
    record_id: str
    url: str
    fetched_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "offset": self.offset, "length": self.length, "record_id": self.record_id}


@dataclass(frozen=True)
class Original:
    """The full capture a revisit record refers to (its response record)."""

    url: str  # its WARC-Target-URI
    date: str  # its WARC-Date
    record_id: str  # its WARC-Record-ID
    payload_digest: str  # its WARC-Payload-Digest, ``sha1:BASE32``
    file: str = ""  # where it is, relative to the archive root (for the headers a 304 freshens)
    offset: int = 0


@dataclass
class ReplayedResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: str
    pointer: dict[str, Any]


def utc_stamp(now: datetime | None = None) -> str:
    """A crawl id made from the time: ``20200220T081500Z``.

    >>> utc_stamp(datetime(2020, 2, 20, 8, 15, tzinfo=UTC))
    '20200220T081500Z'
    """
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def warc_date(moment: datetime) -> str:
    """WARC-Date with second precision, UTC.

    >>> warc_date(datetime(2020, 2, 20, 8, 15, 1, 500, tzinfo=UTC))
    '2020-02-20T08:15:01Z'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def jsonl_path_for(warc_path: Path) -> Path:
    """The record segment beside a WARC segment.

    >>> jsonl_path_for(Path("a/x-00001.warc.gz")).as_posix()
    'a/x-00001.jsonl'
    """
    return warc_path.with_name(warc_path.name[: -len(WARC_SUFFIX)] + ".jsonl")


def existing_segments(site_dir: Path, crawl_id: str) -> list[Path]:
    """This crawl's WARC segments in ``site_dir``, in segment order."""
    if not site_dir.is_dir():
        return []
    found = []
    for path in site_dir.glob(f"{crawl_id}-*{WARC_SUFFIX}"):
        m = SEGMENT_RE.match(path.name)
        if m and m.group("crawl") == crawl_id:
            found.append((int(m.group("num")), path))
    return [p for _, p in sorted(found)]


class WarcSegmentWriter:
    """Writes the WARC (and JSONL) segments of one crawl of one site; see the module docstring."""

    def __init__(
        self,
        archive_dir: Path,
        site: str,
        crawl_id: str,
        *,
        max_size: int = 100 * 1024 * 1024,
        fsync_interval: float | None = 2.0,
        software: str = "cn-gov-news-archive",
        operator: str | None = None,
        on_close: Callable[[Path], None] | None = None,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", site) or not re.fullmatch(r"[A-Za-z0-9_.-]+", crawl_id):
            raise CaptureError(
                f"site {site!r} / crawl id {crawl_id!r}: use only letters, digits, '_', '.', '-' "
                "(they become file names)"
            )
        self.archive_dir = Path(archive_dir)
        self.site_dir = self.archive_dir / "captures" / site
        self.site, self.crawl_id = site, crawl_id
        self.max_size, self.fsync_interval = max_size, fsync_interval
        self._last_sync = time.monotonic()
        self.software, self.operator = software, operator
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0
        self._jsonl_fds: dict[Path, int] = {}
        self._jsonl_lines: dict[Path, int] = {}  # lines in each open JSONL (the next record's position)
        self.on_close = on_close  # called with each WARC segment once it is closed and fsync-ed
        self.segments: list[Path] = []
        self.records_written = 0
        self.warc_records = 0
        self.bytes_written = 0  # WARC bytes appended by this writer (all segments)

    # -- WARC -----------------------------------------------------------------------------------
    def write_exchange(self, exchange: Exchange) -> CapturePointer:
        """Append the response and request records of ``exchange``; return where the response is."""
        if self._fd is None or self._size >= self.max_size:
            self._open_next_segment()
        assert self._path is not None
        moment = exchange.fetched_at or datetime.now(UTC)
        response, request = self._build_pair(exchange, moment)
        resp_bytes, resp_id = response
        offset = self._size
        self._append(resp_bytes + request)
        self.warc_records += 2
        return CapturePointer(
            file=self._path.relative_to(self.archive_dir).as_posix(),
            offset=offset,
            length=len(resp_bytes),
            record_id=resp_id,
            url=exchange.url,
            fetched_at=warc_date(moment),
        )

    def write_revisit(self, exchange: Exchange, original: Original, profile: str,
                      stored_headers: StatusAndHeaders | None = None) -> CapturePointer:
        """Append a ``revisit`` record (and the request) for a page whose payload is the original's:
        ``profile`` :data:`REVISIT_IDENTICAL` (a 200 with the same payload digest) or
        :data:`REVISIT_NOT_MODIFIED` (a 304; ``stored_headers``, the original's HTTP headers, are
        freshened by the 304's, see the module docstring). Returns where the revisit record is."""
        if profile not in PROFILES:
            raise ValueError(f"unknown revisit profile {profile!r}; use one of {sorted(PROFILES)}")
        if self._fd is None or self._size >= self.max_size:
            self._open_next_segment()
        assert self._path is not None
        moment = exchange.fetched_at or datetime.now(UTC)
        http = status_and_headers(f"{exchange.status} {exchange.reason}".strip(), exchange.response_headers,
                                   exchange)
        if profile == REVISIT_NOT_MODIFIED and stored_headers is not None:
            http = freshened(stored_headers, exchange.response_headers)
        head, head_id = self._revisit_record(exchange.url, original, profile, http, moment,
                                             exchange.ip_address)
        request = self._request_record(exchange, moment, head_id)
        offset = self._size
        self._append(head + request)
        self.warc_records += 2
        return CapturePointer(file=self._path.relative_to(self.archive_dir).as_posix(), offset=offset,
                              length=len(head), record_id=head_id, url=exchange.url,
                              fetched_at=warc_date(moment))

    @staticmethod
    def _revisit_record(url: str, original: Original, profile: str, http: StatusAndHeaders,
                        moment: datetime, ip: str | None) -> tuple[bytes, str]:
        buf = io.BytesIO()
        writer = HeaderRecordWriter(buf, gzip=True, warc_version="WARC/1.1")
        record = writer.create_revisit_record(
            url, original.payload_digest, original.url, original.date, http_headers=http,
            warc_headers_dict={**_warc_headers(moment, ip), "WARC-Refers-To": original.record_id})
        record.rec_headers.replace_header("WARC-Profile", profile)
        writer.write_record(record)
        return buf.getvalue(), str(record.rec_headers.get_header("WARC-Record-ID"))

    def _build_pair(self, ex: Exchange, moment: datetime) -> tuple[tuple[bytes, str], bytes]:
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True, warc_version="WARC/1.1")
        resp = writer.create_warc_record(
            ex.url,
            "response",
            payload=io.BytesIO(ex.body),
            length=len(ex.body),
            http_headers=status_and_headers(f"{ex.status} {ex.reason}".strip(), ex.response_headers, ex),
            warc_headers_dict=_warc_headers(moment, ex.ip_address),
        )
        writer.write_record(resp)
        resp_bytes = buf.getvalue()
        resp_id = resp.rec_headers.get_header("WARC-Record-ID")
        return (resp_bytes, resp_id), self._request_record(ex, moment, resp_id)

    @staticmethod
    def _request_record(ex: Exchange, moment: datetime, concurrent_to: str) -> bytes:
        buf = io.BytesIO()
        writer = HeaderRecordWriter(buf, gzip=True, warc_version="WARC/1.1")
        path = request_target(ex.url)
        req = writer.create_warc_record(
            ex.url,
            "request",
            payload=io.BytesIO(ex.request_body),
            length=len(ex.request_body),
            http_headers=StatusAndHeaders(
                f"{ex.method} {path} {ex.protocol}", clean_headers(ex.request_headers), is_http_request=True
            ),
            warc_headers_dict={**_warc_headers(moment, None), "WARC-Concurrent-To": concurrent_to},
        )
        writer.write_record(req)
        return buf.getvalue()

    def _open_next_segment(self) -> None:
        self._close_warc()
        self.site_dir.mkdir(parents=True, exist_ok=True)
        taken = existing_segments(self.site_dir, self.crawl_id)
        num = int(SEGMENT_RE.match(taken[-1].name).group("num")) + 1 if taken else 0  # type: ignore[union-attr]
        path = self.site_dir / f"{self.crawl_id}-{num:05d}{WARC_SUFFIX}"
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        except FileExistsError as exc:  # another process with the same crawl id
            raise CaptureError(f"{path}: already exists; give each running crawl its own crawl id") from exc
        self._path, self._size = path, 0
        self.segments.append(path)
        self._append(self._warcinfo(path.name))
        self.warc_records += 1

    def _warcinfo(self, filename: str) -> bytes:
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True, warc_version="WARC/1.1")
        info: dict[str, str] = {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": f"{self.site}/{self.crawl_id}",
        }
        if self.operator:
            info["operator"] = self.operator
        writer.write_record(writer.create_warcinfo_record(filename, info))
        return buf.getvalue()

    def _append(self, data: bytes) -> None:
        assert self._fd is not None
        _write_all(self._fd, data)
        self._size += len(data)
        self.bytes_written += len(data)
        self._maybe_sync()

    # -- JSONL ----------------------------------------------------------------------------------
    def append_records(self, pointer: CapturePointer, records: Iterable[dict[str, Any]]) -> Path:
        """Append records (JSON-ready dicts) to the JSONL beside ``pointer.file``, in one write."""
        return self.append_records_to(jsonl_path_for(self.archive_dir / pointer.file), records)

    def append_records_to(self, path: Path, records: Iterable[dict[str, Any]]) -> Path:
        """Append records to an explicit JSONL file (replay writes beside no new WARC)."""
        self.append_page_records(path, records)
        return path

    def append_page_records(self, path: Path, records: Iterable[dict[str, Any]]) -> int:
        """Append one page's records to ``path`` in one write; return the line number (from 0) of the
        first, so record ``i`` is line ``first + i``."""
        fd = self._jsonl_fds.get(path)
        if fd is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
            self._jsonl_fds[path] = fd
            self._jsonl_lines[path] = _count_lines(fd)
        first = self._jsonl_lines[path]
        data = "".join(dumps(r) + "\n" for r in records).encode("utf-8")
        if data:
            _write_all(fd, data)
            self._maybe_sync()
            lines = data.count(b"\n")
            self.records_written += lines
            self._jsonl_lines[path] = first + lines
        return first

    # -- syncing and closing ----------------------------------------------------------------------
    def _maybe_sync(self) -> None:
        if self.fsync_interval is None:
            return
        now = time.monotonic()
        if now - self._last_sync >= self.fsync_interval:
            self.sync()
            self._last_sync = now

    def sync(self) -> None:
        """fsync every open file (the WARC segment and the JSONL files)."""
        for fd in [self._fd, *self._jsonl_fds.values()]:
            if fd is not None:
                os.fsync(fd)

    def _close_warc(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            if self.on_close is not None and self._path is not None:
                self.on_close(self._path)

    def close(self) -> None:
        self._close_warc()
        for fd in self._jsonl_fds.values():
            os.fsync(fd)
            os.close(fd)
        self._jsonl_fds.clear()

    def __enter__(self) -> WarcSegmentWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _count_lines(fd: int) -> int:
    """Newlines in an open file (a JSONL segment being appended to is normally new, so 0)."""
    count, offset = 0, 0
    while chunk := os.pread(fd, 1 << 20, offset):
        count += chunk.count(b"\n")
        offset += len(chunk)
    return count


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def clean_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k.lower() not in _DROPPED_HEADERS]


def status_and_headers(status_line: str, headers: list[tuple[str, str]], ex: Exchange) -> StatusAndHeaders:
    kept = clean_headers(headers)
    if any(k.lower() == "transfer-encoding" for k, _ in headers):
        kept = [(k, v) for k, v in kept if k.lower() != "content-length"]
        kept.append(("Content-Length", str(len(ex.body))))
    return StatusAndHeaders(status_line, kept, protocol=ex.protocol)


# RFC 9111 section 3.2: fields a 304 does not update in the stored response (framing and hop-by-hop)
_NOT_FRESHENED = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
                  "te", "trailer", "upgrade", "proxy-connection", "content-range"}


def freshened(stored: StatusAndHeaders, update: Iterable[tuple[str, str]]) -> StatusAndHeaders:
    """The stored response's status line and header fields, the fields the 304 sent replacing the
    stored values of the same name (RFC 9111 section 4.3.4), framing fields excepted.

    >>> old = StatusAndHeaders("200 OK", [("ETag", '"a"'), ("Content-Length", "5")], protocol="HTTP/1.1")
    >>> new = freshened(old, [("ETag", '"b"'), ("Date", "Tue, 01 Dec 2026"), ("Content-Length", "0")])
    >>> new.statusline, new.headers
    ('200 OK', [('Content-Length', '5'), ('ETag', '"b"'), ('Date', 'Tue, 01 Dec 2026')])
    """
    fresh = [(k, v) for k, v in update if k.lower() not in _NOT_FRESHENED]
    names = {k.lower() for k, _ in fresh}
    merged = [(k, v) for k, v in stored.headers if k.lower() not in names] + fresh
    return StatusAndHeaders(stored.statusline, merged, protocol=stored.protocol)


def payload_digest(*parts: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for a payload: ``sha1:`` + base32 of its SHA-1; given
    several parts, of their concatenation (a WARC-Block-Digest: the HTTP head, then the payload).

    >>> payload_digest(b"hello"), payload_digest(b"hel", b"lo") == payload_digest(b"hello")
    ('sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N', True)
    """
    import base64
    import hashlib

    sha1 = hashlib.sha1()
    for part in parts:
        sha1.update(part)
    return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")


def _warc_headers(moment: datetime, ip: str | None) -> dict[str, str]:
    headers = {"WARC-Date": warc_date(moment)}
    if ip:
        headers["WARC-IP-Address"] = ip
    return headers


def request_target(url: str) -> str:
    """The request-target of a GET line.

    >>> request_target("http://a.gov.cn/x/y.html?p=1#frag")
    '/x/y.html?p=1'
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


# -- reading ------------------------------------------------------------------------------------
def find_warc_files(root: Path) -> list[Path]:
    """WARC files under ``root`` (or ``root`` itself), sorted; a clear error when there are none."""
    root = Path(root)
    if root.is_file():
        return [root]
    files = sorted(p for p in root.rglob("*.warc.gz") if p.is_file()) if root.is_dir() else []
    if not files:
        raise CaptureError(
            f"{root}: no *.warc.gz files here; point replay at a captures folder or a WARC file"
        )
    return files


@dataclass
class WarcEntry:
    """One complete WARC record read by :func:`iter_records`: where it is, and its payload."""

    offset: int
    length: int
    record: Any  # warcio ArcWarcRecord (headers; its streams are consumed)
    body: bytes  # the payload after the HTTP headers: as received, or content-decoded (``content=True``)

    @property
    def rec_type(self) -> str:
        return str(self.record.rec_type)

    def header(self, name: str) -> str:
        return str(self.record.rec_headers.get_header(name) or "")


_READ_ERRORS = (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError, AttributeError)


def iter_records(path: Path, *, start: int = 0, content: bool = False) -> Generator[WarcEntry, None, None]:
    """The complete records of a WARC file from ``start`` on, with their offsets, lengths and payloads:
    the one reader of WARC files (replay, ``newsarchive diff`` on WARCs, the crawl summary).

    ``content=True`` gives the body with its Content-Encoding (gzip, ...) and chunking undone, as a
    page is cleaned; otherwise the bytes as received (what replay serves). A damaged or truncated file
    raises :class:`CaptureError` naming the file and the offset where reading stopped, after the
    records before it were yielded. warcio does not always raise on a truncated file (a cut gzip member
    can end the iteration quietly, or leave a record short of its Content-Length), so each record's
    payload is checked to be complete and the end of the last record is compared with the file size.
    """
    path = Path(path)
    end = start
    try:
        with path.open("rb") as fh:
            fh.seek(start)
            it = ArchiveIterator(fh)
            for rec in it:
                body = _content(rec) if content else rec.raw_stream.read()
                if getattr(rec.raw_stream, "limit", 0):
                    raise EOFError(f"the record at offset {end} ends before its Content-Length")
                offset = start + it.get_record_offset()  # (warcio reads the record to its end here)
                length = it.get_record_length()
                if not _member_complete(it):
                    raise EOFError(f"the gzip member at offset {offset} is cut short (no gzip trailer)")
                end = offset + length
                yield WarcEntry(offset, length, rec, body)
            size = path.stat().st_size
            if end < size:
                raise EOFError(f"{size - end} bytes after the last complete record cannot be read")
    except _READ_ERRORS as exc:
        raise CaptureError(
            f"{path}: damaged or truncated WARC, reading stopped after offset {end} ({exc}); "
            f"the records before it were used — check the file with `warcio check {path}` "
            "and re-fetch the pages after that offset"
        ) from exc


# Codings warcio cannot decode (its br reader fails on brotli >= 1.1, it has no zstd): decoded here.
_OWN_DECODERS = ("br", "zstd")


def _content(rec: Any) -> bytes:
    """The payload with its Content-Encoding undone (gzip/deflate by warcio; br and zstd here)."""
    headers = rec.http_headers
    coding = (headers.get_header("Content-Encoding") or "").strip().lower() if headers is not None else ""
    if coding not in _OWN_DECODERS:
        return bytes(rec.content_stream().read())
    raw = bytes(rec.raw_stream.read())
    if "chunked" in (headers.get_header("Transfer-Encoding") or "").lower():
        raw = _dechunk(raw)
    return decode_content(raw, coding)


def decode_content(data: bytes, coding: str) -> bytes:
    """Undo a br or zstd content coding; the bytes as they are when the decoder is missing or fails
    (the caller then sees undecodable bytes and counts the page, instead of losing the rest of the file).

    >>> import brotli; decode_content(brotli.compress("复工复产".encode()), "br").decode()
    '复工复产'
    """
    try:
        if coding == "br":
            import brotli  # type: ignore[import-untyped]

            return bytes(brotli.decompress(data))
        if coding == "zstd":
            try:
                from compression import zstd  # type: ignore[import-not-found]  # Python 3.14
            except ImportError:
                from backports import zstd
            return bytes(zstd.decompress(data))
    except Exception as exc:  # a damaged body or no decoder: keep the bytes
        log.warning("cannot undo Content-Encoding %s (%s: %s); payload kept as received",
                    coding, type(exc).__name__, exc)
    return data


def _dechunk(data: bytes) -> bytes:
    """Undo HTTP chunked framing (WARCs by other tools may keep it).

    >>> _dechunk(b"3\\r\\nabc\\r\\n0\\r\\n\\r\\n")
    b'abc'
    """
    out, pos = bytearray(), 0
    while pos < len(data):
        end = data.find(b"\r\n", pos)
        if end < 0:
            break
        size = int(data[pos:end].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[end + 2:end + 2 + size]
        pos = end + 2 + size + 2
    return bytes(out)


def _member_complete(it: ArchiveIterator) -> bool:
    """Whether the gzip member just read ended properly: warcio hands out a record whose member lost
    only its 8-byte trailer (CRC, size) as if it were whole."""
    decompressor = getattr(it.reader, "decompressor", None)  # None for an uncompressed .warc
    return decompressor is None or bool(getattr(decompressor, "eof", True))


def iter_responses(path: Path) -> Iterator[tuple[str, int, str]]:
    """(target URI, offset, WARC-Date) of each response record in one WARC file.

    Stops at a torn tail with a warning naming the file and offset (:func:`iter_records`), so one
    damaged segment does not hide the others.
    """
    try:
        for entry in iter_records(path):
            if entry.rec_type == "response":
                yield entry.header("WARC-Target-URI"), entry.offset, entry.header("WARC-Date")
    except CaptureError as exc:
        log.warning("%s", exc)


def read_response(path: Path, offset: int, archive_dir: Path | None = None) -> ReplayedResponse:
    """Read the response record at ``offset``; the body is the payload as received (not decoded)."""
    path = Path(path)
    records = iter_records(path, start=offset)
    try:
        entry = next(records)
    except (StopIteration, CaptureError) as exc:
        raise CaptureError(
            f"{path}@{offset}: no readable WARC record there ({exc}); run `warcio check` on it"
        ) from exc
    finally:
        records.close()
    rec = entry.record
    if entry.rec_type != "response" or rec.http_headers is None:
        raise CaptureError(f"{path}@{offset}: not an HTTP response record ({entry.rec_type})")
    rel = path.relative_to(archive_dir).as_posix() if archive_dir else path.as_posix()
    pointer = {"file": rel, "offset": offset, "record_id": entry.header("WARC-Record-ID")}
    status = int(rec.http_headers.get_statuscode() or 0)
    headers = list(rec.http_headers.headers)
    return ReplayedResponse(entry.header("WARC-Target-URI"), status, headers, entry.body,
                            entry.header("WARC-Date"), pointer)


def read_http_headers(path: Path, offset: int) -> StatusAndHeaders:
    """The HTTP status line and headers of the response (or revisit) record at ``offset``."""
    records = iter_records(Path(path), start=offset)
    try:
        entry = next(records)
    except (StopIteration, CaptureError) as exc:
        raise CaptureError(f"{path}@{offset}: no readable WARC record there ({exc}); run `warcio check` on "
                           "it") from exc
    finally:
        records.close()
    if entry.record.http_headers is None:
        raise CaptureError(f"{path}@{offset}: a {entry.rec_type} record without HTTP headers")
    return entry.record.http_headers


def recorded_urls(site_dir: Path, crawl_id: str) -> set[str]:
    """URLs whose records are all in this crawl's JSONL segments (for exactly-once on resume).

    Read leniently: a torn line (a crash mid-write) is skipped with a warning, and a page counts only when
    every one of its records is there (``capture.count``; an e-paper page has several), so a torn tail
    never makes the rest of a page's articles look recorded. :func:`repair_crawl` removes such partial
    pages from the files.
    """
    urls: set[str] = set()
    jsonls = [jsonl_path_for(warc) for warc in existing_segments(Path(site_dir), crawl_id)]
    jsonls.append(Path(site_dir) / f"{crawl_id}-replay.jsonl")  # a replay writes beside no new WARC
    for path in jsonls:
        if path.exists():
            pages, bad = read_pages(path)
            urls.update(page.url for page in pages if page.complete)
            if bad:
                log.warning("%s: %d unreadable record line(s) skipped (torn by a crash?)", path, bad)
    return urls


@dataclass
class PageRecords:
    """The consecutive JSONL lines of one page (one write by the crawler)."""

    url: str
    key: tuple[str, int, int]  # (capture file, offset, length): the WARC record they were cleaned from
    lines: list[bytes]
    indexes: list[int]
    count: int | None  # capture.count: how many records the page gave (None in older files)

    @property
    def complete(self) -> bool:
        if self.count is None:
            return True
        return sorted(self.indexes) == list(range(self.count))


def read_pages(path: Path) -> tuple[list[PageRecords], int]:
    """The pages of a JSONL segment in order, and the number of lines that are not whole records."""
    pages: list[PageRecords] = []
    bad = 0
    for line in Path(path).read_bytes().splitlines(keepends=True):
        record = _parse_line(line)
        if record is None:
            bad += bool(line.strip())
            continue
        found = record.get("capture")
        capture: dict[str, Any] = found if isinstance(found, dict) else {}
        key = (str(capture.get("file")), int(capture.get("offset") or 0), int(capture.get("length") or 0))
        index, count = capture.get("index", 0), capture.get("count")
        last = pages[-1] if pages else None
        if last is not None and last.url == record["url"] and last.key == key and index not in last.indexes:
            last.lines.append(line)
            last.indexes.append(index)
        else:
            pages.append(PageRecords(record["url"], key, [line], [index], count))
    return pages, bad


def _parse_line(line: bytes) -> dict[str, Any] | None:
    if not line.endswith(b"\n"):
        return None  # the last line of a torn write
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("url"), str) else None


def valid_end(path: Path) -> tuple[int, str | None]:
    """Where the last complete record of a WARC file ends, and the reading error after it (None: whole)."""
    end = 0
    try:
        for entry in iter_records(path):
            end = entry.offset + entry.length
    except CaptureError as exc:
        return end, str(exc)
    return end, None


def cut_torn_tail(path: Path) -> bool:
    """Cut a WARC segment after its last complete record (a crash's torn write); True when it was cut.

    The records before the cut stay byte for byte, so every offset pointing into them stays valid. A
    segment without one complete record (also an empty one) holds no capture at all and is removed.
    """
    end, error = valid_end(path)
    size = path.stat().st_size
    if error is None and size > 0:
        return False
    if end == 0:
        path.unlink()
        log.warning("%s: removed, it holds no complete WARC record (a crash while it was started)", path)
        return True
    with path.open("r+b") as fh:
        fh.truncate(end)
        os.fsync(fh.fileno())
    log.warning("%s: cut %d torn bytes after offset %d (an interrupted write); the records before are "
                "kept", path, size - end, end)
    return True


def repair_crawl(site_dir: Path, crawl_id: str, *,
                 check: Callable[[Path], bool] = lambda path: True) -> list[str]:
    """Make a crawl's segments whole before it resumes (see the module docstring); what was changed.

    ``check(segment)`` says which WARC segments may be torn (the crawler skips those it closed cleanly).
    """
    changes = []
    for warc in existing_segments(Path(site_dir), crawl_id):
        if check(warc) and cut_torn_tail(warc):
            changes.append(f"{warc}: torn tail cut")
    sizes = {p.name: p.stat().st_size for p in existing_segments(Path(site_dir), crawl_id)}
    for jsonl in sorted(Path(site_dir).glob(f"{crawl_id}-*.jsonl")):
        removed = _keep_whole_pages(jsonl, crawl_id, sizes)
        if removed:
            changes.append(f"{jsonl}: {removed} line(s) of pages cut short removed (they are fetched again)")
    return changes


def _keep_whole_pages(jsonl: Path, crawl_id: str, warc_sizes: dict[str, int]) -> int:
    """Rewrite ``jsonl`` (atomically) without torn lines and partial pages; lines removed."""
    pages, bad = read_pages(jsonl)
    kept = [page for page in pages if page.complete and _warc_has(page, crawl_id, warc_sizes)]
    removed = bad + sum(len(page.lines) for page in pages) - sum(len(page.lines) for page in kept)
    if removed:
        from newsarchive.records import atomic_write

        data = b"".join(line for page in kept for line in page.lines)
        if data:
            atomic_write(jsonl, lambda fh: fh.write(data))
        else:  # no whole page left: an empty record file would read as lost records
            jsonl.unlink()
        log.warning("%s: removed %d record line(s) of pages the crash cut short; they are fetched again",
                    jsonl, removed)
    return removed


def _warc_has(page: PageRecords, crawl_id: str, warc_sizes: dict[str, int]) -> bool:
    """The page's WARC record is whole in this crawl's segment (not in a torn tail that was cut off);
    records pointing at other crawls' WARC files (replay) are not this repair's business."""
    name = Path(page.key[0]).name
    m = SEGMENT_RE.match(name)
    if not m or m.group("crawl") != crawl_id:
        return True
    _, offset, length = page.key
    return name in warc_sizes and offset + max(length, 1) <= warc_sizes[name]
