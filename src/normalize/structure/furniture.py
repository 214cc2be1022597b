"""Portal furniture on the lines of extracted text, and the choice of the article's run of lines.

trafilatura keeps much of what Chinese portals put around an article: breadcrumbs (现在位置), print and
close buttons (【打印本页】【关闭窗口】), share bars (分享到), related-link lists, previous/next links,
metadata lines (来源/发布时间/点击数, 责任编辑), copyright and ICP/公网安备 footers and QR-code blocks.
On pages where its main pass fails it even falls back to the whole page. This module works on the lines
of its output:

- :func:`classify_line` names the furniture kind of one line (patterns in
  ``data/extract_furniture.toml``), or returns ``None`` for text;
- :func:`select_body` keeps the densest run of text lines that crosses no furniture line (a maximum-sum
  segment: sentence-like lines weigh their length, short link-like lines cost a little, furniture lines
  are barriers) and reports everything it drops as :class:`~normalize.record.Removed` blocks.

All patterns of one kind are compiled into one regular expression, once, on first use (importing
:mod:`normalize` reads no data file).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from normalize.record import Removed

_DATA = Path(__file__).parents[1] / "data" / "extract_furniture.toml"

# A line that reads like prose: it has sentence punctuation (Chinese or ASCII) or is long.
_SENTENCE_PUNCT = re.compile(r"[，。！？；、：,.!?;]")
_CAPTION_CREDIT = re.compile(r"(摄|攝|摄影|攝影)\s*[）)]?$")
# a headline with its date after it: "春运期间上海或现阶段性低温雨雪天气 2012.01.06", "... 01/12 01:31"
_DATED_TEASER = re.compile(
    r"[\s(（\[]\d{2,4}[-./年]\d{1,2}(?:[-./月]\d{1,2})?日?(?:\s*\d{1,2}:\d{2})?\s*[)）\]]?$"
)
_LIST_MARK = re.compile(r"^[-•·*]\s+")
_INNER_PUNCT = re.compile(r"[，、；,;]")
_SENTENCE_END = ("。", "！", "？", "；", "」", "”", "…", "）")

BARRIER_WEIGHT = -10_000.0
SHORT_LINE_COST = 12.0


@dataclass(frozen=True)
class FurnitureKind:
    kind: str
    pattern: re.Pattern[str]
    prose_pattern: re.Pattern[str] | None
    max_len: int
    weight: float


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
            pattern=_alternation(spec["line"]),
            prose_pattern=_alternation(spec["prose"]) if spec.get("prose") else None,
            max_len=int(spec.get("max_len", 200)),
            weight=float(spec.get("weight", BARRIER_WEIGHT)) if spec.get("barrier", True) else 0.0,
        )
        for kind, spec in table.items()
    )


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def furniture_kind(kind: str) -> FurnitureKind:
    """One kind of the data file (the text path's boilerplate reads its shared kinds here).

    >>> furniture_kind("icp").max_len
    200
    """
    return next(k for k in load_kinds() if k.kind == kind)


@functools.cache
def _weights() -> dict[str, float]:
    return {k.kind: k.weight for k in load_kinds()}


def classify_line(line: str) -> str | None:
    """The furniture kind of one stripped line, or ``None`` when it is article text.

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
    """
    line = _LIST_MARK.sub("", line, count=1)
    prose = is_prose(line)
    for kind in load_kinds():
        if len(line) > kind.max_len:
            continue
        pattern = kind.prose_pattern if prose else kind.pattern
        if pattern is not None and pattern.search(line):
            return kind.kind
    return None


def is_prose(line: str) -> bool:
    """Two sentence ends, or long with several commas: a body sentence, not a label line.

    >>> is_prose("省高院向社会公布了举报电话。凡是群众来电涉及拖欠工资的，要进行通报。")
    True
    >>> is_prose("举报电话：12345")
    False
    """
    ends = line.count("。") + line.count("！") + line.count("？")
    return ends >= 2 or (len(line) >= 60 and ends + line.count("，") >= 3)


def is_sentence(line: str) -> bool:
    """Whether a line reads like article prose rather than a link or label.

    List items (trafilatura writes them as ``- item``) count only when they end a sentence: lists of
    teaser headlines are the usual furniture around a short article.

    >>> is_sentence("今年全市共完成投资120亿元，同比增长15%。")
    True
    >>> is_sentence("国内新闻")
    False
    >>> is_sentence("Lounge Suit怎样穿才得体？")
    False
    >>> is_sentence("春运期间上海或现阶段性低温雨雪和大雾天气，出行注意 2012.01.06")
    False
    >>> is_sentence("12月1日是世界艾滋病日.今年世界艾滋病日的主題是...")
    False
    >>> is_sentence("- 3金正恩学生时期照片曝光：身材消瘦 穿皮夹克137842")
    False
    """
    if line.startswith(("- ", "·", "•")):
        return line.endswith(_SENTENCE_END) and len(line) >= 12
    n = len(line)
    if n <= 70 and _DATED_TEASER.search(line):
        return False
    if n < 60 and line.endswith(("...", "…", "..")) and not line.endswith("……"):
        return False  # a teaser cut short: "今年是發現艾滋病30周年.聯合國艾滋病規劃署發布的..."
    if n >= 60 or (n >= 8 and _CAPTION_CREDIT.search(line)):
        return True
    if n < 25:  # a short line is a sentence when it has a comma inside or ends with a full stop
        return n >= 8 and (bool(_INNER_PUNCT.search(line[:-1])) or line.endswith(("。", "；")))
    return bool(_SENTENCE_PUNCT.search(line))


def line_weight(line: str, kind: str | None, links: frozenset[str] = frozenset()) -> float:
    """The weight of a line in the maximum-sum segment (see :func:`select_body`).

    A line that is the whole text of a link on the page (``links``) is a teaser, never prose; a data
    table row ("东城区 | 520亿元 | 5.6%") is neutral: kept inside the article, not a reason to extend it.

    >>> line_weight("东城区 | 520亿元 | 5.6%", None)
    0.0
    """
    if kind is not None:
        return _weights().get(kind, BARRIER_WEIGHT)
    if links and _LIST_MARK.sub("", line, count=1) in links:
        return -SHORT_LINE_COST
    if " | " in line and "\\|" not in line:
        return 0.0  # a row of a data table (rendered by normalize.extract): kept when inside the article
    if is_sentence(line):
        return float(len(line))
    return -SHORT_LINE_COST


def best_segment(weights: list[float]) -> tuple[int, int]:
    """Start and end (exclusive) of the maximum-sum contiguous run; (0, 0) when every weight is <= 0.

    >>> best_segment([-1.0, 5.0, -2.0, 4.0, -100.0, 3.0])
    (1, 4)
    >>> best_segment([-1.0, -2.0])
    (0, 0)
    """
    best, best_span = 0.0, (0, 0)
    run, start = 0.0, 0
    for i, w in enumerate(weights):
        if run <= 0:
            run, start = 0.0, i
        run += w
        if run > best:
            best, best_span = run, (start, i + 1)
    return best_span


@dataclass
class Selection:
    lines: list[str]
    removed: list[Removed]


def select_body(lines: list[str], links: frozenset[str] = frozenset()) -> Selection:
    """Keep the article's run of lines; every dropped line becomes a Removed block with its kind.

    Furniture lines are named by their kind; other lines outside the run are ``"navigation"``
    (before the article) or ``"trailing-links"`` (after it). ``links`` holds the texts of the page's
    links (8+ characters): a line that is one of them counts as a teaser, not as prose.

    >>> sel = select_body(["网站首页", "新闻中心", "当前位置：首页 > 要闻",
    ...                    "市政府召开常务会议，研究部署春耕生产工作。",
    ...                    "会议要求各地抓好落实。", "责任编辑：李四", "相关新闻"])
    >>> sel.lines
    ['市政府召开常务会议，研究部署春耕生产工作。', '会议要求各地抓好落实。']
    >>> [r.kind for r in sel.removed]
    ['navigation', 'navigation', 'breadcrumb', 'editor-line', 'related-links']
    """
    kinds = [classify_line(line) for line in lines]
    start, end = best_segment([line_weight(line, k, links) for line, k in zip(lines, kinds, strict=True)])
    removed: list[Removed] = []
    kept: list[str] = []
    for i, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if start <= i < end and kind is None:
            kept.append(line)
        elif kind is not None:
            removed.append(Removed(kind=kind, text=line))
        else:
            removed.append(Removed(kind="navigation" if i < start else "trailing-links", text=line))
    return Selection(kept, removed)


def drop_furniture(lines: list[str]) -> Selection:
    """Only remove furniture lines, keeping every other line (used when no run of prose exists).

    >>> drop_furniture(["图为活动现场", "分享到：微博 微信"]).lines
    ['图为活动现场']
    """
    kept: list[str] = []
    removed: list[Removed] = []
    for line in lines:
        kind = classify_line(line)
        if kind is None:
            kept.append(line)
        else:
            removed.append(Removed(kind=kind, text=line))
    return Selection(kept, removed)


