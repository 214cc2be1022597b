"""crawler.warcwriter: the hand-built records are the ones warcio writes (warcio is the reference: same
named fields in the same order, same block, same digests), `warcio check` accepts them, and each record
is its own gzip member."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.warcwriter import CrawlSegmentWriter
from newsarchive.captures import (
    REVISIT_IDENTICAL,
    REVISIT_NOT_MODIFIED,
    Exchange,
    Original,
    WarcSegmentWriter,
    iter_records,
    read_response,
    status_and_headers,
)

WARCIO = Path(sys.executable).with_name("warcio")
MOMENT = datetime(2020, 2, 20, 8, 15, 1, tzinfo=UTC)
BODY = "<html><head><meta charset='gb2312'></head><body>第1篇：复工复产</body></html>".encode("gbk")
ORIGINAL = Original(url="http://127.0.0.1:8000/content/post_1.html", date="2020-02-19T08:00:00Z",
                    record_id="<urn:uuid:00000000-0000-4000-8000-000000000000>",
                    payload_digest="sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N")

UTF8_FILENAME = "attachment; filename=通知.pdf".encode().decode("latin-1")  # raw UTF-8 bytes on the wire
# Exchanges as a crawl meets them: each named after what makes it different
EXCHANGES = {
    "gbk-page": Exchange(url="http://127.0.0.1:8000/content/post_1.html", status=200, reason="OK", body=BODY,
                         response_headers=[("Content-Type", "text/html; charset=gb2312"),
                                           ("Content-Length", str(len(BODY)))],
                         request_headers=[("User-Agent", "cn-gov-news-archive/0.1"), ("Accept", "*/*")],
                         ip_address="127.0.0.1"),
    "chunked-gzip-body": Exchange(url="http://127.0.0.1:8000/a.html?p=2#top", status=200, reason="OK",
                                  body=gzip.compress(BODY),
                                  response_headers=[("Content-Encoding", "gzip"),
                                                    ("Transfer-Encoding", "chunked")],
                                  request_headers=[("Accept-Encoding", "gzip, deflate")]),
    "non-ascii-header": Exchange(url="http://127.0.0.1:8000/f.pdf", status=200, reason="OK", body=b"%PDF-1.4",
                                 response_headers=[("Content-Disposition", UTF8_FILENAME)]),
    "post-with-body": Exchange(url="http://127.0.0.1:8000/search", status=404, reason="Not Found", body=b"",
                               method="POST", request_body=b"q=%E5%A4%8D%E5%B7%A5",
                               request_headers=[("Content-Type", "application/x-www-form-urlencoded")]),
    "no-reason-phrase": Exchange(url="http://127.0.0.1:8000/", status=299, body=b"x", protocol="HTTP/1.0"),
}


def members(data: bytes) -> list[bytes]:
    """The decompressed gzip members of ``data``, one per record."""
    out = []
    while data:
        d = zlib.decompressobj(zlib.MAX_WBITS + 16)
        out.append(d.decompress(data))
        assert d.eof, "a record is not a whole gzip member"
        data = d.unused_data
    return out


def comparable(record: bytes) -> list[bytes]:
    """A record's lines with the random record ids masked (they differ between any two writers)."""
    lines = record.split(b"\r\n")
    return [b"<id>" if line.startswith((b"WARC-Record-ID:", b"WARC-Concurrent-To:")) else line
            for line in lines]


@pytest.mark.parametrize("name", sorted(EXCHANGES))
def test_exchange_records_are_the_ones_warcio_writes(name: str) -> None:
    ex = EXCHANGES[name]
    (ours, ours_id), ours_req = CrawlSegmentWriter._build_pair(
        CrawlSegmentWriter.__new__(CrawlSegmentWriter), ex, MOMENT)
    (ref, _), ref_req = WarcSegmentWriter._build_pair(
        WarcSegmentWriter.__new__(WarcSegmentWriter), ex, MOMENT)
    assert [comparable(m) for m in members(ours + ours_req)] == [
        comparable(m) for m in members(ref + ref_req)]
    assert len(members(ours)) == 1 and f"WARC-Concurrent-To: {ours_id}".encode() in members(ours_req)[0]


@pytest.mark.parametrize("profile", [REVISIT_IDENTICAL, REVISIT_NOT_MODIFIED])
def test_revisit_records_are_the_ones_warcio_writes(profile: str) -> None:
    ex = EXCHANGES["gbk-page"]
    http = status_and_headers("200 OK", ex.response_headers, ex)
    ours, _ = CrawlSegmentWriter._revisit_record(ex.url, ORIGINAL, profile, http, MOMENT, ex.ip_address)
    ref, _ = WarcSegmentWriter._revisit_record(ex.url, ORIGINAL, profile, http, MOMENT, ex.ip_address)
    assert comparable(members(ours)[0]) == comparable(members(ref)[0])


def test_segments_pass_warcio_check_and_read_back(tmp_path: Path) -> None:
    with CrawlSegmentWriter(tmp_path, "sample", "c1", fsync_interval=None) as writer:
        pointers = {name: writer.write_exchange(ex) for name, ex in EXCHANGES.items()}
        ex = EXCHANGES["gbk-page"]
        revisit = writer.write_revisit(ex, ORIGINAL, REVISIT_IDENTICAL)
    segment = writer.segments[0]
    check = subprocess.run([str(WARCIO), "check", "-v", str(segment)], capture_output=True, text=True,
                           timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "digest fail" not in check.stdout
    page = read_response(tmp_path / pointers["gbk-page"].file, pointers["gbk-page"].offset)
    assert page.body == BODY and page.status == 200
    types = [entry.rec_type for entry in iter_records(segment)]
    assert types == ["warcinfo", *["response", "request"] * len(EXCHANGES), "revisit", "request"]
    assert revisit.offset > pointers["no-reason-phrase"].offset
