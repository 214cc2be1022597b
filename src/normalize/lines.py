"""Whitespace and line repairs: "11 月4日" -> "11月4日", and lines broken inside a sentence.

A line is joined to the next non-blank line only when it is a piece of running text cut mid-sentence: it
ends in a Han character or a comma-like mark, it reads as body text (it holds a sentence mark, or it has
no title-style gap between words and is long or holds two clause commas), and the next line starts with
a Han character or a continuing mark and carries punctuation itself; or when the next line starts with a
closing mark (，、。；), which no paragraph does. A heading ("黄卫锋督查企业复工复产情况 压紧压实责任 提供高效
服务") or a byline line (a short name such as 言武旭) is never joined to its neighbour. Blank lines and
indentation in between are ignored (see :func:`_continues`).
"""

from __future__ import annotations

import re

from normalize.registry import note_changes, step

BODY_MIN_CHARS = 50  # a line without a sentence mark this long is running text, not a heading
_UNITS = "年月日时時分秒号號"
_DIGIT_UNIT_RE = re.compile(rf"(?<![A-Za-z0-9.])(?<![A-Za-z] )(\d+)[ \t\u3000]+(?=[{_UNITS}])")
_GAP_QUICK_RES = (
    re.compile(rf"[0-9][ \t\u3000]+[{_UNITS}]"),
    re.compile(r"[年月时時分][ \t\u3000]+[0-9]"),
)
# between a date/time part and the next number: 2020年 2月, 2月 13日, 9时 30分, 30分 15秒
_UNIT_DIGIT_RE = re.compile(
    r"(?<=\d[年月])[ \t\u3000]+(?=\d+[月日号號])"
    r"|(?<=\d[时時])[ \t\u3000]+(?=\d+分)"
    r"|(?<=\d分)[ \t\u3000]+(?=\d+秒)"
)
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A candidate break: a line ending in Han or a comma-like mark, one blank line at most, then Han.
_BREAK_RE = re.compile(
    rf"[{_HAN}，、；][ \t\u3000]*+\n(?:[ \t\u3000]*+\n)*+[ \t\u3000]*+(?=[{_HAN}，、。；])"
)
_SPACES = " \t\u3000"
# A line whose first visible character is a closing or continuing mark: never the start of a paragraph.
_CLOSING_START_RE = re.compile(r"(?m)^[ \t\u3000]*[，、。；：？！）》」』”’]")
_ASCII_MARK_END_RE = re.compile(r"[,:;?!(]$")
_CONTINUES_RE = re.compile(rf"[{_HAN}，、。；]")
_OPEN_END_RE = re.compile(rf"[{_HAN}，、；]")  # ASCII "," here sits in non-Chinese context
_SENTENCE_MARK_RE = re.compile(r"[。！？!?；]")
_ANY_MARK_RE = re.compile(r"[，。、；：！？,;:!?]")
_CLAUSE_COMMA_RE = re.compile(r"[，,]")
_TITLE_GAP_RE = re.compile(rf"[{_HAN}][ \u3000]+[{_HAN}]")
_BLANK_RE = re.compile(r"\n[ \t\u3000]*\n")


@step
def close_digit_unit_gaps(text: str) -> str:
    """Remove the space between a number and its date/time unit: "11 月4日" -> "11月4日".

    >>> close_digit_unit_gaps("11 月4日至6日,2020 年 2 月 13 日")
    '11月4日至6日,2020年2月13日'
    >>> close_digit_unit_gaps("iPhone 11 月销量 v2 号")
    'iPhone 11 月销量 v2 号'
    """
    if not any(quick.search(text) for quick in _GAP_QUICK_RES):
        return text
    out, n = _DIGIT_UNIT_RE.subn(r"\1", text)
    out, m = _UNIT_DIGIT_RE.subn("", out)
    note_changes(n + m)
    return out


@step
def join_broken_lines(text: str) -> str:
    """Join a line broken inside a sentence to its continuation; never a heading or a byline.

    >>> join_broken_lines("会议指出，要两手抓。会议强调，要强化主动服务\\n\\n意识。对困难进行排查。")
    '会议指出，要两手抓。会议强调，要强化主动服务意识。对困难进行排查。'
    >>> join_broken_lines("要强化服务；\\n\\n\\n　，同检查、同落实。")
    '要强化服务；，同检查、同落实。'
    >>> byline = "其他事项。\\n\\n言武旭\\n\\n黄卫锋督查企业 压紧压实责任\\n\\n近日，区委书记到企业。"
    >>> join_broken_lines(byline) == byline
    True
    """
    if not _BREAK_RE.search(text) and not _CLOSING_START_RE.search(text):
        return text
    lines = text.split("\n")
    out: list[str] = []
    current = [lines[0]]  # pieces of the line being built (joins are appended, not concatenated)
    joins = 0
    i = 1
    while i < len(lines):
        nxt = _next_content(lines, i)
        tail = current[-1]
        if nxt is not None and tail.strip() and _continues(tail, len(current) > 1, lines[nxt]):
            current[-1] = tail.rstrip(_SPACES)
            current.append(lines[nxt].lstrip(_SPACES))
            joins += 1
            i = nxt + 1
            continue
        stop = len(lines) if nxt is None else max(nxt, i + 1)  # blank lines up to it stay as they are
        out.append("".join(current))
        out.extend(lines[i : stop - 1])
        current = [lines[stop - 1]]
        i = stop
    out.append("".join(current))
    note_changes(joins)
    return "\n".join(out)


def _next_content(lines: list[str], i: int) -> int | None:
    """Index of the next non-blank line at or after ``i``."""
    for j in range(i, len(lines)):
        if lines[j].strip():
            return j
    return None


def _continues(line: str, joined: bool, following: str) -> bool:
    """A line that starts with a closing mark (，、。；) continues the one before; otherwise the test of
    :func:`_is_broken`. Blank lines, indentation and trailing spaces between the two are not evidence
    either way: captures lose them, and clean() drops them, so a decision that read them would change
    when the clean text is cleaned again.
    ``line`` is the last piece of the line built so far; ``joined``: that line already took a
    continuation, so it is running text (and is not rescanned as it grows)."""
    line, following = line.rstrip(_SPACES), following.lstrip(_SPACES)
    if _CLOSING_START_RE.match(following):
        # ... unless the line ends in an ASCII mark, which the joined "，" would turn Chinese on a rerun
        return not _ASCII_MARK_END_RE.search(line)
    return _is_broken(line, joined, following)


def _is_broken(line: str, joined: bool, following: str) -> bool:
    if not line or not following or not _CONTINUES_RE.match(following[0]):
        return False
    if not _OPEN_END_RE.match(line[-1]):
        return False
    return (joined or _is_body(line)) and _ANY_MARK_RE.search(following) is not None


def _is_body(line: str) -> bool:
    """Running text, not a heading or byline: a sentence mark inside, or without title gaps and either
    long or holding two clause commas (a heading has at most one)."""
    if _SENTENCE_MARK_RE.search(line):
        return True
    if _TITLE_GAP_RE.search(line):
        return False
    return len(line) >= BODY_MIN_CHARS or len(_CLAUSE_COMMA_RE.findall(line)) >= 2
