"""The crawl's WARC records, serialised by hand: the bytes warcio would write, at a third of the cost.

:class:`CrawlSegmentWriter` is :class:`newsarchive.captures.WarcSegmentWriter` (segments, rotation, one
``write`` per exchange, fsync policy, JSONL beside, torn-tail repair on resume: all unchanged) with the
per-page records - ``response``, ``request`` and ``revisit`` - built here instead of through warcio's
record builder, which costs the crawler process about 0.4 ms a page (header objects, a digester and a
gzip wrapper per record, headers re-scanned for every lookup). The warcinfo record (once per segment)
is still warcio's, and warcio stays the reader (replay, ``warcio check``, pywb).

What is written, as warcio writes it (tests/crawler/test_warcwriter.py compares the two, record by
record): WARC/1.1 named fields in warcio's order; ``WARC-Payload-Digest`` and ``WARC-Block-Digest``
(``sha1:`` + base32) on a response, none on a request without a body (as
newsarchive.captures.HeaderRecordWriter), the original's payload digest on a revisit; the HTTP header
block percent-encoded by warcio's own rule when it is not ASCII (RFC 8187); the block, then ``CRLF
CRLF``; each record its own gzip member. Records are compressed at zlib's default level 6 (warcio uses
9: on HTML pages that is slower for under 1 % smaller files), with a deflate window no larger than the
record (:func:`deflate_sizes`); any gzip reader reads both.
"""

from __future__ import annotations

import uuid
import zlib
from datetime import datetime
from typing import Any

from warcio.statusandheaders import StatusAndHeaders

from newsarchive.captures import (
    Exchange,
    Original,
    WarcSegmentWriter,
    clean_headers,
    payload_digest,
    request_target,
    status_and_headers,
    warc_date,
)

GZIP_LEVEL = 6


class CrawlSegmentWriter(WarcSegmentWriter):
    """A WarcSegmentWriter whose response, request and revisit records are built by this module."""

    def _build_pair(self, ex: Exchange, moment: datetime) -> tuple[tuple[bytes, str], bytes]:
        record_id = new_record_id()
        response = response_record(ex, moment, record_id)
        return (response, record_id), self._request_record(ex, moment, record_id)

    @staticmethod
    def _request_record(ex: Exchange, moment: datetime, concurrent_to: str) -> bytes:
        return request_record(ex, moment, concurrent_to)

    @staticmethod
    def _revisit_record(url: str, original: Original, profile: str, http: StatusAndHeaders,
                        moment: datetime, ip: str | None) -> tuple[bytes, str]:
        record_id = new_record_id()
        return revisit_record(url, original, profile, http, moment, ip, record_id), record_id


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def response_record(ex: Exchange, moment: datetime, record_id: str) -> bytes:
    """The gzip member of the response record of ``ex``: HTTP status line and headers, then the body."""
    http = status_and_headers(f"{ex.status} {ex.reason}".strip(), ex.response_headers, ex)
    head = http_block(http)
    fields = [("WARC-Date", warc_date(moment))]
    if ex.ip_address:
        fields.append(("WARC-IP-Address", ex.ip_address))
    fields += [("WARC-Type", "response"), ("WARC-Record-ID", record_id), ("WARC-Target-URI", ex.url),
               ("WARC-Payload-Digest", payload_digest(ex.body)),
               ("WARC-Block-Digest", payload_digest(head, ex.body)),
               ("Content-Type", "application/http; msgtype=response")]
    return gzip_member(fields, head, ex.body)


def request_record(ex: Exchange, moment: datetime, concurrent_to: str) -> bytes:
    """The request record of ``ex``; a request without a body carries no digest."""
    line = f"{ex.method} {request_target(ex.url)} {ex.protocol}"
    head = http_block(StatusAndHeaders(line, clean_headers(ex.request_headers), is_http_request=True))
    fields = [("WARC-Date", warc_date(moment)), ("WARC-Concurrent-To", concurrent_to),
              ("WARC-Type", "request"), ("WARC-Record-ID", new_record_id()), ("WARC-Target-URI", ex.url)]
    if ex.request_body:
        fields.append(("WARC-Payload-Digest", payload_digest(ex.request_body)))
    fields.append(("Content-Type", "application/http; msgtype=request"))
    return gzip_member(fields, head, ex.request_body)


def revisit_record(url: str, original: Original, profile: str, http: StatusAndHeaders, moment: datetime,
                   ip: str | None, record_id: str) -> bytes:
    """A revisit record: the HTTP headers only, pointing at ``original`` (WARC 1.1 section 6.7)."""
    fields = [("WARC-Date", warc_date(moment))]
    if ip:
        fields.append(("WARC-IP-Address", ip))
    fields += [("WARC-Refers-To", original.record_id), ("WARC-Type", "revisit"),
               ("WARC-Record-ID", record_id), ("WARC-Target-URI", url), ("WARC-Profile", profile),
               ("WARC-Refers-To-Target-URI", original.url), ("WARC-Refers-To-Date", original.date),
               ("WARC-Payload-Digest", original.payload_digest),
               ("Content-Type", "application/http; msgtype=response")]
    return gzip_member(fields, http_block(http), b"")


def http_block(http: StatusAndHeaders) -> bytes:
    """The HTTP status line and header fields, CRLF-terminated, as warcio writes them: ASCII, else
    warcio's own percent-encoding of the non-ASCII values.

    >>> http_block(StatusAndHeaders("200 OK", [("Server", "x")], protocol="HTTP/1.1"))
    b'HTTP/1.1 200 OK\\r\\nServer: x\\r\\n\\r\\n'
    """
    status = f"{http.protocol} {http.statusline}" if http.protocol else http.statusline
    text = status + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in http.headers) + "\r\n"
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        copy = StatusAndHeaders(http.statusline, list(http.headers), protocol=http.protocol)
        block: bytes = copy.to_ascii_bytes()
        return block


def gzip_member(fields: list[tuple[str, str]], head: bytes, payload: bytes) -> bytes:
    """One record as its own gzip member: ``WARC/1.1``, the named fields, Content-Length, the block
    (``head`` + ``payload``) and the closing CRLF CRLF."""
    named = "".join(f"{k}: {v}\r\n" for k, v in fields)
    header = f"WARC/1.1\r\n{named}Content-Length: {len(head) + len(payload)}\r\n\r\n".encode()
    window, memory = deflate_sizes(len(header) + len(head) + len(payload) + 4)
    compressor: Any = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, window + 16, memory)
    parts = [compressor.compress(header), compressor.compress(head)]
    if payload:
        parts.append(compressor.compress(payload))
    parts += [compressor.compress(b"\r\n\r\n"), compressor.flush()]
    return b"".join(parts)


def deflate_sizes(size: int) -> tuple[int, int]:
    """The deflate window bits and memory level for a record of ``size`` bytes: a window no larger than
    the record (a match cannot reach further back than its start, so the output is the same) and a hash
    table to match. Setting up zlib's full 32 KB window costs more than compressing a request record.

    >>> deflate_sizes(300), deflate_sizes(5000), deflate_sizes(10**6)
    ((9, 2), (13, 6), (15, 8))
    """
    window = min(zlib.MAX_WBITS, max(9, size.bit_length()))
    return window, min(zlib.DEF_MEM_LEVEL, max(1, window - 7))
