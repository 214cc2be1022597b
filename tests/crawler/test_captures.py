"""newsarchive.captures: WARC segments that `warcio check` accepts, offsets that point at the right
record, rotation, crash safety (never appending to an old file; a torn tail costs only the torn record),
replay reads."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.captures import (
    CaptureError,
    Exchange,
    WarcSegmentWriter,
    existing_segments,
    find_warc_files,
    iter_responses,
    jsonl_path_for,
    read_response,
    recorded_urls,
)

WARCIO = Path(sys.executable).with_name("warcio")


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARCIO), "check", str(path)], capture_output=True, text=True, timeout=60)


def page(i: int, *, gzip_body: bool = False) -> Exchange:
    body = f"<html><head><meta charset='gb2312'></head><body>第{i}篇：复工复产</body></html>".encode("gbk")
    headers = [("Content-Type", "text/html; charset=gb2312")]
    if gzip_body:
        body = gzip.compress(body)
        headers.append(("Content-Encoding", "gzip"))
    return Exchange(url=f"http://127.0.0.1:8000/content/post_{i}.html", status=200, reason="OK", body=body,
                    response_headers=headers, request_headers=[("User-Agent", "cn-gov-news-archive/0.1")])


def write_pages(tmp_path: Path, n: int, **kw: int) -> tuple[WarcSegmentWriter, list]:
    writer = WarcSegmentWriter(tmp_path, "sample", "crawl1", fsync_interval=None, **kw)
    pointers = []
    for i in range(n):
        p = writer.write_exchange(page(i, gzip_body=i % 2 == 1))
        writer.append_records(p, [{"url": p.url, "capture": p.to_dict()}])
        pointers.append(p)
    writer.close()
    return writer, pointers


def test_segments_pass_warcio_check_and_rotate(tmp_path: Path) -> None:
    writer, _ = write_pages(tmp_path, 12, max_size=2000)
    assert len(writer.segments) > 1
    for seg in writer.segments:
        assert seg.name.startswith("crawl1-") and seg.name.endswith(".warc.gz")
        result = warcio_check(seg)
        assert result.returncode == 0, result.stdout + result.stderr
        assert jsonl_path_for(seg).exists()


def test_pointer_offsets_read_back_the_same_bytes(tmp_path: Path) -> None:
    _, pointers = write_pages(tmp_path, 6, max_size=3000)
    for i, p in enumerate(pointers):
        rec = read_response(tmp_path / p.file, p.offset, tmp_path)
        assert rec.url == p.url and rec.status == 200
        assert rec.body == page(i, gzip_body=i % 2 == 1).body  # as received, still compressed
        assert rec.pointer["file"] == p.file


def test_jsonl_lines_sit_beside_the_warc_holding_their_response(tmp_path: Path) -> None:
    writer, _ = write_pages(tmp_path, 10, max_size=2500)
    for seg in writer.segments:
        for line in jsonl_path_for(seg).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert (tmp_path / record["capture"]["file"]) == seg
            assert read_response(seg, record["capture"]["offset"]).url == record["url"]


def test_warcinfo_opens_every_segment(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    writer, _ = write_pages(tmp_path, 4, max_size=1500)
    for seg in writer.segments:
        with seg.open("rb") as fh:
            first = next(iter(ArchiveIterator(fh)))
        assert first.rec_type == "warcinfo"
        assert first.rec_headers.get_header("WARC-Filename") == seg.name


def test_restart_never_appends_to_an_existing_segment(tmp_path: Path) -> None:
    first, _ = write_pages(tmp_path, 2)
    before = first.segments[0].read_bytes()
    write_pages(tmp_path, 2)
    assert first.segments[0].read_bytes() == before
    assert [p.name for p in existing_segments(tmp_path / "captures" / "sample", "crawl1")] == [
        "crawl1-00000.warc.gz", "crawl1-00001.warc.gz"]


def test_torn_tail_costs_only_the_torn_record(tmp_path: Path) -> None:
    writer, pointers = write_pages(tmp_path, 3)
    seg = writer.segments[0]
    data = seg.read_bytes()
    seg.write_bytes(data[: pointers[-1].offset + 40])  # power cut inside the last response record
    urls = [url for url, _, _ in iter_responses(seg)]
    assert urls[:2] == [pointers[0].url, pointers[1].url]
    assert read_response(seg, pointers[1].offset).url == pointers[1].url


def test_recorded_urls_skips_a_torn_jsonl_line(tmp_path: Path) -> None:
    writer, pointers = write_pages(tmp_path, 3)
    jsonl = jsonl_path_for(writer.segments[0])
    jsonl.write_bytes(jsonl.read_bytes()[:-15])
    assert recorded_urls(tmp_path / "captures" / "sample", "crawl1") == {pointers[0].url, pointers[1].url}


def test_bad_names_and_missing_replay_source_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="file names"):
        WarcSegmentWriter(tmp_path, "../etc", "x")
    with pytest.raises(CaptureError, match=r"no \*\.warc\.gz files"):
        find_warc_files(tmp_path)
    with pytest.raises(CaptureError, match="warcio check"):
        (tmp_path / "x.warc.gz").write_bytes(b"not a warc")
        read_response(tmp_path / "x.warc.gz", 0)


def test_replay_reports_a_truncated_warc_by_name_and_offset_and_serves_the_records_before(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Replay reads WARCs as `newsarchive diff` does (newsarchive.captures.iter_records): the damage is
    reported with the file and the offset where reading stopped, not swallowed."""
    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest
    from scrapy.utils.test import get_crawler

    from crawler.middlewares.replay import ReplayMiddleware

    writer, pointers = write_pages(tmp_path, 3)
    seg = writer.segments[0]
    seg.write_bytes(seg.read_bytes()[: pointers[-1].offset + 40])  # cut inside the last response
    crawler = get_crawler(settings_dict={"REPLAY_WARC": str(seg), "NEWSARCHIVE_ARCHIVE_DIR": str(tmp_path)})
    with caplog.at_level("WARNING", logger="crawler.middlewares.replay"):
        replay = ReplayMiddleware.from_crawler(crawler)
    [message] = [r.getMessage() for r in caplog.records if r.name == "crawler.middlewares.replay"]
    assert str(seg) in message and f"offset {pointers[-1].offset}" in message and "warcio check" in message
    assert crawler.stats.get_value("newsarchive/replay/damaged-warc") == 1
    for pointer in pointers[:2]:
        assert replay.process_request(Request(pointer.url)).status == 200
    with pytest.raises(IgnoreRequest, match="not-in-replay"):
        replay.process_request(Request(pointers[2].url))


