"""The hand-made national-news labels (bench/labels/news-national.json) and their resolver.

The labels anchor title/date/body to pages under ../shared/eval/extraction/news-unlabeled with short
text quotes (bench/quote_labels.py). Tests of the file's shape and of the resolver run everywhere; the
tests that resolve labels against the pages skip with a message when ../shared is absent.
"""

from __future__ import annotations

import doctest
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from extract_testdata import SHARED_EXTRACTION, load_quote_labels, shared_or_skip

ql = load_quote_labels()
LABELS = ql.load_labels(ql.NEWS_LABELS)
DOC = json.loads(ql.NEWS_LABELS.read_text("utf-8"))
MIN_CJK = 80  # the shortest labelled article is a one-paragraph brief of 100 Han characters
# Lines that are furniture on these pages; a reference body holding one was labelled wrongly.
NOT_ARTICLE = ("责任编辑", "责编", "分享到", "上一篇", "下一篇", "相关新闻", "版权所有", "ICP备", "扫一扫",
               "原标题", "来源：")


def test_doctests() -> None:
    result = doctest.testmod(ql)
    assert result.attempted > 0 and result.failed == 0


def test_label_file_shape() -> None:
    paths = [label.path for label in LABELS]
    assert len(paths) >= 30 and len(set(paths)) == len(paths)
    per_site = Counter(label.site for label in LABELS)
    assert max(per_site.values()) <= 3, per_site
    assert len(per_site) >= 20, f"labels spread over only {len(per_site)} sites"
    skipped = {entry["path"] for entry in DOC["skipped"]}
    assert all(entry["reason"] for entry in DOC["skipped"])
    assert not skipped & set(paths), "a page is both labelled and skipped"
    for label in LABELS:
        assert label.path.split("/")[0] == label.site and label.title.strip() and label.note.strip()
        assert label.published and re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:\d\d)?", label.published)
        for quote in (q for pair in label.ranges for q in pair):
            assert 6 <= len(quote) <= 16 and not re.search(r"\s", quote), (label.path, quote)


def test_resolver_names_the_file_and_the_failing_quote(tmp_path: Path) -> None:
    page = tmp_path / "site" / "1.html"
    page.parent.mkdir()
    page.write_text("<html><body><div>导航 首页</div><p>正文第一段。</p><p>正文第二段。</p>"
                    "<p>责任编辑：某</p></body></html>", "utf-8")

    def label(*ranges: list[str]) -> Any:
        return ql.Label(path="site/1.html", host="example.cn", site="site", title="标题",
                        published=None, source=None, ranges=tuple(tuple(r) for r in ranges), note="")

    assert ql.resolve(label(["正文第一段", "第二段。"]), tmp_path)[2] == "正文第一段。正文第二段。"
    with pytest.raises(ql.LabelError, match=r"1\.html.*start quote '正文' occurs 2 times"):
        ql.resolve(label(["正文", "第二段。"]), tmp_path)
    with pytest.raises(ql.LabelError, match=r"1\.html.*end quote '第三段' not found"):
        ql.resolve(label(["正文第一段", "第三段"]), tmp_path)
    with pytest.raises(ql.LabelError, match=r"range 2: start quote '正文第一段' not found at or after"):
        ql.resolve(label(["正文第一段", "第二段。"], ["正文第一段", "第一段。"]), tmp_path)
    page.write_bytes(b"<html><body>\xff</body></html>")
    with pytest.raises(ql.LabelError, match="not valid UTF-8"):
        ql.resolve(label(["正文第一段", "第二段。"]), tmp_path)


@pytest.mark.shared
def test_every_page_is_labelled_or_skipped_with_a_reason() -> None:
    root = shared_or_skip("news-unlabeled")
    on_disk = {str(p.relative_to(root)) for p in root.glob("*/*.html")}
    accounted = {label.path for label in LABELS} | {entry["path"] for entry in DOC["skipped"]}
    assert on_disk == accounted, (sorted(on_disk - accounted), sorted(accounted - on_disk))


@pytest.mark.shared
@pytest.mark.parametrize("label", LABELS, ids=[label.path for label in LABELS])
def test_label_resolves(label: Any) -> None:
    root = shared_or_skip("news-unlabeled")
    assert root.resolve() == ql.NEWS_PAGES.resolve() == (SHARED_EXTRACTION / "news-unlabeled").resolve()
    text = ql.page_text((root / label.path).read_bytes(), where=label.path)
    cursor = 0
    for start_quote, end_quote in label.ranges:
        start = text.find(start_quote, cursor)
        assert start >= 0 and text.find(start_quote, start + 1) < 0, f"start quote {start_quote!r} not unique"
        assert text.find(end_quote, start) >= 0, f"end quote {end_quote!r} missing"
        cursor = text.find(end_quote, start) + len(end_quote)
    title, published, body = ql.resolve(label, root)
    assert re.sub(r"\s", "", title) in text, "title not in the page text"
    # the date is the page's own (visible, or for Baijiahao's year-less dates its dateUpdate meta)
    year, month, day = published[:10].split("-")
    raw = (root / label.path).read_text("utf-8")
    assert re.search(rf"{year}\D{{0,3}}0?{int(month)}\D{{1,3}}0?{int(day)}(?!\d)", raw), "date not on page"
    assert published[11:] in raw, "time not on page"
    assert ql.cjk_count(body) >= MIN_CJK, f"body has {ql.cjk_count(body)} Han characters"
    assert not [w for w in NOT_ARTICLE if w in body], "furniture inside the reference body"
