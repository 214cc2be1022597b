"""Text boilerplate (issue 2, part 6): portal furniture in captures that arrive as plain text.

:func:`strip_boilerplate` takes the lines of one article (after character repairs, so simplified, and
with either ASCII or full-width colons/brackets) and returns the lines that stay plus every removed
block as ``Removed(kind, text)`` — nothing is dropped silently. Kinds:

==================  =====================================================================
``copyright``       版权声明/免责声明 or a line of the shared ``copyright`` kind, and the numbered
                    clauses after it, incl. 法律顾问 / 律师事务所 lines
``icp``             ICP 备案, 公网安备, 网站标识码 and 举报 lines (shared kind)
``editor-line``     责任编辑:X, ``( 编辑:X ) |`` (the name is returned as ``editor``)
``mood-widget``     查看心情排行…
``print-widget``    打印 / 关闭窗口 / 字体 大 中 小 (shared kind; also when trailing a dateline)
``share-widget``    分享到… (shared kind)
``qr-block``        扫一扫 / 扫描二维码… (shared kind)
``prev-next``       上一篇: / 下一篇: links to the neighbouring articles (shared kind)
``navigation``      short bulleted lines ("- 热门职位") before the first paragraph
``related-links``   a list of "-" items (bullet line + title line) after the body
``teaser``          title + lead truncated with "..." pairs of other articles after the body
``footer``          e-paper staff and contact lines (主编:, 执行主编:, 校对:, 投稿邮箱:)
==================  =====================================================================

The e-paper masthead is removed by :mod:`epaper`, which knows where the page's first article
starts; the masthead line patterns live here (:data:`MASTHEAD_LINE`) so both agree.

One vocabulary with the HTML path. The ``icp``, ``print-widget``, ``share-widget``/``qr-block`` and
``prev-next`` lines are the kinds of ``data/extract_furniture.toml`` that
:func:`~normalize.structure.furniture.classify_line` uses on extracted HTML text (a new ICP form or a
traditional spelling added there reaches both paths); the editor label is
:data:`~normalize.structure.vocab.EDITOR_LABEL`.
Where the text path differs, on purpose:

- a text capture has no body selection to weigh a furniture-looking line against its neighbours, so a
  line that ends a sentence (``群众可拨打举报电话12345。``) or reads as prose is text, never a shared kind;
- a ``prev-next`` line needs its colon (``上一篇：…``): without a link to tell, ``上一篇文章标题`` is text;
- ``editor-line`` (with the name, returned as ``editor``; also 审核/编审), ``mood-widget`` and ``footer``
  (e-paper staff lines) are text-path kinds; the copyright block, navigation, related links and teasers
  are read from the lines around them (the HTML path's body selection does that work there).

:func:`_line_kind` matches the text-path kinds with one alternation (named groups, compiled on first
use); the shared kinds are searched only on lines that are neither a sentence nor prose, so a body
line costs one anchored match and an end-of-line check.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from normalize.chars import HAN, HAN_CHARS
from normalize.record import Removed
from normalize.structure import vocab
from normalize.structure.furniture import furniture_kind, is_prose
from normalize.structure.vocab import COLON

ELLIPSIS_END = re.compile(r"(\.{3,}|…+|。{3,})\s*$")
TERMINAL_END = re.compile(r"(?:[。！？!?；;…]|\.{3,})[”’」』\"']*\s*$")
BULLET_LINE = re.compile(r"^\s*[-•·*▪◆●]\s*$")
BULLET_ITEM = re.compile(r"^\s*[-•·*▪◆●]\s+\S.{0,24}$")
NAMES_LINE = re.compile(rf"^\s*[{HAN_CHARS}]{{2,4}}(?:[ \u3000]+[{HAN_CHARS}]{{2,4}}){{0,2}}\s*$")

EDITOR = re.compile(r"^\s*[(（\[【]?\s*(?:" + vocab.EDITOR_LABEL + r"|审核|審核|编审|編審)\s*" + COLON
                    + r"\s*(?P<name>[^)）\]】|]{1,20}?)\s*[)）\]】]?\s*[|｜]?\s*$")
MOOD = re.compile(r"^\s*查看心情排行")
PRINT_TRAILING = re.compile(  # a print/close widget trailing a dateline: text path only
    r"\s+(?P<w>[【\[]?(?:打印(?:本页|此页)?|关闭窗口)[】\]]?(?:\s+[【\[]?关闭窗口[】\]]?)?)\s*$"
)
PREV_NEXT_COLON = re.compile(r"^[^:：]{0,8}" + COLON)  # the text path's prev-next label has its colon
COPYRIGHT_START = re.compile(r"^\s*(?:版权声明|免责声明|版权所有|Copyright|©)", re.I)
COPYRIGHT_CLAUSE = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．]|[（(]\d{1,2}[)）])|法律顾问|律师事务所|律师\s*$"
)
FOOTER = re.compile(
    r"^\s*(?:主编|执行主编|副主编|总编辑|校对|美编|编审|投稿邮箱|电子邮箱|联系邮箱)\s*" + COLON
)
MASTHEAD_LINE = re.compile(
    r"^\s*(?:第\s*\d+\s*期\s*[(（]\s*总第\s*\d+\s*期\s*[)）]"
    r"|新闻热线\s*" + COLON + r"?.*"
    r"|官方(?:微信|微博)"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*星期[一二三四五六日天]"
    r"|[\d\- ]{7,15})\s*$"
)


@dataclass
class Stripped:
    """The lines that stay (blank lines kept, for the line repairs) and what went."""

    lines: list[str]
    removed: list[Removed] = field(default_factory=list)
    editor: str | None = None


def is_title_like(line: str) -> bool:
    """A short line with Han characters and no sentence-final mark: a headline, name or label.

    >>> is_title_like("毫不放松 统筹推进 抓实抓细各项工作"), is_title_like("会议还研究了其他事项。")
    (True, False)
    >>> is_title_like("市委书记到企业调研，")  # a sentence broken after a comma
    False
    """
    s = line.strip()
    return (0 < len(s) <= 80 and HAN.search(s) is not None and TERMINAL_END.search(s) is None
            and "。" not in s and s[-1] not in "，,、"
            and not BULLET_ITEM.match(s) and not BULLET_LINE.match(s))


def is_paragraph(line: str) -> bool:
    """A non-blank line that is not title-like (body text)."""
    return bool(line.strip()) and not is_title_like(line)


# the kinds in priority order; those not in _TEXT_KINDS are data/extract_furniture.toml's
_TEXT_KINDS = {"editor-line": EDITOR, "mood-widget": MOOD, "footer": FOOTER}
_ORDER = ("icp", "editor-line", "mood-widget", "share-widget", "qr-block", "prev-next", "print-widget",
          "footer")
_QUOTES_AFTER_END = "”’」』\"'"
_SENTENCE_MARKS = ("。", "！", "？", "!", "?", "；", ";", "…", "...")


@functools.cache
def _text_kind() -> re.Pattern[str]:
    """The text-path kinds (all anchored at the line's start) in one alternation with named groups."""
    return re.compile("|".join(f"(?P<{k.replace('-', '_')}>{p.pattern})" for k, p in _TEXT_KINDS.items()))


def ends_sentence(line: str) -> bool:
    """``TERMINAL_END.search(line) is not None``, without a regex search over the whole line.

    >>> ends_sentence("正文结束。” "), ends_sentence("他说……"), ends_sentence("标题 2020.01.06")
    (True, True, False)
    """
    return line.rstrip().rstrip(_QUOTES_AFTER_END).endswith(_SENTENCE_MARKS)


@functools.cache
def _shared_specs() -> tuple[tuple[str, re.Pattern[str], int], ...]:
    return tuple((k, furniture_kind(k).pattern, furniture_kind(k).max_len)
                 for k in _ORDER if k not in _TEXT_KINDS)


def _shared_kind(s: str) -> str | None:
    for kind, pattern, max_len in _shared_specs():
        if len(s) <= max_len and pattern.search(s) is not None:
            return None if kind == "prev-next" and PREV_NEXT_COLON.match(s) is None else kind
    return None


def _line_kind(line: str) -> str | None:
    """The kind of a line that is boilerplate wherever it stands, else None.

    >>> _line_kind("豫公网安备 41170202000005号"), _line_kind("查看心情排行你看到此篇文章的感受是:")
    ('icp', 'mood-widget')
    >>> _line_kind("投稿邮箱:gangzhaxinwen@163.com"), _line_kind("打印"), _line_kind("复工复产。")
    ('footer', 'print-widget', None)
    >>> _line_kind("群众可拨打举报电话12345。"), _line_kind("上一篇文章标题"), _line_kind("【下一篇】：标题")
    (None, None, 'prev-next')
    """
    s = line.strip()
    if not s or len(s) > 160:
        return None
    m = _text_kind().match(s)
    text_kind = m.lastgroup.replace("_", "-") if m is not None and m.lastgroup else None
    # the text path's guard on the shared kinds: a sentence or prose is text
    shared = None if ends_sentence(s) or is_prose(s) else _shared_kind(s)
    if text_kind is None or shared is None:
        return text_kind or shared
    return min(text_kind, shared, key=_ORDER.index)


def _starts_copyright(s: str) -> bool:
    """A 版权声明 line (the text path's own start words, kept even in a long sentence), or a line of the
    shared ``copyright`` kind (data/extract_furniture.toml: 版權所有, 主办单位：, 转载请注明 …) that is
    neither a sentence nor prose.

    >>> _starts_copyright("版權所有 © 2020 某某市人民政府"), _starts_copyright("主办单位：某某市政府办公室")
    (True, True)
    >>> _starts_copyright("他说，版权所有人应当依法维权。")
    False
    """
    if COPYRIGHT_START.match(s):
        return True
    spec = furniture_kind("copyright")
    return (len(s) <= spec.max_len and not ends_sentence(s) and not is_prose(s)
            and spec.pattern.search(s) is not None)


def _mark_copyright(lines: list[str], kinds: list[str | None]) -> None:
    """版权声明 and the numbered clauses / lawyer lines right after it (blank lines allowed)."""
    i = 0
    while i < len(lines):
        if kinds[i] is None and len(lines[i].strip()) <= 200 and _starts_copyright(lines[i].strip()):
            kinds[i] = "copyright"
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or COPYRIGHT_CLAUSE.search(lines[j])):
                if lines[j].strip():
                    kinds[j] = "copyright"
                j += 1
            i = j
        else:
            i += 1


