"""normalize.structure.meta (the one metadata reader): headline, dateline, byline and summary of one
article's lines, with no page head (a text capture) or with the headline the page names."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from normalize.structure.bylines import parse_byline
from normalize.structure.draft import Head
from normalize.structure.meta import Read, read_metadata
from normalize.structure.vocab import parse_date, partial_date

BODY = "市委书记到企业调研复工复产情况，强调统筹推进疫情防控和经济社会发展。"
KNOWN = "页面给出的标题"


def extract_metadata(lines: list[str], *, headline: bool = True) -> Read:
    """The reader on a text capture's lines; ``headline=False``: the page named the headline."""
    return read_metadata(lines, [], Head() if headline else Head(title=KNOWN))


@pytest.mark.parametrize(("text", "iso"), [
    ("2020年02月12日08:28 来源:宿迁市广播电视总台", "2020-02-12T08:28"),
    ("发布日期：2020-02-14", "2020-02-14"),
    ("2020年2月18日 星期二", "2020-02-18"),
    ("2022/11/05", "2022-11-05"),
    ("2020年13月40日", None),
    ("2月13日", None),
])
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(("text", "iso"), [("2月20日上午", "--02-20"), ("11 月4日至6日", "--11-04"),
                                           ("12月32日", None), ("近日", None)])
def test_partial_date(text: str, iso: str | None) -> None:
    assert partial_date(text) == iso


@pytest.mark.parametrize(("byline", "authors", "photographers"), [
    ("记者 滑清泉/文 谭啸/图", ["滑清泉"], ["谭啸"]),
    ("记者柴锦玉", ["柴锦玉"], []),
    ("记者 王五 通讯员 赵六", ["王五", "赵六"], []),
    ("记者 李六/摄", [], ["李六"]),
])
def test_parse_byline(byline: str, authors: list[str], photographers: list[str]) -> None:
    assert parse_byline(byline) == (authors, photographers)


def test_title_subtitle_and_summary_duplicate() -> None:
    summary = "摘要：市委书记到企业调研复工复产情况，强调..."
    ex = extract_metadata(["标题行", summary, "副题一", "副题二", BODY])
    assert (ex.meta.title, ex.meta.subtitle) == ("标题行", "副题一\n副题二")
    assert ex.body == [BODY]
    assert [r.kind for r in ex.removed] == ["title", "summary-duplicate", "subtitle", "subtitle"]


def test_summary_with_new_content_stays() -> None:
    ex = extract_metadata(["标题行", "摘要：另有一段完全不同的内容说明。", BODY])
    assert ex.body == ["摘要：另有一段完全不同的内容说明。", BODY]


def test_headline_after_body_needs_its_dateline() -> None:
    with_dateline = extract_metadata([BODY, "引题在这里强调", "主标题 在这里", "来源: 发布日期:2020-02-14"])
    assert (with_dateline.meta.kicker, with_dateline.meta.title) == ("引题在这里强调", "主标题 在这里")
    assert with_dateline.meta.published == "2020-02-14"
    assert with_dateline.body == [BODY]
    without = extract_metadata([BODY, "引题在这里强调", "主标题 在这里"])
    assert without.meta.title is None and without.body == [BODY, "引题在这里强调", "主标题 在这里"]


def test_trailing_name_line_is_a_byline() -> None:
    ex = extract_metadata([BODY, "方韋"])
    assert ex.meta.authors == ["方韋"] and ex.body == [BODY]


def test_lead_byline_gives_source_authors_and_partial_date() -> None:
    lead = "驻马店网讯（记者 滑清泉/文 谭啸/图）2月20日上午，市长深入企业调研。"
    ex = extract_metadata([lead])
    m = ex.meta
    assert (m.source, m.authors, m.photographers) == ("驻马店网", ["滑清泉"], ["谭啸"])
    assert m.published == "--02-20"
    assert "published-from-lead" in ex.flags
    assert ex.body == [lead]  # the lead keeps its byline