def test_iter_records_reads_a_whole_crawl_segment_and_reports_every_cut(tmp_path: Path) -> None:
    """warcinfo, response and request records all read (offsets = the pointers); a cut anywhere in the
    last exchange raises CaptureError naming the file and the offset after the last whole record."""
    from newsarchive.captures import iter_records

    writer, pointers = write_pages(tmp_path, 3)
    seg = writer.segments[0]
    entries = list(iter_records(seg))
    assert [e.rec_type for e in entries] == ["warcinfo"] + ["response", "request"] * 3
    assert [e.offset for e in entries if e.rec_type == "response"] == [p.offset for p in pointers]
    assert entries[-1].offset + entries[-1].length == seg.stat().st_size
    data = seg.read_bytes()
    for cut in (pointers[-1].offset + 10, pointers[-1].offset + pointers[-1].length - 5, len(data) - 3):
        seg.write_bytes(data[:cut])
        read: list[str] = []
        with pytest.raises(CaptureError, match=rf"{seg.name}: damaged or truncated WARC, reading stopped"):
            read.extend(e.rec_type for e in iter_records(seg))
        assert read[:5] == ["warcinfo", "response", "request", "response", "request"]


# -- resume after a crash: repair_crawl -----------------------------------------------------------
def write_crawl(tmp_path: Path, pages: list[int]) -> tuple[WarcSegmentWriter, list]:
    """One exchange per page; page i gives ``pages[i]`` records (an e-paper page gives several)."""
    writer = WarcSegmentWriter(tmp_path, "sample", "crawl1", fsync_interval=None)
    pointers = []
    for i, count in enumerate(pages):
        p = writer.write_exchange(page(i))
        records = [{"url": p.url, "capture": {**p.to_dict(), "index": j, "count": count}}
                   for j in range(count)]
        writer.append_page_records(jsonl_path_for(tmp_path / p.file), records)
        pointers.append(p)
    writer.close()
    return writer, pointers


