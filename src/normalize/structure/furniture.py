"""Where furniture is decided: the one line classifier of both inputs.

:func:`classify` names the furniture kind of every line of an article draft, or ``None`` for article
text. Recall first: a line is furniture only when a named rule positively identifies it; "short",
"not dense enough", "between headings" or "looks like a list" are never reasons. The rules:

**Line kinds** (``data/extract_furniture.toml``; one regular expression per kind, compiled on first use):
breadcrumb, print/close and share widgets, related-link headings, 上一篇/下一篇, editor and metadata
lines, copyright, ICP/公网安备/网站标识码/举报, QR-code blocks, leaked code, escaped-pipe navigation rows.
A line that reads as prose (:func:`~normalize.structure.shapes.is_prose`) is matched only by a kind's
``prose`` patterns (a copyright notice written as a sentence; other lines by both lists), so a body
sentence that mentions 举报电话
or 版权 stays. Text-capture kinds, in the same table of rules below: ``editor-line`` with its name (also
审核/编审), ``mood-widget`` (查看心情排行), ``footer`` (e-paper staff lines: 主编:, 投稿邮箱:).

**Block kinds**:

- ``copyright``: a copyright line and the numbered clauses or lawyer lines right after it;
- a widget split one button per line (``【字号`` / ``大`` / ``中`` / ``小`` / ``】``): very short lines that
  read together as a print or share widget take its kind;
- ``link-block`` (lines with link hints, from HTML): two or more lines that are the text of links to
  other pages (a teaser's date or count beside it allowed; a bulleted date line between two allowed),
  with the label heading them; the links right after a related-links heading; link lines at the
  article's top or bottom edge (menus, teaser lists) — a single linked line between body lines stays;
- ``above-headline`` (HTML): the lines above the page's headline, when it is one of the first lines
  and no sentence stands above it (a column name, a bar of the site's sections);
- ``byline`` (HTML): a line that only credits people (记者 张三, 执笔/某某), above the article's
  first sentence or below its last (between them it is text: 记者手记); its names are read;
- ``after-article`` (HTML): after the article's last sentence, the first line of a closing kind
  (editor line, share/print widgets, 上一篇/下一篇, related links, copyright, ICP, QR code, a block
  of links) ends the article, and what follows it on the page is the page's, not the article's;
- on text captures, which have no link hints: ``navigation`` (short bulleted items before the first
  paragraph), ``related-links`` (two or more "-" items, bullet line + title line) and ``teaser``
  (trailing title + lead cut short with "...").

**Text-only guards** (a line without hints, from a text capture): nothing weighs a furniture-looking line
against the page's links there, so a line that ends a sentence (``群众可拨打举报电话12345。``) or reads
as prose is never a shared kind, and a ``prev-next`` line needs its colon (``上一篇：…``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from normalize.chars import compare_key, han_count
from normalize.literals import Guarded, guard
from normalize.record import Removed
from normalize.structure import vocab
from normalize.structure.draft import Line
from normalize.structure.shapes import (
    BULLET_ITEM,
    BULLET_LINE,
    ELLIPSIS_END,
    LIST_MARK,
    ends_sentence,
    is_paragraph,
    is_prose,
    is_sentence,
    is_title_like,
)
from normalize.structure.vocab import COLON

_DATA = Path(__file__).parents[1] / "data" / "extract_furniture.toml"

# --- text-capture kinds ----------------------------------------------------------------------------
# possessive \s*+ wherever two runs of spaces meet: linear on a line of 100k spaces (issue 10)
EDITOR = re.compile(r"^\s*+[(（\[【]?\s*+(?:" + vocab.EDITOR_LABEL + r"|审核|審核|编审|編審)\s*+" + COLON
                    + r"\s*+(?P<name>[^)）\]】|]{1,20}?)\s*+[)）\]】]?\s*+[|｜]?\s*+$")
MOOD = re.compile(r"^\s*查看心情排行")
FOOTER = re.compile(
    r"^\s*+(?:主编|执行主编|副主编|总编辑|校对|美编|编审|投稿邮箱|电子邮箱|联系邮箱)\s*" + COLON
)
MASTHEAD_LINE = re.compile(
    r"^\s*+(?:第\s*\d+\s*期\s*[(（]\s*总第\s*\d+\s*期\s*[)）]"
    r"|新闻热线\s*" + COLON + r"?.*"
    r"|官方(?:微信|微博)"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*星期[一二三四五六日天]"
    r"|[\d\- ]{7,15})\s*$"
)
PRINT_TRAILING = re.compile(  # a print/close widget trailing a dateline of a text capture
    r"(?<!\s)\s++(?P<w>[【\[]?(?:打印(?:本页|此页)?|关闭窗口)[】\]]?(?:\s++[【\[]?关闭窗口[】\]]?)?)\s*+$"
)
_PRINT_TRAILING_GUARDED = guard(PRINT_TRAILING)  # searched only in a line holding 打印 or 关闭窗口
PREV_NEXT_COLON = re.compile(r"^[^:：]{0,8}" + COLON)
COPYRIGHT_START = re.compile(r"^\s*(?:版权声明|免责声明|版权所有|Copyright|©)", re.I)
COPYRIGHT_CLAUSE = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．]|[（(]\d{1,2}[)）])|法律顾问|律师事务所|律师\s*$"
)
_TEXT_KINDS = {"editor-line": EDITOR, "mood-widget": MOOD, "footer": FOOTER}
# a text capture's kinds in priority order; those not in _TEXT_KINDS are the data file's
_TEXT_ORDER = ("icp", "editor-line", "mood-widget", "share-widget", "qr-block", "prev-next", "print-widget",
               "image-widget", "footer")
STEP_NUMBER = re.compile(  # a numbered item: 1. / 1、 / （1） / 一、 / 第一步 / 步骤1 / Step1：
    r"^\s*(?:\d{1,2}\s*[.、．]|[（(]\s*\d{1,2}\s*[)）]|[一二三四五六七八九十]{1,3}\s*、|第[一二三四五六七八九十\d]{1,3}步"
    r"|(?:步骤|步驟)\s*[一二三四五六七八九十\d]{1,3}|(?:Step|STEP|step)\s*\d{1,2}\s*[:：.、．])"
)
# a columnist's note below the column: 作者系某某大学教授
AUTHOR_NOTE = re.compile(r"^\s*+[（(]?\s*+(?:本文)?(?:作者|笔者|筆者)(?:系|为|為|是|係)\S")
AUTHOR_NOTE_WITHIN = 2  # an author's note stands this close below the line that closed the article
DOCUMENT_NUMBER = re.compile(r"[〔［\[][12]\d{3}[〕］\]]\s*\d+\s*号")  # 发文字号: 穗卫函〔2023〕1930号
HEADLINE_WITHIN = 12  # the headline is looked for among this many first lines
LINK_BLOCK_LINES = 2  # this many link lines together are a block of links wherever they stand
CLOSING_KINDS = frozenset({"editor-line", "share-widget", "print-widget", "prev-next", "related-links",
                           "copyright", "icp", "qr-block", "comments", "promo", "link-block"})
# closing kinds also seen inside an article
WEAK_CLOSING_KINDS = frozenset({"related-links", "icp", "qr-block", "link-block"})
EDGE_ONLY_KINDS = frozenset({"byline"})  # furniture only above the article's first sentence or below its last
HEAD_ONLY_KINDS = {"date-line": "metadata-line"}  # furniture (of this kind) only above the first sentence
SPLIT_WIDGET_CHARS = 6  # a widget's buttons split one per line are this short ...
SPLIT_WIDGET_KINDS = frozenset({"print-widget", "share-widget"})  # ... and read as one of these together
MAX_TEXT_LINE = 160  # a longer line of a text capture is never furniture by its own words
MAX_COPYRIGHT_LINE = 200


# --- the data file's kinds -----------------------------------------------------------------------

@dataclass(frozen=True)
class FurnitureKind:
    kind: str
    pattern: re.Pattern[str] | Guarded  # behind the pre-filter of their words (normalize.literals)
    prose_pattern: re.Pattern[str] | Guarded | None
    max_len: int
    numbered: bool = True  # False: a numbered item (1. / 一、 / （1）) is an article's step, never this kind
    sentences: bool = True  # False: a line that ends a sentence (。！？) is article text, never this kind


@functools.cache
def load_kinds() -> tuple[FurnitureKind, ...]:
    """The furniture kinds of the data file, in file order (first match wins); read once, when first
    needed.

    >>> [k.kind for k in load_kinds()][:3]
    ['breadcrumb', 'print-widget', 'share-widget']
    """
    import tomllib  # with the data file, on first use: importing normalize stays cheap

    table = tomllib.loads(_DATA.read_text("utf-8"))
    return tuple(
        FurnitureKind(
            kind=kind,
            pattern=_alternation(spec["line"] + spec.get("prose", [])),
            prose_pattern=_alternation(spec["prose"]) if spec.get("prose") else None,
            max_len=int(spec.get("max_len", 200)),
            numbered=bool(spec.get("numbered", True)),
            sentences=bool(spec.get("sentences", True)),
        )
        for kind, spec in table.items()
    )


def _alternation(patterns: list[str]) -> re.Pattern[str] | Guarded:
    return guard(re.compile("|".join(f"(?:{p})" for p in patterns)))


def furniture_kind(kind: str) -> FurnitureKind:
    """One kind of the data file.

    >>> furniture_kind("icp").max_len
    200
    """
    return _kinds_by_name()[kind]


@functools.cache
def _kinds_by_name() -> dict[str, FurnitureKind]:
    return {k.kind: k for k in load_kinds()}


@functools.lru_cache(maxsize=8192)
def classify_line(line: str) -> str | None:
    """The furniture kind of one stripped line of a page, or ``None`` when it is article text (cached:
    a page's lines are classified again when its fallback is weighed, and sites repeat their furniture).

    >>> classify_line("当前位置：首页 > 新闻中心 > 本地新闻")
    'breadcrumb'
    >>> classify_line("【打印本页】【关闭窗口】")
    'print-widget'
    >>> classify_line("责任编辑：王小明")
    'editor-line'
    >>> classify_line("- 责任编辑: 刘响"), classify_line("【下一篇】")
    ('editor-line', 'prev-next')
    >>> classify_line("粤ICP备05070829号 粤公网安备 44200002444号")
    'icp'
    >>> classify_line("主办方称，平台集纳有微博群、微直播等功能，首批入驻32个部门。") is None
    True
    >>> classify_line("记者从市发改局获悉，今年全市共完成投资120亿元，同比增长15%。") is None
    True
    >>> classify_line("扫描二维码下载客户端"), classify_line("1.先扫二维码，关注粤省事公众号")
    ('qr-block', None)
    """
    line = LIST_MARK.sub("", line, count=1)
    prose = is_prose(line)
    numbered = STEP_NUMBER.match(line) is not None
    sentence = ends_sentence(line)
    for kind in load_kinds():
        if len(line) > kind.max_len or (numbered and not kind.numbered) or (sentence and not kind.sentences):
            continue
        pattern = kind.prose_pattern if prose else kind.pattern
        if pattern is not None and pattern.search(line):
            return kind.kind
    return None


# --- one line of a text capture -----------------------------------------------------------------

@functools.cache
def _text_kind() -> re.Pattern[str]:
    """The text-capture kinds (all anchored at the line's start) in one alternation with named groups."""
    return re.compile("|".join(f"(?P<{k.replace('-', '_')}>{p.pattern})" for k, p in _TEXT_KINDS.items()))


@functools.cache
def _shared_specs() -> tuple[FurnitureKind, ...]:
    return tuple(furniture_kind(k) for k in _TEXT_ORDER if k not in _TEXT_KINDS)


def _shared_kind(s: str) -> str | None:
    numbered = STEP_NUMBER.match(s) is not None
    for spec in _shared_specs():
        if len(s) > spec.max_len or (numbered and not spec.numbered) or spec.pattern.search(s) is None:
            continue
        return None if spec.kind == "prev-next" and PREV_NEXT_COLON.match(s) is None else spec.kind
    return None


@functools.lru_cache(maxsize=8192)
def text_line_kind(line: str) -> str | None:
    """The kind of a line of a text capture, under the text-only guards (cached, as :func:`classify_line`:
    e-paper pages and a site's captures repeat their furniture lines).

    >>> text_line_kind("豫公网安备 41170202000005号"), text_line_kind("查看心情排行你看到此篇文章的感受是:")
    ('icp', 'mood-widget')
    >>> text_line_kind("投稿邮箱:gangzhaxinwen@163.com"), text_line_kind("打印"), text_line_kind("复工复产。")
    ('footer', 'print-widget', None)
    >>> text_line_kind("群众可拨打举报电话12345。"), text_line_kind("上一篇文章标题")
    (None, None)
    >>> text_line_kind("【下一篇】：标题")
    'prev-next'
    """
    s = line.strip()
    if not s or len(s) > MAX_TEXT_LINE:
        return None
    m = _text_kind().match(s)
    text_kind = m.lastgroup.replace("_", "-") if m is not None and m.lastgroup else None
    shared = _shared_kind(s)  # the words first, the sentence test only for a line that has them
    shared = None if shared is not None and is_sentence(s) else shared
    if text_kind is None or shared is None:
        return text_kind or shared
    return min(text_kind, shared, key=_TEXT_ORDER.index)


def starts_copyright(line: str) -> bool:
    """A 版权声明 line (kept even in a long sentence), or a line of the data file's ``copyright`` kind
    (版權所有, 主办单位：, 转载请注明 …) that is neither a sentence nor prose; never a line longer than
    MAX_COPYRIGHT_LINE (a paragraph that happens to open with © or 版权 is body text).

    >>> starts_copyright("版權所有 © 2020 某某市人民政府"), starts_copyright("主办单位：某某市政府办公室")
    (True, True)
    >>> starts_copyright("他说，版权所有人应当依法维权。"), starts_copyright("©" + "县政府召开会议。" * 30)
    (False, False)
    """
    s = line.strip()
    if len(s) > MAX_COPYRIGHT_LINE:
        return False
    if COPYRIGHT_START.match(s):
        return True
    spec = furniture_kind("copyright")
    return (len(s) <= spec.max_len and spec.pattern.search(s) is not None  # the words first
            and not is_sentence(s))


# --- the classifier --------------------------------------------------------------------------------

def classify(lines: list[Line], headline: str | None = None) -> list[str | None]:
    """The furniture kind of every line of one article (``None``: article text); see the module
    docstring for the rules.

    >>> page = [Line("首页", link=1.0), Line("新闻中心", link=1.0), Line("当前位置：首页 > 要闻", link=0.5),
    ...         Line("市政府召开常务会议，研究部署春耕生产工作。", link=0.0),
    ...         Line("一、抓好种子供应", link=0.0),
    ...         Line("会议要求各地抓好落实。", link=0.0), Line("责任编辑：李四", link=0.0),
    ...         Line("相关新闻", link=0.0), Line("东城区新增三处口袋公园", link=1.0)]
    >>> classify(page)
    ['breadcrumb', 'link-block', 'breadcrumb', None, None, None, 'editor-line', 'related-links', 'link-block']
    """
    hinted = any(line.hinted for line in lines)
    texts = [line.text for line in lines]
    kinds: list[str | None] = [
        classify_line(s.strip()) if line.hinted else text_line_kind(s)
        for line, s in zip(lines, texts, strict=True)
    ]
    mark_copyright(texts, kinds, hinted=hinted)
    mark_split_widgets(texts, kinds)
    if hinted:
        mark_above_headline(texts, kinds, headline)
        keep_inner_credits(texts, kinds)
        mark_link_blocks(lines, kinds)
        mark_after_article(lines, kinds)
    else:
        mark_navigation(texts, kinds)
        mark_related_links(texts, kinds)
        mark_teasers(texts, kinds)
    return kinds


def mark_copyright(lines: list[str], kinds: list[str | None], *, hinted: bool = False) -> None:
    """A copyright line starts a block: the numbered clauses and lawyer lines right after it go with it
    (blank lines allowed). On a page (``hinted``) the block starts at a line of the copyright kind; on a
    text capture also at a 版权声明 line that the text-only guards kept from the shared kinds."""
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        opens = kinds[i] == "copyright" if hinted else kinds[i] is None
        if opens and starts_copyright(s):
            kinds[i] = "copyright"
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or COPYRIGHT_CLAUSE.search(lines[j])):
                if lines[j].strip():
                    kinds[j] = "copyright"
                j += 1
            i = j
        else:
            i += 1


def mark_split_widgets(lines: list[str], kinds: list[str | None]) -> None:
    """A widget whose buttons came out one per line ("【字号", "大", "中", "小", "】"): a run of two or
    more very short unclaimed lines that, read as one line, is a print or share widget takes that
    kind. A run that does not read as a widget (a roster of names) stays."""
    i = 0
    while i < len(lines):
        end = i
        while end < len(lines) and kinds[end] is None and 0 < len(lines[end].strip()) <= SPLIT_WIDGET_CHARS:
            end += 1
        kind = classify_line(" ".join(s.strip() for s in lines[i:end])) if end - i >= 2 else None
        if kind in SPLIT_WIDGET_KINDS:
            kinds[i:end] = [kind] * (end - i)
        i = max(end, i + 1)


def mark_link_blocks(lines: list[Line], kinds: list[str | None]) -> None:
    """Blocks of links to other pages: two or more link lines, maybe with a line between them that is
    no sentence (a date, a bullet) and with the label heading them (a title-like line right before);
    the links right after a related-links heading; a link line at the article's top or bottom edge
    (furniture lines aside). A single linked line between body lines stays."""
    n = len(lines)
    # a linked "byline" (记者即时播报, a column in a menu) is a link like the others
    link = [kinds[i] in (None, "byline") and is_teaser_link(lines[i]) for i in range(n)]
    i = 0
    while i < n:
        if not link[i]:
            i += 1
            continue
        end, count = _link_block_end(lines, kinds, link, i)
        after_heading = i > 0 and kinds[i - 1] == "related-links"
        if count >= LINK_BLOCK_LINES or after_heading or _at_edge(kinds, i, end):
            start = i - 1 if count >= LINK_BLOCK_LINES and _labels_block(lines, kinds, i - 1) else i
            for k in range(start, end):
                kinds[k] = "link-block" if kinds[k] in (None, "byline") else kinds[k]
        i = end
    mark_box_items(lines, kinds)


def mark_box_items(lines: list[Line], kinds: list[str | None]) -> None:
    """The items of a related-links box: under its heading (最熱門新聞, 相关新闻), the list items that
    each hold a link to another page — a linked headline with its source, date and teaser beside it —
    are the box's (``link-block``), up to the first line that is not such an item.

    >>> page = [Line("正文。", link=0.0), Line("最熱門新聞", link=0.0),
    ...         Line("- 希臘爆棄養子女潮 明報 - 【明報專訊】希臘財政危機嚴峻。", link=0.4),
    ...         Line("- 法院下令恆香總店交吉", link=1.0), Line("- 非連結的條目", link=0.0)]
    >>> kinds = [None, "related-links", None, None, None]
    >>> mark_box_items(page, kinds)
    >>> kinds
    [None, 'related-links', 'link-block', 'link-block', None]
    """
    for i, kind in enumerate(kinds):
        if kind != "related-links":
            continue
        j = i + 1
        while j < len(lines) and (not lines[j].text.strip() or (
                kinds[j] in (None, "link-block") and LIST_MARK.match(lines[j].text)
                and (lines[j].link or 0) > 0)):
            if lines[j].text.strip():
                kinds[j] = "link-block"
            j += 1


def is_teaser_link(line: Line) -> bool:
    """A line that is the text of a link to another page, and not a paragraph: a linked line ending in
    a full stop or reading as prose is text that happens to be linked (a whole article inside an
    ``<a>``), not a headline pointing elsewhere.

    >>> is_teaser_link(Line("东城区新增三处口袋公园", link=1.0))
    True
    >>> is_teaser_link(Line("寒冬里泡温泉是享受。", link=1.0))
    False
    """
    text = line.text.rstrip()
    return line.is_link and not text.endswith(("。", "．")) and not is_prose(text)


def _link_block_end(lines: list[Line], kinds: list[str | None], link: list[bool], i: int) -> tuple[int, int]:
    """End (exclusive) of the block of links starting at ``i`` and how many link lines it holds."""
    end, count = i + 1, 1
    while end < len(lines):
        if link[end]:
            end, count = end + 1, count + 1
        elif end + 1 < len(lines) and link[end + 1] and _filler(lines[end], kinds[end]):
            end, count = end + 2, count + 1
        else:
            break
    return end, count


def _filler(line: Line, kind: str | None) -> bool:
    """A line between two links of a block that says nothing of its own: no sentence, no prose."""
    return kind is None and not is_sentence(line.text)


def _labels_block(lines: list[Line], kinds: list[str | None], i: int) -> bool:
    """The line at ``i`` is the label of the block of links after it (热点推荐, 48小时点击排行)."""
    return i >= 0 and kinds[i] is None and is_title_like(lines[i].text) and not lines[i].is_link


def mark_above_headline(lines: list[str], kinds: list[str | None], headline: str | None) -> None:
    """The article starts at its headline: when the page's headline is one of the first lines, the
    lines above it that are no sentence (a column name, 速报>>, a bar of the site's sections) are the
    page's (kind ``above-headline``); a sentence above it keeps everything, and a government
    document's number (穗民规字〔2025〕2号), printed above its title, stays."""
    key = compare_key(headline or "")
    if not key:
        return
    at = next((i for i, s in enumerate(lines[:HEADLINE_WITHIN]) if compare_key(s) == key), None)
    if at is None or any(kinds[i] is None and is_sentence(lines[i]) for i in range(at)):
        return
    for i in range(at):
        if not DOCUMENT_NUMBER.search(lines[i]):
            kinds[i] = kinds[i] or "above-headline"


def keep_inner_credits(lines: list[str], kinds: list[str | None]) -> None:
    """A credit-shaped line (``byline``: 记者 张三) between the article's first and last sentences is
    text (a subheading such as 记者手记): credits stand above or below an article. A line that is only
    a date is the article's dateline above its first sentence (``metadata-line``) and text below it
    (the date a notice was signed, under the issuing office's name)."""
    sentences = [i for i, k in enumerate(kinds) if k is None and is_sentence(lines[i])]
    first = sentences[0] if sentences else len(kinds)
    for i, kind in enumerate(kinds):
        if kind in HEAD_ONLY_KINDS:
            kinds[i] = HEAD_ONLY_KINDS[kind] if i < first else None
    if not sentences:
        return
    for i in range(sentences[0] + 1, sentences[-1]):
        if kinds[i] in EDGE_ONLY_KINDS:
            kinds[i] = None


def mark_after_article(lines: list[Line], kinds: list[str | None]) -> None:
    """The page's tail (kind ``after-article``): what follows the line that closes the article.

    The article is closed by the first line of a closing kind (editor line, share/print widgets,
    上一篇/下一篇, comments, copyright) after its first paragraph of prose that has at least as much of
    the article's sentences before it as after it (a share bar between the lead and the text does not
    close it); without one, by the first line of any closing kind (also related links, ICP, QR code, a
    block of links) after the last sentence.
    """
    weights = [_sentence_chars(line, kind) for line, kind in zip(lines, kinds, strict=True)]
    first = next((i for i, line in enumerate(lines) if weights[i] and is_prose(line.text)), None)
    if first is None:
        return
    total, before = sum(weights), 0
    end = None
    for i in range(first, len(kinds)):
        if kinds[i] in CLOSING_KINDS and kinds[i] not in WEAK_CLOSING_KINDS and before >= total - before:
            end = i
            break
        before += weights[i]
    if end is None:
        last = max(i for i, w in enumerate(weights) if w)
        end = next((i for i in range(last + 1, len(kinds)) if kinds[i] in CLOSING_KINDS), len(kinds))
    notes = author_notes(lines, kinds, end)
    for i in range(end + 1, len(kinds)):
        if i not in notes:
            kinds[i] = kinds[i] or "after-article"


def author_notes(lines: list[Line], kinds: list[str | None], end: int) -> set[int]:
    """The author's note printed under a column, just below its closing line (a copyright or
    reprint notice): "作者为科技商业观察家，……" / "（作者系某某大学教授）" is the article's last
    paragraph, not the page's tail.

    >>> author_notes([Line("正文。", link=0.0), Line("本文仅代表作者观点。", link=0.0),
    ...               Line("作者为《某某》杂志主笔，曾任记者。", link=0.0)], [None, "copyright", None], 1)
    {2}
    """
    found = set()
    for i in range(end + 1, min(end + 1 + AUTHOR_NOTE_WITHIN, len(lines))):
        if kinds[i] is None and not lines[i].is_link and AUTHOR_NOTE.match(lines[i].text) \
                and is_sentence(lines[i].text):
            found.add(i)
    return found


def _sentence_chars(line: Line, kind: str | None) -> int:
    """Han characters of a line that is a sentence of the article (0 for furniture and teasers)."""
    if kind is not None or is_teaser_link(line) or not is_sentence(line.text):
        return 0
    return han_count(line.text)


def _at_edge(kinds: list[str | None], start: int, end: int) -> bool:
    """Only furniture stands between lines[start:end] and the top or the bottom of the article."""
    return all(k is not None for k in kinds[:start]) or all(k is not None for k in kinds[end:])


def _first_paragraph(lines: list[str], kinds: list[str | None]) -> int:
    return next((i for i, s in enumerate(lines)
                 if kinds[i] is None and is_paragraph(s) and not BULLET_ITEM.match(s)), len(lines))


def mark_navigation(lines: list[str], kinds: list[str | None]) -> None:
    """Text capture: short bulleted items before the first paragraph ("- 热门职位"); without a
    paragraph, no navigation."""
    first = _first_paragraph(lines, kinds)
    if first == len(lines):
        return
    for i in range(first):
        if kinds[i] is None and BULLET_ITEM.match(lines[i]):
            kinds[i] = "navigation"


def _open_lines(lines: list[str], kinds: list[str | None]) -> list[int]:
    """Indices of the non-blank lines no rule has claimed yet."""
    return [i for i, s in enumerate(lines) if kinds[i] is None and s.strip()]


def mark_related_links(lines: list[str], kinds: list[str | None]) -> None:
    """Text capture: a list of at least two "-" items (bullet line, then a title line)."""
    items = []
    open_ = _open_lines(lines, kinds)
    for n, i in enumerate(open_):
        if BULLET_LINE.match(lines[i]) and n + 1 < len(open_) and len(lines[open_[n + 1]].strip()) <= 80:
            items.append((i, open_[n + 1]))
    if len(items) >= 2:
        for a, b in items:
            kinds[a] = kinds[b] = "related-links"


def mark_teasers(lines: list[str], kinds: list[str | None]) -> None:
    """Text capture: trailing (title, lead ending in "...") pairs, other articles' teasers."""
    open_ = _open_lines(lines, kinds)
    n = len(open_) - 1
    while n >= 1:
        lead, title = open_[n], open_[n - 1]
        if not (ELLIPSIS_END.search(lines[lead]) and is_title_like(lines[title])):
            break
        kinds[lead] = kinds[title] = "teaser"
        n -= 2


def split_trailing_widgets(lines: list[str]) -> tuple[list[str], list[Removed]]:
    """Text capture: a print/close widget trailing a dateline leaves the line (``print-widget``).

    >>> split_trailing_widgets(["2020-02-14 来源：市政府 打印 关闭窗口"])
    (['2020-02-14 来源：市政府'], [Removed(kind='print-widget', text='打印 关闭窗口')])
    """
    out, removed = [], []
    for line in lines:
        m = _PRINT_TRAILING_GUARDED.search(line) if len(line) <= 120 else None
        if m and m.start() > 0:
            removed.append(Removed("print-widget", m.group("w")))
            line = line[:m.start()]
        out.append(line)
    return out, removed
