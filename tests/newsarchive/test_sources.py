"""Resolving NEW/OLD arguments: record files, raw captures, WARC files (and truncated ones), folders."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from archive_helpers import ARTICLES, article, write_archive

from newsarchive.diff import diff_articles
from newsarchive.sources import folder_inputs, iter_source, load_sources
from normalize.record import Record

pytest.importorskip(
    "normalize.pipeline", reason="normalize.clean (structure engineer) is needed to clean captures"
)


def article_html(name: str, charset: str = "utf-8") -> bytes:
    a = ARTICLES[name]
    paragraphs = "".join(f"<p>{p}</p>\n" for p in a["text"].split("\n"))
    page = (
        f"<!DOCTYPE html><html><head><meta charset='{charset}'><title>{a['title']}</title></head><body>\n"
        f"<div class='nav'><a href='/'>首页</a> | <a href='/xwzx/'>新闻中心</a></div>\n"
        f"<div class='article'><h1>{a['title']}</h1>\n"
        f"<div class='info'>发布时间：{a['published'][:10]}</div>\n"
        f"<div class='content'>\n{paragraphs}</div></div>\n"
        f"<div class='footer'>版权所有：示例市人民政府 备案号：京ICP备12345678号</div></body></html>"
    )
    return page.encode(charset)


def write_warc(path: Path, pages: list[tuple[str, bytes, str]]) -> list[int]:
    """Write response records (url, body, content-type); return their offsets."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    offsets = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body, ctype in pages:
            offsets.append(fh.tell())
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(rec)
    return offsets


@pytest.fixture
def warc(tmp_path: Path) -> tuple[Path, list[int]]:
    path = tmp_path / "crawl-00000.warc.gz"
    gz = "http://www.gangzha.gov.cn"
    offsets = write_warc(path, [
        ("http://www.suqian.gov.cn/art/1.html", article_html("suqian"), "text/html; charset=utf-8"),
        (f"{gz}/art/2.html", article_html("gangzha", "gb18030"), "text/html; charset=gb2312"),
        (f"{gz}/logo.png", b"\x89PNG\r\n", "image/png"),
    ])  # fmt: skip
    return path, offsets


def test_warc_responses_become_records_with_url_site_and_capture(warc: tuple[Path, list[int]]) -> None:
    path, offsets = warc
    problems: list[str] = []
    records = list(iter_source(path, problems))
    assert problems == []
    assert [r.url for r in records] == [
        "http://www.suqian.gov.cn/art/1.html",
        "http://www.gangzha.gov.cn/art/2.html",
    ]
    assert [r.site for r in records] == ["suqian.gov.cn", "gangzha.gov.cn"]
    assert [r.capture for r in records] == [{"file": str(path), "offset": o} for o in offsets[:2]]
    # the WARC-Date as written, the form crawled records carry (so the two sort together)
    assert all(r.fetched_at and r.fetched_at.endswith("Z") for r in records)
    assert "张爱军指出" in records[0].text and "黄卫锋" in records[1].text  # GB-encoded page decoded


def test_warc_pages_diffed_against_seed_like_records_match_by_content(warc: tuple[Path, list[int]]) -> None:
    problems: list[str] = []
    new = load_sources([warc[0]], problems)
    old = [article("zhumadian"), article("gangzha"), article("suqian")]
    assert [d.old.id if d.old else None for d in diff_articles(new, old)] == ["suqian-0", "gangzha-0"]


def test_a_crawler_segment_with_warcinfo_and_request_records_is_not_reported_as_truncated(
    tmp_path: Path,
) -> None:
    """The crawler's WARC segments open with a warcinfo record and pair each response with its request;
    reading them for a diff must not call them damaged (it once did, at offset 0, for every segment)."""
    from newsarchive.captures import Exchange, WarcSegmentWriter

    url = "http://www.suqian.gov.cn/art/1.html"
    with WarcSegmentWriter(tmp_path, "suqian", "c1", fsync_interval=None) as writer:
        headers = [("Content-Type", "text/html; charset=utf-8")]
        pointer = writer.write_exchange(
            Exchange(url=url, status=200, body=article_html("suqian"), response_headers=headers)
        )
    problems: list[str] = []
    records = list(iter_source(writer.segments[0], problems))
    assert problems == []
    capture = {"file": str(writer.segments[0]), "offset": pointer.offset}
    assert [(r.url, r.capture) for r in records] == [(url, capture)]


@pytest.mark.parametrize(
    "fraction", [0.02, 0.5, 0.9], ids=["cut-in-warc-header", "cut-mid-body", "cut-near-end"]
)
def test_truncated_warc_names_the_file_and_keeps_the_records_before(
    warc: tuple[Path, list[int]], fraction: float
) -> None:
    """warcio raises for some cuts and ends quietly for others; every cut must be reported."""
    path, offsets = warc
    data = path.read_bytes()
    cut = path.with_name("crawl-00001-truncated.warc.gz")
    cut.write_bytes(data[: offsets[1] + int((offsets[2] - offsets[1]) * fraction)])
    problems: list[str] = []
    records = list(iter_source(cut, problems))
    assert [r.url for r in records] == ["http://www.suqian.gov.cn/art/1.html"]
    [problem] = problems
    assert str(cut) in problem and "truncated" in problem and "warcio check" in problem


