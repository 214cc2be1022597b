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

from normalize.chars import HAN_CHARS, is_han
from normalize.repairs.registry import note_changes, step

MAX_JOIN_PASSES = 50  # passes of join_broken_lines; real text settles in two
BODY_MIN_CHARS = 50  # a line without a sentence mark this long is running text, not a heading
_UNITS = "年月日时時分秒号號"
# A number's last digit, the gap, then a unit: "11 月". The regexes start with the digit / the unit (the
# engine jumps from one to the next; a lookbehind first is tried at every character); what stands before
# the number is tested on each one found (_after_word).
_DIGIT_UNIT_RE = re.compile(rf"\d([ \t\u3000]+)(?=[{_UNITS}])")
_NOT_AFTER_RE = re.compile(r"[A-Za-z0-9.]|[A-Za-z] ")  # before the number: "iPhone 11 月", "v2 号", "1.5 年"
_GAP_QUICK_RES = (
    re.compile(rf"[0-9０-９][ \t\u3000]+[{_UNITS}]"),
    re.compile(r"[年月时時分][ \t\u3000]+[0-9０-９]"),
)
# between a date/time part and the next number: 2020年 2月, 2月 13日, 9时 30分, 30分 15秒
_UNIT_DIGIT_RE = re.compile(r"([年月时時分])([ \t\u3000]+)(?=\d)")
_NEXT_PART = {unit: re.compile(rf"(?<!\d)\d++[{after}]") for unit, after in (
    ("年", "月日号號"), ("月", "月日号號"), ("时", "分"), ("時", "分"), ("分", "秒"))}  # what follows the gap
_HAN = HAN_CHARS
# a line break with any blank lines and indentation, matched whole (each run of blank lines once: linear
# on 100k newlines); a junction when the next line starts with Han or a closing mark (_JUNCTION_START)
_BREAK_RE = re.compile(r"\n(?:[^\S\n]*+\n)*+[^\S\n]*+")
_JUNCTION_START = re.compile(rf"[{_HAN}，、。；：？！）》」』”’]")
_CLOSING_CHARS = frozenset("，、。；：？！）》」』”’")
_OPEN_END_MARKS = frozenset("，、；")
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


def _opens(ch: str) -> bool:
    """A line ending in this character may continue on the next line (a Han character, ，、；)."""
    return ch in _OPEN_END_MARKS or is_han(ch)


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
    gaps = [m.span(1) for m in _DIGIT_UNIT_RE.finditer(text) if _number_stands_alone(text, m.start())]
    out = _cut(text, gaps)
    more = [m.span(2) for m in _UNIT_DIGIT_RE.finditer(out) if _is_date_part(out, m)]
    note_changes(len(gaps) + len(more))
    return _cut(out, more)


def _number_stands_alone(text: str, last: int) -> bool:
    """The number ending at ``last`` does not follow a letter, an ASCII digit or a dot, nor a letter and
    a space ("iPhone 11"); or its digits after a non-ASCII one do ("４11": 11 follows "４")."""
    start = last
    while start and text[start - 1].isdecimal():  # \d is Unicode: the number's first digit
        start -= 1
    if not any(_NOT_AFTER_RE.fullmatch(text, j, start) for j in (start - 1, start - 2) if j >= 0):
        return True
    return any(not "0" <= c <= "9" for c in text[start:last])


def _is_date_part(text: str, m: re.Match[str]) -> bool:
    """The unit follows a digit and the gap is followed by the next part: "2月 13日", "9时 30分"."""
    start, unit = m.start(), m.group(1)
    return start > 0 and text[start - 1].isdecimal() and bool(_NEXT_PART[unit].match(text, m.end()))


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
    total = 0
    for _ in range(MAX_JOIN_PASSES):  # to a fixpoint: a join can give the next line the mark it lacked
        text, joins = _join_pass(text)
        total += joins
        if not joins:
            break
    note_changes(total)
    return text


def _join_pass(text: str) -> tuple[str, int]:
    """One left-to-right pass over the candidate line breaks; returns the text and the number of joins."""
    cuts: list[tuple[int, int]] = []  # (end of a line's visible text, start of its continuation)
    for m in _BREAK_RE.finditer(text):
        if not _JUNCTION_START.match(text, m.end()):
            continue
        end, after = _visible_end(text, m.start()), m.end()
        if end == 0 or (not _opens(text[end - 1]) and text[after] not in _CLOSING_CHARS):
            continue  # neither side allows a join: the common case, decided without slicing
        start = text.rfind("\n", 0, end) + 1
        joined = bool(cuts) and cuts[-1][1] >= start  # this line already continues an earlier one
        if joined:
            start = cuts[-1][1]
        nl = text.find("\n", after)
        following = text[after : nl if nl >= 0 else len(text)]
        if text[start:end].strip() and _continues(text[start:end], joined, following):
            cuts.append((end, after))
    return (_cut(text, cuts) if cuts else text), len(cuts)


def _visible_end(text: str, newline: int) -> int:
    """Index just past the last non-space character before ``newline`` (trailing spaces dropped)."""
    end = newline
    while end > 0 and text[end - 1] != "\n" and text[end - 1].isspace():  # also "\r" of CRLF text
        end -= 1
    return end


def _cut(text: str, cuts: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    pos = 0
    for end, after in cuts:
        pieces.append(text[pos:end])
        pos = after
    pieces.append(text[pos:])
    return "".join(pieces)


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
