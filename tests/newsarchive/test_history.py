"""newsarchive.history: every capture of an article classified (new, unchanged, edited, metadata-changed,
deleted and how, restored, moved, unavailable), from archives written as crawls (history_helpers).

Cases as data: each is a list of crawls (what the server answered per URL) and the states expected for
the article at ``url``, one per crawl that saw it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from history_helpers import BASE, Fetch, Site

from newsarchive import history
from newsarchive.gone import probe_url
from newsarchive.index import ArchiveIndex
from newsarchive.search import Filters, Searcher, parse_query

A = "/xwzx/gzdt/202002/t20200210_2001.html"  # 市工信局开展企业复工复产专项服务行动 (short filler)
B = "/art/2020/2/20/art_1229_1001.html"  # 朱是西深入高新区调研指导企业复工复产和疫情防控工作
NEW = "/xwzx/gzdt/202003/t20200302_3001.html"
FIGURE = {"走访企业136家": "走访企业163家"}
PLACEHOLDER = ("<html><head><meta charset='utf-8'><title>提示_示例市人民政府</title></head><body>"
               "<div class='nav'><a href='/'>首页</a> 政务要闻 工作动态</div><div class='content'>"
               "<p>对不起，该信息已删除！</p></div><div class='footer'>版权所有：示例市人民政府</div>"
               "</body></html>").encode()


def not_found_page(url: str) -> bytes:
    """The site's own not-found page, answered with 200 (it echoes the requested URL)."""
    return ("<html><head><meta charset='utf-8'><title>示例市人民政府</title></head><body>"
            "<div class='nav'>首页 政务要闻 工作动态 数字报</div><h1>抱歉，找不到了</h1>"
            f"<p>您要找的内容可能已经移走了，请返回首页继续浏览：{url}</p>"
            "<p>更多政务服务请访问市政府门户网站首页，或拨打政务服务热线。</p>"
            "<div class='footer'>版权所有：示例市人民政府 主办：示例市人民政府办公室</div></body></html>"
            ).encode()


CASES = {
    "edited-then-deleted-then-restored": (A, [
        [Fetch(A)],
        [Fetch(A, revisit="not-modified")],
        [Fetch(A, edits=FIGURE)],
        [Fetch(A, status=404)],
        [Fetch(A, status=404)],
        [Fetch(A, edits=FIGURE)],
    ], [("new", None, 1), ("unchanged", None, 1), ("edited", None, 2), ("deleted", "http-404", None),
        ("deleted", "http-404", None), ("restored", None, 2)]),
    "identical-payload-revisit": (A, [[Fetch(A)], [Fetch(A, revisit="identical")]],
                                  [("new", None, 1), ("unchanged", None, 1)]),
    "metadata-changed": (A, [[Fetch(A)], [Fetch(A, edits={"责任编辑：张丽": "责任编辑：张莉"})]],
                         [("new", None, 1), ("metadata-changed", None, 2)]),
    "redirect-home": (A, [
        [Fetch(A)],
        [Fetch(A, status=302, location="/index.html"), Fetch("/index.html")],
    ], [("new", None, 1), ("deleted", "redirect-home", None)]),
    "redirect-home-recorded-by-another-tool": (A, [
        [Fetch(A)],
        [Fetch(A, status=302, location="/index.html"), Fetch("/index.html", page="/index.html")],
    ], [("new", None, 1), ("deleted", "redirect-home", None)]),
    "redirect-column": (A, [
        [Fetch(A)],
        [Fetch(A, status=301, location="/xwzx/gzdt/index.html"), Fetch("/xwzx/gzdt/index.html")],
    ], [("new", None, 1), ("deleted", "redirect-column", None)]),
    "placeholder-page": (A, [[Fetch(A)], [Fetch(A, body=PLACEHOLDER)]],
                         [("new", None, 1), ("deleted", "placeholder", None)]),
    "soft-404-like-the-probe": (A, [
        [Fetch(A)],
        [Fetch(probe_url(BASE + A, "c2"), body=not_found_page(probe_url(BASE + A, "c2"))),
         Fetch(A, body=not_found_page(BASE + A))],
    ], [("new", None, 1), ("deleted", "soft-404", None)]),
    "soft-404-redirect-where-the-probe-went": (A, [
        [Fetch(A)],
        [Fetch(probe_url(BASE + A, "c2"), status=302, location="/404.html"), Fetch("/404.html", status=404),
         Fetch(A, status=302, location="/404.html")],
    ], [("new", None, 1), ("deleted", "soft-404", None)]),
    "moved-by-content": (A, [[Fetch(A)], [Fetch(A, status=404), Fetch(NEW, page=A)]],
                         [("new", None, 1), ("moved", "http-404", None)]),
    "moved-by-redirect": (A, [[Fetch(A)], [Fetch(A, status=301, location=NEW), Fetch(NEW, page=A)]],
                          [("new", None, 1), ("moved", None, None)]),
    "redirect-to-another-article": (A, [[Fetch(A)], [Fetch(A, status=301, location=B), Fetch(B)]],
                                    [("new", None, 1), ("deleted", "redirect-other", None)]),
    "redirect-offsite": (A, [[Fetch(A)], [Fetch(A, status=302, location="http://parked.example.com/")]],
                         [("new", None, 1), ("deleted", "redirect-offsite", None)]),
    "redirect-loop": (A, [
        [Fetch(A)],
        [Fetch(A, status=302, location="/loop.html"), Fetch("/loop.html", status=302, location=A)],
    ], [("new", None, 1), ("unavailable", "redirect-loop", None)]),
    "garbage-then-back": (A, [[Fetch(A)], [Fetch(A, body=b"\x00\x01\xff\xfe" * 300)], [Fetch(A)]],
                          [("new", None, 1), ("unavailable", "garbage", None), ("unchanged", None, 1)]),
    "server-error-is-no-deletion": (A, [[Fetch(A)], [Fetch(A, status=503)], [Fetch(A, revisit="identical")]],
                                    [("new", None, 1), ("unavailable", "http-503", None),
                                     ("unchanged", None, 1)]),
}