def test_a_torn_jsonl_tail_never_makes_the_rest_of_an_epaper_page_count_as_recorded(tmp_path: Path) -> None:
    from newsarchive.captures import repair_crawl

    writer, pointers = write_crawl(tmp_path, [1, 5])
    jsonl = jsonl_path_for(writer.segments[0])
    lines = jsonl.read_bytes().splitlines(keepends=True)
    jsonl.write_bytes(b"".join(lines[:3]))  # power cut: the page's first two records survive, whole lines
    site = tmp_path / "captures" / "sample"
    assert recorded_urls(site, "crawl1") == {pointers[0].url}  # the e-paper page is fetched again
    assert repair_crawl(site, "crawl1")
    assert jsonl.read_bytes() == lines[0]  # its partial records go, so the refetch does not double them


def test_a_torn_warc_tail_is_cut_and_records_pointing_into_it_removed(tmp_path: Path) -> None:
    from newsarchive.captures import iter_records, repair_crawl

    writer, pointers = write_crawl(tmp_path, [1, 1, 1])
    seg = writer.segments[0]
    seg.write_bytes(seg.read_bytes()[: pointers[2].offset + 30])  # the last exchange half-written
    site = tmp_path / "captures" / "sample"
    changes = repair_crawl(site, "crawl1")
    assert len(changes) == 2  # the WARC's tail, and the record of the torn exchange
    assert warcio_check(seg).returncode == 0
    responses = [e.offset for e in iter_records(seg) if e.rec_type == "response"]
    assert responses == [p.offset for p in pointers[:2]]
    assert recorded_urls(site, "crawl1") == {pointers[0].url, pointers[1].url}
    assert repair_crawl(site, "crawl1") == []  # a second repair changes nothing


def test_a_br_body_a_server_sent_unasked_still_reads(tmp_path: Path) -> None:
    """warcio's br decoder fails on current brotli (warcio check then fails); our reader decodes it."""
    import brotli

    from newsarchive.captures import iter_records

    html = "<html><body><p>复工复产。</p></body></html>".encode()
    with WarcSegmentWriter(tmp_path, "sample", "c1", fsync_interval=None) as writer:
        writer.write_exchange(Exchange(url="http://127.0.0.1/a.html", status=200, body=brotli.compress(html),
                                       response_headers=[("Content-Type", "text/html; charset=utf-8"),
                                                         ("Content-Encoding", "br")]))
        writer.write_exchange(page(1))
    bodies = [e.body for e in iter_records(writer.segments[0], content=True) if e.rec_type == "response"]
    assert bodies[0] == html and len(bodies) == 2  # and the records after it are not lost


def test_record_positions_count_the_lines_already_in_the_file(tmp_path: Path) -> None:
    target = tmp_path / "captures" / "sample" / "c1-replay.jsonl"
    for expected_first in (0, 2):
        with WarcSegmentWriter(tmp_path, "sample", "c1", fsync_interval=None) as writer:
            assert writer.append_page_records(target, [{"url": "u", "n": 1}, {"url": "u", "n": 2}]) \
                == expected_first


def test_a_jsonl_left_without_one_whole_page_is_removed_not_emptied(tmp_path: Path) -> None:
    from newsarchive.captures import repair_crawl

    writer, _ = write_crawl(tmp_path, [3])
    jsonl = jsonl_path_for(writer.segments[0])
    jsonl.write_bytes(jsonl.read_bytes()[:50])  # the first page's write torn
    assert repair_crawl(tmp_path / "captures" / "sample", "crawl1")
    assert not jsonl.exists()  # newsarchive reads a 0-byte record file as lost records


def test_a_segment_killed_before_its_first_record_is_removed(tmp_path: Path) -> None:
    from newsarchive.captures import repair_crawl

    site = tmp_path / "captures" / "sample"
    site.mkdir(parents=True)
    (site / "crawl1-00000.warc.gz").write_bytes(b"")  # created, then SIGKILL before the warcinfo
    assert repair_crawl(site, "crawl1") and not (site / "crawl1-00000.warc.gz").exists()


def test_a_resumed_replay_knows_what_it_already_recorded(tmp_path: Path) -> None:
    site = tmp_path / "captures" / "sample"
    site.mkdir(parents=True)
    (site / "crawl1-replay.jsonl").write_text('{"url": "http://a.cn/1.html"}\n', encoding="utf-8")
    assert recorded_urls(site, "crawl1") == {"http://a.cn/1.html"}