def _first_paragraph(lines: list[str], kinds: list[str | None]) -> int:
    return next((i for i, s in enumerate(lines)
                 if kinds[i] is None and is_paragraph(s) and not BULLET_ITEM.match(s)), len(lines))


def _mark_navigation(lines: list[str], kinds: list[str | None]) -> None:
    """Short bulleted items before the first paragraph ("- 热门职位"); without a paragraph, no navigation."""
    first = _first_paragraph(lines, kinds)
    if first == len(lines):
        return
    for i in range(first):
        if kinds[i] is None and BULLET_ITEM.match(lines[i]):
            kinds[i] = "navigation"


def _open_lines(lines: list[str], kinds: list[str | None]) -> list[int]:
    """Indices of the non-blank lines no rule has claimed yet."""
    return [i for i, s in enumerate(lines) if kinds[i] is None and s.strip()]


def _mark_related_links(lines: list[str], kinds: list[str | None]) -> None:
    """A list of at least two "-" items (bullet line, then a title line) after the body."""
    items = []
    open_ = _open_lines(lines, kinds)
    for n, i in enumerate(open_):
        if BULLET_LINE.match(lines[i]) and n + 1 < len(open_) and len(lines[open_[n + 1]].strip()) <= 80:
            items.append((i, open_[n + 1]))
    if len(items) >= 2:
        for a, b in items:
            kinds[a] = kinds[b] = "related-links"