def test_benbao_is_not_a_source() -> None:
    assert extract_metadata(["本报讯（记者柴锦玉）2月13日，市委书记到卢氏县检查。"]).meta.source is None


def test_empty_source_label_is_not_a_source() -> None:
    ex = extract_metadata([BODY, "标题", "来源: 发布日期:2020-02-14"])
    assert ex.meta.source is None and ex.meta.published == "2020-02-14"


def test_no_paragraph_means_no_headline() -> None:
    lines = ["复工复产", "疫情防控"]
    ex = extract_metadata(lines)
    assert ex.meta.title is None and ex.body == lines


def test_known_headline_still_drops_a_leading_dateline() -> None:
    ex = extract_metadata(["2020年02月12日08:28 来源：宿迁台", "短的小标题", BODY], headline=False)
    assert ex.body == ["短的小标题", BODY]
    assert (ex.meta.title, ex.meta.published, ex.meta.source) == (KNOWN, "2020-02-12T08:28", "宿迁台")


# The text path reads dates, bylines and sources with vocab, the HTML path's vocabulary: what
# the HTML side knew (full-width digits, 时/分, traditional spellings, label look-alikes) reaches text
# captures too, so a text capture and the HTML page of one article agree.
@pytest.mark.parametrize(("text", "iso"), [
    ("２０２０年２月１２日　０８：２８", "2020-02-12T08:28"),
    ("2020年2月12日 8时30分", "2020-02-12T08:30"),
    ("2011-12-09 18:51:03", "2011-12-09T18:51:03"),
])
def test_parse_date_reads_what_the_html_path_reads(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_partial_date_reads_fullwidth_digits() -> None:
    assert partial_date("１１月４日上午") == "--11-04"


@pytest.mark.parametrize(("byline", "authors", "photographers"), [
    ("記者 張三/文 李四/圖", ["張三"], ["李四"]),
    ("本報記者 陳明 實習生 王芳", ["陳明", "王芳"], []),
    ("记者 欧阳晓明", ["欧阳晓明"], []),
])
def test_parse_byline_traditional_and_compound_names(byline: str, authors: list[str],
                                                      photographers: list[str]) -> None:
    assert parse_byline(byline) == (authors, photographers)


def test_traditional_lead_byline_and_dateline() -> None:
    ex = extract_metadata(["標題在這裏", "2020年02月12日 08:28 來源：宿遷台",
                           "宿遷網訊（記者 張三）2月12日，市長深入企業調研。"])
    m = ex.meta
    assert (m.title, m.published) == ("標題在這裏", "2020-02-12T08:28")
    assert (m.source, m.authors) == ("宿遷台", ["張三"])


def test_source_label_running_into_the_next_label() -> None:
    ex = extract_metadata(["标题", "2020-02-14 来源：新华网作者：王明", BODY])
    assert ex.meta.source == "新华网"


_BYLINE_CASES = tomllib.loads((Path(__file__).parents[1] / "extract" / "bylines.toml").read_text("utf-8"))


@pytest.mark.parametrize("case", [
    pytest.param(c, id=f"{group}/{c['id']}")
    for group in ("synthetic", "negative") for c in _BYLINE_CASES[group] if "body" in c and "meta" not in c
])
def test_text_path_reads_the_html_path_byline_cases(case: dict[str, Any]) -> None:
    """Every byline case of the HTML path (tests/extract/bylines.toml) reads the same on a text capture."""
    from normalize.structure.bylines import read_bylines
    from normalize.structure.draft import Meta
    html = Meta()
    read_bylines(case["body"], html)
    text = extract_metadata(case["body"], headline=False).meta
    assert (text.authors, text.photographers) == (html.authors, html.photographers)
    for name in ("authors", "photographers"):
        if name in case:
            assert getattr(text, name) == case[name]
