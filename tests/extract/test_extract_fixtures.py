"""extract_html on project-written portal pages: expected title/date/source/editor/bylines/body as
data in cases.toml, one test per case, named after the layout or defect the page covers (in-the-wild:
the list-structured articles of issue 8 that a densest-run selection cut down — every item must stay)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from normalize.errors import ExtractionError
from normalize.extract.page import Extraction, extract_html

HERE = Path(__file__).parent
CASES = tomllib.loads((HERE / "cases.toml").read_text("utf-8"))
FIELDS = ("title", "kicker", "subtitle", "published", "source", "editor", "authors", "photographers")


def _params() -> list[Any]:
    params = [pytest.param(c, id=f"synthetic/{c['id']}") for c in CASES["synthetic"]]
    params += [pytest.param(c, id=f"in-the-wild/{c['id']}") for c in CASES["in-the-wild"]]
    params += [pytest.param(c, id=f"negative/{c['id']}") for c in CASES["negative"]]
    for c in CASES.get("known-failure", []):
        mark = pytest.mark.xfail(strict=True, reason=c["reason"])
        params.append(pytest.param(c, id=f"known-failure/{c['id']}", marks=mark))
    return params


def _extract(case: dict[str, Any]) -> Extraction:
    html = (HERE / "fixtures" / f"{case['id']}.html").read_text("utf-8")
    return extract_html(html, url=f"http://example.gov.cn/{case['id']}.html")


@pytest.mark.parametrize("case", _params())
def test_fixture_page(case: dict[str, Any]) -> None:
    ex = _extract(case)
    for name in FIELDS:
        if name in case:
            want = case[name] or None
            assert getattr(ex.meta, name) == want, f"{name}: got {getattr(ex.meta, name)!r}, want {want!r}"
    lines = ex.text.split("\n")
    if "body_starts" in case:
        assert lines[0].startswith(case["body_starts"]), f"body starts with {lines[0][:40]!r}"
    if "body_ends" in case:
        assert lines[-1].endswith(case["body_ends"]), f"body ends with {lines[-1][-40:]!r}"
    for s in case.get("body_lacks", []):
        assert s not in ex.text, f"furniture {s!r} left in the body"
    for s in case.get("body_has", []):
        assert s in ex.text, f"article text {s!r} was removed"


def test_removed_furniture_is_kept_with_kinds() -> None:
    ex = _extract({"id": "div-layout-source-editor-lines"})
    kinds = {r.kind for r in ex.removed}
    assert {"prev-next"} <= kinds
    assert any("上一篇" in r.text for r in ex.removed), "removed blocks must keep their text"


def test_title_is_not_repeated_in_body() -> None:
    ex = _extract({"id": "breadcrumb-xianzai-weizhi"})
    assert "百万亩良田开犁" not in ex.text.split("\n")[0]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        pytest.param("", "empty-document", id="empty-string"),
        pytest.param("  \n\t ", "empty-document", id="whitespace-only"),
        pytest.param("这是一段没有任何标签的纯文本新闻。", "not-html", id="plain-text-no-tags"),
        pytest.param(
            "<html><body><div><a href='/'>首页</a> <a href='/a'>新闻</a></div></body></html>",
            "no-main-content",
            id="navigation-only-index-page",
        ),
    ],
)
def test_bad_input_raises_with_reason(html: str, reason: str) -> None:
    with pytest.raises(ExtractionError) as info:
        extract_html(html)
    assert info.value.reason == reason
    assert str(info.value), "the error must say what to do"


def test_page_mojibake_is_read_back() -> None:
    """A GBK page that was decoded as Latin-1 upstream ("ÊÐÕþ¸®") is read back as GB18030."""
    page = (
        "<html><body><h1>标题</h1>"
        "<p>市政府召开常务会议，研究部署春耕生产工作，要求各地抓好落实，确保不误农时。</p></body></html>"
    )
    garbled = page.encode("gbk").decode("latin-1")
    ex = extract_html(garbled)
    assert "市政府召开常务会议" in ex.text
    assert "page-mojibake-reversed" in ex.flags


@pytest.mark.parametrize("case", CASES["in-the-wild"], ids=[c["id"] for c in CASES["in-the-wild"]])
def test_list_shaped_article_keeps_every_item_in_its_record(case: dict[str, Any]) -> None:
    """The record a user gets (clean(): repairs and line joins after extraction) keeps every item."""
    from normalize import clean

    data = (HERE / "fixtures" / f"{case['id']}.html").read_bytes()
    [record] = clean(data, url=f"http://example.gov.cn/{case['id']}.html")
    missing = [s for s in case["body_has"] if s not in record.text]
    assert not missing, f"items lost from the record: {missing}"
    assert (record.title, record.published) == (case["title"], case["published"])
    assert record.editor == case["editor"]
    assert not [s for s in case["body_lacks"] if s in record.text], "furniture left in the record"