def _mark_teasers(lines: list[str], kinds: list[str | None]) -> None:
    """Trailing (title, lead ending in "...") pairs: other articles' teasers after the body."""
    open_ = _open_lines(lines, kinds)
    n = len(open_) - 1
    while n >= 1:
        lead, title = open_[n], open_[n - 1]
        if not (ELLIPSIS_END.search(lines[lead]) and is_title_like(lines[title])):
            break
        kinds[lead] = kinds[title] = "teaser"
        n -= 2


def _strip_trailing_widgets(lines: list[str], removed: list[Removed]) -> list[str]:
    out = []
    for line in lines:
        m = PRINT_TRAILING.search(line)
        if m and m.start() > 0 and len(line) <= 120:
            removed.append(Removed("print-widget", m.group("w")))
            line = line[:m.start()]
        out.append(line)
    return out


def _group(lines: list[str], kinds: list[str | None]) -> list[Removed]:
    """Consecutive lines of one kind (blank lines between them included) become one block."""
    blocks: list[Removed] = []
    last = -2
    for i, kind in enumerate(kinds):
        if kind is None:
            continue
        between = lines[last + 1:i]
        if blocks and blocks[-1].kind == kind and all(not s.strip() for s in between):
            blocks[-1] = Removed(kind, blocks[-1].text + "\n" + lines[i].strip())
        else:
            blocks.append(Removed(kind, lines[i].strip()))
        last = i
    return blocks