def test_corrupt_record_file_in_a_folder_is_named_and_the_rest_read(tmp_path: Path) -> None:
    write_archive(
        tmp_path, {"seeds/000_a.json": [article("suqian")], "seeds/002_c.json": [article("gangzha")]}
    )
    (tmp_path / "seeds/001_b.txt").write_text("原始采集", encoding="utf-8")  # the capture it describes
    (tmp_path / "seeds/001_b.json").write_text('{"records": [{"id": 1', encoding="utf-8")
    problems: list[str] = []
    records = list(iter_source(tmp_path, problems))
    assert [r.id for r in records] == ["suqian-0", "gangzha-0"]
    [problem] = problems
    assert "seeds/001_b.json" in problem


def test_folder_prefers_record_files_over_their_captures(tmp_path: Path) -> None:
    write_archive(tmp_path, {"seeds/000_a.json": [article("suqian")]})
    (tmp_path / "seeds/000_a.txt").write_text("原始采集", encoding="utf-8")
    (tmp_path / "seeds/001_b.txt").write_text(ARTICLES["gangzha"]["text"], encoding="utf-8")
    (tmp_path / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    assert [p.name for p in folder_inputs(tmp_path)] == ["000_a.json", "001_b.txt"]
    records = list(iter_source(tmp_path, []))
    assert records[0] == article("suqian")
    assert records[1].capture == {"file": str(tmp_path / "seeds/001_b.txt")} or records[1].capture.get("file")


def test_text_capture_in_legacy_encoding_is_not_an_edit(tmp_path: Path) -> None:
    """Encoding damage is repaired before the diff: a GB18030 copy of an article equals the UTF-8 one."""
    a = ARTICLES["gangzha"]
    page = tmp_path / "gangzha-gb18030.html"
    page.write_bytes(article_html("gangzha", "gb18030"))
    problems: list[str] = []
    new = load_sources([page], problems)
    [d] = diff_articles(new, [Record(id="old", text=a["text"], title=a["title"])])
    assert problems == [] and d.old is not None
    assert d.status != "edited", [r for r in d.changes]


def test_missing_path_and_unknown_file_kind_are_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    problems: list[str] = []
    assert list(iter_source(tmp_path / "nope.json", problems)) == []
    assert list(iter_source(tmp_path / "notes.md", problems)) == []
    assert "no such file" in problems[0] and "not a record file or capture" in problems[1]


def test_a_warc_with_its_record_segment_beside_is_read_from_the_records(tmp_path: Path) -> None:
    """Issue 10 #13: the crawler's JSONL holds the articles of its segment; list pages and robots.txt are
    not articles, and nothing is cleaned again from raw."""
    from archive_helpers import build_sample_archive

    archive = build_sample_archive(tmp_path / "archive")
    warc = archive / "captures/sample/c-00000.warc.gz"
    problems: list[str] = []
    records = list(iter_source(warc, problems))
    assert problems == []
    assert [r.id for r in records] == ["url-0000000000000000-0", "url-0000000000000001-0"]
    assert records[0].capture["record_id"].startswith("<urn:uuid:")  # as the crawler recorded it


def test_a_warc_without_records_skips_what_is_not_an_article(tmp_path: Path) -> None:
    from collections import Counter

    from archive_helpers import LIST_PAGE

    path = tmp_path / "other-00000.warc.gz"
    write_warc(path, [
        ("http://www.suqian.gov.cn/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain"),
        ("http://www.suqian.gov.cn/xwzx/index.html", LIST_PAGE, "text/html; charset=utf-8"),
        ("http://www.suqian.gov.cn/logo.png", b"\x89PNG\r\n", "image/png"),
        ("http://www.suqian.gov.cn/art/1.html", article_html("suqian"), "text/html; charset=utf-8"),
    ])  # fmt: skip
    problems: list[str] = []
    skipped: Counter[str] = Counter()
    records = list(iter_source(path, problems, skipped))
    assert [r.url for r in records] == ["http://www.suqian.gov.cn/art/1.html"] and problems == []
    assert skipped == {"robots.txt": 1, "no-main-content": 1, "image/png": 1}


def test_an_empty_warc_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c-00000.warc.gz"
    path.write_bytes(b"")
    problems: list[str] = []
    assert list(iter_source(path, problems)) == []
    [problem] = problems
    assert str(path) in problem and "empty WARC file (0 bytes)" in problem


def test_a_normaliser_crash_on_one_capture_is_named_and_the_others_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive import sources

    (tmp_path / "a.txt").write_text(ARTICLES["suqian"]["text"], encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLES["gangzha"]["text"], encoding="utf-8")
    real = sources.clean_function()

    def flaky(data: bytes, **kwargs: object) -> list[Record]:
        if kwargs.get("name") == "a.txt":
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return real(data, **kwargs)

    monkeypatch.setattr(sources, "clean_function", lambda: flaky)
    problems: list[str] = []
    records = list(iter_source(tmp_path, problems))
    assert len(records) == 1 and "黄卫锋" in records[0].text
    [problem] = problems
    assert "a.txt: normalize.clean failed (UnicodeEncodeError" in problem and "please report" in problem
