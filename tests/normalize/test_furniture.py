"""The line classifier on text captures (lines without hints): each kind of portal furniture goes into
`removed` with its kind; body text stays. (Lines with hints, from HTML pages: tests/extract.)"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize.structure.body import select_body
from normalize.structure.draft import Draft, plain_lines
from normalize.structure.furniture import classify, split_trailing_widgets
from normalize.structure.shapes import ends_sentence, is_title_like
from normalize.structure.stage import structure_article

# the definition ends_sentence implements without a regex search
TERMINAL_END = re.compile(r"(?:[。！？!?；;…]|\.{3,})[”’」』\"']*\s*$")


def strip_boilerplate(lines: list[str]) -> SimpleNamespace:
    """The structure stage's furniture on a text capture's lines: what stays, what went, the editor."""
    texts, widgets = split_trailing_widgets(lines)
    body = select_body(texts, classify(plain_lines(texts)))
    editor = structure_article(Draft(plain_lines(lines))).meta.editor
    return SimpleNamespace(lines=body.lines, removed=body.removed + widgets, editor=editor)

BODY = "市委书记到企业调研复工复产情况，强调统筹推进疫情防控和经济社会发展。"


def kinds(lines: list[str]) -> list[tuple[str, str]]:
    return [(r.kind, r.text) for r in strip_boilerplate(lines).removed]


@pytest.mark.parametrize(("lines", "kind"), [
    ([BODY, "版权声明:", "1.凡本网注明“来源:驻马店网”的所有作品。", "首席法律顾问:冯程斌律师",
      "2.转载目的在于传递更多信息。"], "copyright"),
    ([BODY, "京ICP备12345678号"], "icp"),
    ([BODY, "豫公网安备 41170202000005号"], "icp"),
    ([BODY, "责任编辑：律凯凯"], "editor-line"),
    ([BODY, "( 编辑:李建新 ) |"], "editor-line"),
    ([BODY, "查看心情排行你看到此篇文章的感受是:"], "mood-widget"),
    ([BODY, "打印"], "print-widget"),
    (["- 热门职位", "- 热门地点", BODY], "navigation"),
    ([BODY, "-", "节后生产忙", "-", "泌阳县全力打造营商环境“强磁场”"], "related-links"),
    ([BODY, "永泰街道20个城市“暖蜂驿站”投用", "为切实解决户外劳动者等实际问题,近日,平城区 ..."], "teaser"),
    ([BODY, "主编:龚海霞 施建 执行主编:陈黎", "投稿邮箱:gangzhaxinwen@163.com"], "footer"),
    ([BODY, "分享到：微信 微博 QQ空间"], "share-widget"),
    ([BODY, "上一篇：市委召开常委会议", "下一篇：全市经济运行平稳"], "prev-next"),
    ([BODY, "【责任编辑：张三】"], "editor-line"),
    ([BODY, "Copyright © 2020 驻马店网 All Rights Reserved"], "copyright"),
], ids=["copyright-with-clauses", "icp", "gongwang-anbei", "editor", "editor-bracketed", "mood", "print",
        "navigation", "related-links", "teaser", "epaper-footer", "share", "prev-next", "editor-lenticular",
        "copyright-english"])
def test_kind_removed_and_body_kept(lines: list[str], kind: str) -> None:
    stripped = strip_boilerplate(lines)
    assert stripped.lines == [BODY]
    assert {r.kind for r in stripped.removed} == {kind}
    removed_text = "\n".join(r.text for r in stripped.removed)
    for line in lines:
        if line != BODY:
            assert line.strip() in removed_text  # nothing is lost


def test_editor_name_is_returned() -> None:
    assert strip_boilerplate([BODY, "( 编辑:李建新 ) |"]).editor == "李建新"
    assert strip_boilerplate([BODY, "责任编辑：律凯凯"]).editor == "律凯凯"


def test_print_widget_trailing_a_dateline() -> None:
    stripped = strip_boilerplate([BODY, "来源: 发布日期:2020-02-14 打印"])
    assert stripped.lines == [BODY, "来源: 发布日期:2020-02-14"]
    assert kinds([BODY, "来源: 发布日期:2020-02-14 打印"]) == [("print-widget", "打印")]


@pytest.mark.parametrize("lines", [
    [BODY, "会议提出三点要求。", "1.加强组织领导。", "2.压实工作责任。"],
    ["- 这是正文中一个列表项，很长很长很长很长很长很长很长很长很长很长很长很长", BODY],
    [BODY, "上一篇文章标题", "下一段正文仍在继续，并以句号结束。"],
    [BODY, "编辑部的同志们参加了活动。"],
    [BODY, "分享到朋友圈的照片引发热议，网友纷纷点赞，认为这是基层治理的生动写照。"],
], ids=["numbered-list", "long-bullet", "short-line-then-paragraph", "editor-word-in-text", "share-in-text"])
def test_body_lines_stay(lines: list[str]) -> None:
    assert strip_boilerplate(lines).lines == lines


def test_single_related_item_is_not_a_list() -> None:
    assert strip_boilerplate([BODY, "-", "节后生产忙"]).lines == [BODY, "-", "节后生产忙"]


@pytest.mark.parametrize(("line", "expected"), [
    ("毫不放松 统筹推进 抓实抓细各项工作", True),
    ("北村村“小约定”撬动“大文明”", True),
    ("会议还研究了其他事项。", False),
    ("“防疫物资够不够?”", False),
    ("市委书记到企业调研，", False),
    ("- 热门职位", False),
    ("85308879", False),
])
def test_is_title_like(line: str, expected: bool) -> None:
    assert is_title_like(line) is expected


# The text path's icp / print / share / qr / prev-next lines are the HTML path's furniture kinds
# (data/extract_furniture.toml): what the HTML side knew — traditional spellings, 网站标识码, 列印,
# 字号 大 中 小, 扫码 — reaches text captures too.
@pytest.mark.parametrize(("line", "kind"), [
    ("粵ICP備05070829號 粵公網安備 44200002444號", "icp"),
    ("政府网站标识码：4117000001", "icp"),
    ("豫icp备12345678号", "icp"),
    ("【列印本頁】【關閉視窗】", "print-widget"),
    ("【打印本页】【关闭窗口】", "print-widget"),
    ("关闭", "print-widget"),
    ("字号：大 中 小", "print-widget"),
    ("【分享到】", "share-widget"),
    ("扫一扫在手机打开当前页", "qr-block"),
    ("【下一篇】：全市经济运行平稳", "prev-next"),
], ids=["icp-traditional", "site-id-code", "icp-lowercase", "print-traditional", "print-close-bracketed",
        "close-alone", "font-size", "share-bracketed", "qr", "prev-next-bracketed"])
def test_shared_furniture_kind_removed(line: str, kind: str) -> None:
    from normalize.structure.furniture import classify_line
    stripped = strip_boilerplate([BODY, line])
    assert stripped.lines == [BODY]
    assert [(r.kind, r.text) for r in stripped.removed] == [(kind, line)]
    assert classify_line(line) == kind  # the HTML path names it the same


@pytest.mark.parametrize("line", [
    "群众可拨打举报电话12345。",
    "分享经济成为新的增长点",
    "扫码预约的市民可以直接入场，现场工作人员将进行引导。",
], ids=["report-hotline-sentence", "sharing-economy-heading", "scan-to-book-sentence"])
def test_furniture_words_in_text_stay(line: str) -> None:
    assert strip_boilerplate([BODY, line, BODY]).lines == [BODY, line, BODY]


@given(st.text(alphabet="。！？!?；;….”’」』\"' \u3000\t文字a1", max_size=12))
def test_ends_sentence_is_terminal_end(line: str) -> None:
    assert ends_sentence(line) == (TERMINAL_END.search(line) is not None)


@pytest.mark.parametrize("lines", [
    [BODY, "版權所有 © 2020 某某市人民政府", "主辦單位：某某市人民政府辦公室"],
    [BODY, "主办单位：某某市人民政府办公室", "1.本网站所载内容仅供参考"],
    [BODY, "转载请注明出处"],
], ids=["traditional-copyright-footer", "organiser-with-clause", "reprint-notice"])
def test_shared_copyright_lines_removed(lines: list[str]) -> None:
    stripped = strip_boilerplate(lines)
    assert stripped.lines == [BODY]
    assert {r.kind for r in stripped.removed} == {"copyright"}


def test_sentence_mentioning_copyright_stays() -> None:
    lines = [BODY, "他说，版权所有人应当依法维权。", BODY]
    assert strip_boilerplate(lines).lines == lines


@pytest.mark.parametrize(("line", "editor"), [
    ("编辑：李跃群校对：王五", "李跃群"),
    ("责任编辑：史建磊_NBJ11331", "史建磊"),
    ("責任編輯：周婷", "周婷"),
], ids=["proofreader-run-in", "staff-code", "traditional-label"])
def test_editor_name_read_as_the_html_path_reads_it(line: str, editor: str) -> None:
    from normalize.structure.bylines import read_meta_lines
    assert strip_boilerplate([BODY, line]).editor == read_meta_lines([line]).editor == editor


def test_sharing_heading_is_not_share_furniture_on_html_pages_either() -> None:
    from normalize.structure.furniture import classify_line
    assert classify_line("分享经济成为新的增长点") is None
    assert classify_line("分享：") == classify_line("【分享】") == "share-widget"
