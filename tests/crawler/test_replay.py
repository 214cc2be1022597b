"""crawler.middlewares.replay without a crawl: the newest capture of a URL by WARC-Date (not by file
name), the captured URL kept, relative REPLAY_WARC paths, the start origin found in the captures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.middlewares.replay import ReplayIndex, ReplayMiddleware
from newsarchive.captures import Exchange, WarcSegmentWriter

URL = "http://127.0.0.1:8731/content/post_1.html"


def capture(archive: Path, crawl_id: str, body: bytes, moment: datetime, url: str = URL) -> None:
    with WarcSegmentWriter(archive, "sample", crawl_id, fsync_interval=None) as writer:
        writer.write_exchange(Exchange(url=url, status=200, body=body, fetched_at=moment,
                                       response_headers=[("Content-Type", "text/html; charset=utf-8")]))


def middleware(source: str, archive: Path) -> ReplayMiddleware:
    crawler = get_crawler(settings_dict={"REPLAY_WARC": source, "NEWSARCHIVE_ARCHIVE_DIR": str(archive)})
    return ReplayMiddleware.from_crawler(crawler)


def test_the_newest_capture_by_warc_date_wins_whatever_the_file_names(tmp_path: Path) -> None:
    # "a-..." sorts first but is the newer crawl; "z-..." sorts last but is older
    capture(tmp_path, "a-newer", b"<p>new</p>", datetime(2021, 5, 1, tzinfo=UTC))
    capture(tmp_path, "z-older", b"<p>old</p>", datetime(2020, 2, 20, tzinfo=UTC))
    response = middleware(str(tmp_path / "captures"), tmp_path).process_request(Request(URL))
    assert response.body == b"<p>new</p>"


def test_same_second_the_later_record_wins(tmp_path: Path) -> None:
    moment = datetime(2020, 2, 20, 8, 0, 0, tzinfo=UTC)
    with WarcSegmentWriter(tmp_path, "sample", "c1", fsync_interval=None) as writer:
        for body in (b"<p>500</p>", b"<p>200</p>"):  # a retry within the same second
            writer.write_exchange(Exchange(url=URL, status=200, body=body, fetched_at=moment))
    assert middleware(str(tmp_path), tmp_path).process_request(Request(URL)).body == b"<p>200</p>"


def test_a_relative_replay_path_works_and_records_point_into_the_archive(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture(tmp_path / "archive", "c1", b"<p>x</p>", datetime(2020, 2, 20, tzinfo=UTC))
    monkeypatch.chdir(tmp_path)
    request = Request(URL)
    middleware("archive/captures/sample", Path("archive")).process_request(request)
    assert request.meta["newsarchive_capture"]["file"] == "captures/sample/c1-00000.warc.gz"


def test_another_origin_is_served_by_path_and_keeps_the_captured_url(tmp_path: Path) -> None:
    capture(tmp_path, "c1", b"<p>x</p>", datetime(2020, 2, 20, tzinfo=UTC))
    request = Request("http://127.0.0.1:9999/content/post_1.html")
    middleware(str(tmp_path), tmp_path).process_request(request)
    assert request.meta["newsarchive_target_uri"] == URL  # the record gets the captured URL (and its id)


def test_the_start_origin_is_where_the_start_pages_were_captured(tmp_path: Path) -> None:
    capture(tmp_path, "c1", b"<p>list</p>", datetime(2020, 2, 20, tzinfo=UTC),
            url="http://127.0.0.1:41234/xwzx/index.html")
    index = ReplayIndex([*sorted(tmp_path.rglob("*.warc.gz"))])
    assert index.origin_for(["http://127.0.0.1:8731/xwzx/index.html"]) == "http://127.0.0.1:41234/"
    assert index.origin_for(["http://127.0.0.1:41234/xwzx/index.html"]) is None  # already there
