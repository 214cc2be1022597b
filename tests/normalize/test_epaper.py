"""normalize.structure.epaper: an e-paper page (seed 004's layout) becomes one article per byline."""

from __future__ import annotations

from normalize.structure.epaper import is_epaper, split_epaper

PAGE_TEXT = """2020年2月18日 星期二
第7期(总第1227期)

新闻热线:
85308879

官方微信

区委常委会召开会议 研究部署当前工作

2月13日，区委书记主持召开区委常委会会议，研究部署当前各项重点工作。

言武旭

曹金海到基层检查指导企业

连日来，区长主持召开专题会议，研究企业复工复产。

方韋



2月16日，在幸福科技工业园区，工作人员在车间忙碌。

许丛军

主编:龚海霞 施建
投稿邮箱:gangzhaxinwen@163.com"""
PAGE = PAGE_TEXT.split("\n")
FIRST_BODY = "2月13日，区委书记主持召开区委常委会会议，研究部署当前各项重点工作。"


def test_detected() -> None:
    assert is_epaper(PAGE)


def test_ordinary_article_with_a_byline_is_not_an_epaper() -> None:
    assert not is_epaper(["标题", "正文第一段。", "言武旭"])


def test_articles_titles_and_bylines() -> None:
    page = split_epaper(PAGE)
    titles = ["区委常委会召开会议 研究部署当前工作", "曹金海到基层检查指导企业", None]
    assert [a.title for a in page.articles] == titles
    assert [a.authors for a in page.articles] == [["言武旭"], ["方韋"], ["许丛军"]]
    assert [a.photo_caption for a in page.articles] == [False, False, True]
    assert page.published == "2020-02-18"


def test_masthead_and_footer_are_kept_as_removed_blocks() -> None:
    page = split_epaper(PAGE)
    assert [r.kind for r in page.removed] == ["masthead", "footer"]
    assert "第7期(总第1227期)" in page.removed[0].text and "85308879" in page.removed[0].text
    assert "投稿邮箱" in page.removed[1].text


def test_article_body_keeps_blank_lines_for_the_line_joiner() -> None:
    first = split_epaper(PAGE).articles[0]
    assert [s for s in first.lines if s.strip()] == [FIRST_BODY]