def build(tmp_path: Path, crawls: list[list[Fetch]]) -> Path:
    archive = tmp_path / "archive"
    site = Site(archive)
    for crawl in crawls:
        site.crawl(crawl)
    return archive


def states_of(archive: Path, url: str) -> list[tuple[str, str | None, int | None]]:
    with ArchiveIndex(archive) as index:
        index.update()
        rows = [r for r in history.rows(index.db, "url = ?", (BASE + url,)) if r.article.endswith("-0")]
    return [(r.state, r.how, r.version) for r in rows]


@pytest.mark.parametrize("name", sorted(CASES))
def test_history_case(name: str, tmp_path: Path) -> None:
    url, crawls, expected = CASES[name]
    assert states_of(build(tmp_path, crawls), url) == expected


def test_the_arrival_of_a_moved_article_is_moved_too_and_continues_its_versions(tmp_path: Path) -> None:
    archive = build(tmp_path, [[Fetch(A)], [Fetch(A, status=404), Fetch(NEW, page=A, edits=FIGURE)]])
    with ArchiveIndex(archive) as index:
        index.update()
        [arrival] = list(history.rows(index.db, "url = ?", (BASE + NEW,)))
        [gone_row] = [r for r in history.rows(index.db, "url = ?", (BASE + A,)) if r.state == "moved"]
        assert (arrival.state, arrival.related, arrival.version) == ("moved", BASE + A, 2)
        assert gone_row.related == BASE + NEW
        d = history.diff_of(index.db, arrival.diff_key)
        assert d is not None and [(c["old"], c["new"]) for c in d["changes"] if "136" in c["old"]]
        # `newsarchive history` of either URL tells the whole story
        assert {r.url for r in history.article_rows(index.db, BASE + A)} == {BASE + A, BASE + NEW}


def test_edit_keeps_the_diff_newsarchive_diff_computes(tmp_path: Path) -> None:
    archive = build(tmp_path, [[Fetch(A)], [Fetch(A, edits=FIGURE)]])
    with ArchiveIndex(archive) as index:
        index.update()
        [edit] = history.changes(index.db, states=["edited"])
        d = history.diff_of(index.db, edit.diff_key)
    assert d is not None and d["status"] == "edited" and d["sentences"]["changed"] == 1
    [change] = d["changes"]
    assert "走访企业136家" in change["old"] and "走访企业163家" in change["new"]
    assert edit.change and edit.text_sha256 and edit.record_file


def test_a_resumed_crawls_first_fetch_of_a_page_does_not_count(tmp_path: Path) -> None:
    """A page fetched twice in one crawl (a resume refetched it) is one capture in the history."""
    archive = build(tmp_path, [[Fetch(A)], [Fetch(A, body=b"\x00" * 10), Fetch(A, edits=FIGURE)]])
    assert states_of(archive, A) == [("new", None, 1), ("edited", None, 2)]


def test_deleted_article_is_a_tombstone_in_search(tmp_path: Path) -> None:
    name = {"金冬江": "金东江"}
    archive = build(tmp_path, [[Fetch(A), Fetch(B)], [Fetch(A, status=404), Fetch(B, edits=name)]])
    with ArchiveIndex(archive) as index:
        index.update(search=True)  # the search rows, then the history sets their states
    with ArchiveIndex.open_read_only(archive) as index:
        s = Searcher(index.db)
        deleted = s.search(parse_query("工信局"), Filters(state=("deleted",)))
        assert deleted.total == 1 and deleted.hits[0].url == BASE + A  # its last text stays findable
        edited = s.search(parse_query("朱是西"), Filters(state=("edited",)))
        assert edited.total == 2  # both versions of the edited article


def test_history_is_rebuilt_only_when_the_archive_changed(tmp_path: Path) -> None:
    archive = build(tmp_path, [[Fetch(A)]])
    with ArchiveIndex(archive) as index:
        index.update()
        assert not history.update(index).rebuilt
    later = Site(archive)
    later.crawls = 1  # the second crawl of the site
    later.crawl([Fetch(A, status=404)])
    with ArchiveIndex(archive) as index:
        index.update()
        assert [r.state for r in history.rows(index.db)] == ["new", "deleted"]