def strip_boilerplate(lines: list[str]) -> Stripped:
    """Remove portal furniture from the lines of one article.

    >>> s = strip_boilerplate(["- 热门职位", "正文第一段。", "责任编辑：律凯凯", "豫公网安备 4117号"])
    >>> s.lines, s.editor
    (['正文第一段。'], '律凯凯')
    >>> [(r.kind, r.text) for r in s.removed]
    [('navigation', '- 热门职位'), ('editor-line', '责任编辑：律凯凯'), ('icp', '豫公网安备 4117号')]
    """
    removed: list[Removed] = []
    lines = _strip_trailing_widgets(lines, removed)
    kinds: list[str | None] = [_line_kind(s) for s in lines]
    _mark_copyright(lines, kinds)
    _mark_navigation(lines, kinds)
    _mark_related_links(lines, kinds)
    _mark_teasers(lines, kinds)
    editor = next((_editor_name(m) for s, k in zip(lines, kinds, strict=True)
                   if k == "editor-line" and (m := EDITOR.match(s.strip()))), None)
    kept = _trim_blank_edges(_keep(lines, kinds))
    return Stripped(kept, _group(lines, kinds) + removed, editor)


def _editor_name(m: re.Match[str]) -> str:
    """The name on an editor line, read as the HTML path reads it (:func:`vocab.read_editor`:
    校对 run into it and staff codes go); a 审核/编审 line, which vocab does not read, keeps its text.

    >>> _editor_name(EDITOR.match("编辑：李跃群校对：王五")), _editor_name(EDITOR.match("审核：张三"))
    ('李跃群', '张三')
    """
    return vocab.read_editor(m.group(0)) or m.group("name").strip()


def _keep(lines: list[str], kinds: list[str | None]) -> list[str]:
    """The unclaimed lines; the blank lines around a removed block shrink to one gap, as if the block
    had never been there (the line joiner reads blank-line counts).

    >>> _keep(["甲；", "", "版权声明", "", "，乙"], [None, None, "copyright", None, None])
    ['甲；', '', '，乙']
    """
    out: list[str] = []
    gap_after_removed = None  # None: not after a removed line; else whether a blank gap was seen
    for line, kind in zip(lines, kinds, strict=True):
        if kind is not None:
            had_gap = bool(out) and not out[-1].strip()
            while out and not out[-1].strip():
                out.pop()
            gap_after_removed = bool(gap_after_removed) or had_gap
        elif not line.strip() and gap_after_removed is not None:
            gap_after_removed = True
        else:
            if gap_after_removed:
                out.append("")
            gap_after_removed = None
            out.append(line)
    return out


def _trim_blank_edges(lines: list[str]) -> list[str]:
    start = next((i for i, s in enumerate(lines) if s.strip()), len(lines))
    end = max((i + 1 for i, s in enumerate(lines) if s.strip()), default=start)
    return lines[start:end]
