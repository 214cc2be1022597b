"""Punctuation repairs: stray ASCII commas, and full-width marks that captures folded to ASCII.

Chinese context is a CJK character — Han, CJK punctuation (。、《》「」), full-width forms (，：) or the
curly quotes “”‘’ — on either side of the mark. ASCII marks between digits or Latin letters stay:
"1,000", "3:30", "Fig. (a)", "Hello, world!". A bracket pair becomes full-width only when its content
holds a Han character, so "(AI)" and "(2020)" stay ASCII. Nothing is ever width-folded the other way.
"""

from __future__ import annotations

import re

from normalize.chars import HAN_CHARS
from normalize.repairs.registry import note_changes, step

_QUOTES = r"\u2018\u2019\u201c\u201d\u2026\u2014"  # ‘’“”…— count as Chinese context
_CJK = _QUOTES + "\u3000-\u303f" + HAN_CHARS + "\uff00-\uffef"
_STRAY_COMMA_RE = re.compile(r",(?=[,，。、;；:：!！?？])")
_WIDE = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！"})
# A run of marks ("?!", ":,") touching CJK on either side is converted as a whole, so that a restored
# mark never becomes the context of its neighbour on a second pass (idempotence).
# Possessive runs, so each match is a whole run (linear even on 100k marks without CJK); it starts with
# the mark, so the engine jumps from one run to the next. The CJK context is tested on each run found.
_MARK_RUN_RE = re.compile(r"[,:;?!]++")
# "?" next to "?", to a pinyin letter or to "、" marks bytes an encoder lost ("环??萍肌", "重?zé)",
# "称?、"), not a question: it stays ASCII. The test is symmetric, so the reversed pass agrees.
_LOST_BYTES = "?a-z、"
_QUESTION = rf"\?(?<![{_LOST_BYTES}]\?)(?![{_LOST_BYTES}])"  # starts with "?": fast scan
_FOLLOWED_BY_CJK = tuple(
    (mark, re.compile(rf"{_QUESTION if mark == '?' else re.escape(mark)}(?=[{_CJK}])"), wide)
    for mark, wide in zip(",:;?!", "，：；？！", strict=True)
)
_ASCII_MARK_RE = re.compile(r"[,:;?!]")
_ALL_MARKS = frozenset(",:;?!，：；？！")
_CJK_CHAR_RE = re.compile(rf"[{_CJK}]")
_LOST_BYTES_RE = re.compile(rf"[{_LOST_BYTES}]")
_HAN = HAN_CHARS
# Pairs may span a line break: a sentence broken across lines (join_broken_lines mends it later) can be
# broken inside brackets, and a pair must read the same before and after the join (idempotence).
_HAN_BRACKETS_RE = re.compile(rf"\(([^()]*[{_HAN}][^()]*)\)")
_NESTED_OPEN_RE = re.compile(r"\([^()]*\(")
_BRACKET_TOKEN_RE = re.compile(rf"[()]|[{_HAN}]+")
_QUICK_MARKS_RE = re.compile(r"[,:;?!(]")


@step
def drop_stray_commas(text: str) -> str:
    """Drop an ASCII comma that stands before another punctuation mark.

    >>> drop_stray_commas("2月13日,,市委书记到卢氏县检查工作,。脱贫攻坚,、稳增长,;惠民生")
    '2月13日,市委书记到卢氏县检查工作。脱贫攻坚、稳增长;惠民生'
    >>> drop_stray_commas("共1,000人")
    '共1,000人'
    """
    out, n = _STRAY_COMMA_RE.subn("", text)
    note_changes(n)
    return out


@step
def restore_fullwidth_punctuation(text: str) -> str:
    """Turn , : ; ? ! ( ) folded to ASCII back into ，：；？！（） in Chinese context.

    >>> restore_fullwidth_punctuation("摘要:企业要复工,好吗?本报讯(记者柴锦玉)")
    '摘要：企业要复工，好吗？本报讯（记者柴锦玉）'
    >>> restore_fullwidth_punctuation("3:30 pm, 1,000 (AI) Fig. (a) 年报(2020)")
    '3:30 pm, 1,000 (AI) Fig. (a) 年报(2020)'
    """
    if not _QUICK_MARKS_RE.search(text):
        return text
    text, brackets = _widen_brackets(text)  # first: the marks next to them need them
    text, marks = _widen_marks(text)
    if _marks_touch(text):  # ":," before Han: one mark is the other's context
        runs = _Counter()
        text = _MARK_RUN_RE.sub(runs.widen_in_context, text)
        marks += runs.count
    note_changes(2 * brackets + marks)
    return text


def _widen_brackets(text: str) -> tuple[str, int]:
    """ASCII bracket pairs whose content holds a Han character -> （）. Pairs that do not
    nest take one regex pass; nested pairs ("(本报讯(记者柴锦玉))") are matched with a stack, so the
    outer pair is converted in the same pass as the inner one (idempotence)."""
    if not _NESTED_OPEN_RE.search(text):
        return _HAN_BRACKETS_RE.subn(r"（\1）", text)
    opening = _han_bracket_pairs(text)
    if not opening:
        return text, 0
    chars = list(text)  # only on text with nested ASCII brackets: rare
    for open_at, close_at in opening:
        chars[open_at], chars[close_at] = "（", "）"
    return "".join(chars), len(opening)


def _han_bracket_pairs(text: str) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    stack: list[list[int]] = []  # [position of "(", 1 if its content holds Han so far]
    for m in _BRACKET_TOKEN_RE.finditer(text):
        token = m.group()
        if token == "(":
            stack.append([m.start(), 0])
        elif token == ")" and stack:
            open_at, has_han = stack.pop()
            if has_han:
                pairs.append((open_at, m.start()))
                if stack:
                    stack[-1][1] = 1
        elif token != ")" and stack:
            stack[-1][1] = 1
    return pairs


def _widen_marks(text: str) -> tuple[str, int]:
    """Marks followed by CJK, one mark at a time with a constant replacement (no Python call per match;
    the patterns start with the mark, so the engine skips from one candidate to the next); then the few
    ASCII marks left that follow a CJK character, one by one."""
    total = 0
    for mark, pattern, wide in _FOLLOWED_BY_CJK:
        if mark in text:
            text, n = pattern.subn(wide, text)
            total += n
    after: list[int] = []
    for m in _ASCII_MARK_RE.finditer(text):
        i = m.start()
        if i and _CJK_CHAR_RE.match(text, i - 1) and not (m.group() == "?" and _lost_question(text, i)):
            after.append(i)
    return _replace_at(text, after), total + len(after)


def _replace_at(text: str, positions: list[int]) -> str:
    if not positions:
        return text
    pieces: list[str] = []
    pos = 0
    for i in positions:
        pieces += [text[pos:i], text[i].translate(_WIDE)]
        pos = i + 1
    pieces.append(text[pos:])
    return "".join(pieces)


def _lost_question(text: str, i: int) -> bool:
    """The "?" at ``i`` touches "?", a lowercase letter or "、": an encoder's lost bytes (_LOST_BYTES)."""
    return any(_LOST_BYTES_RE.match(text, j) for j in (i - 1, i + 1) if 0 <= j < len(text))


def _marks_touch(text: str) -> bool:
    """An ASCII mark left next to another mark (":," before Han): the run method settles those."""
    for m in _ASCII_MARK_RE.finditer(text):
        i = m.start()
        if (i and text[i - 1] in _ALL_MARKS) or (i + 1 < len(text) and text[i + 1] in _ALL_MARKS):
            return True
    return False


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def widen_in_context(self, m: re.Match[str]) -> str:
        """The run widened when a CJK character stands before or after it, else as it is."""
        text, start, end = m.string, m.start(), m.end()
        if (start and _CJK_CHAR_RE.match(text, start - 1)) or _CJK_CHAR_RE.match(text, end):
            return self.widen(m)
        return m.group(0)

    def widen(self, m: re.Match[str]) -> str:
        """Every mark of the run, except a "?" that marks lost bytes (see _LOST_BYTES)."""
        run = m.group(0)
        if "?" not in run:
            self.count += len(run)
            return run.translate(_WIDE)
        text = m.string
        padded = (
            (text[m.start() - 1] if m.start() else " ")
            + run
            + (text[m.end()] if m.end() < len(text) else " ")
        )
        out = []
        for k, ch in enumerate(run, start=1):
            if ch == "?" and (_LOST_BYTES_RE.match(padded, k - 1) or _LOST_BYTES_RE.match(padded, k + 1)):
                out.append(ch)
            else:
                out.append(ch.translate(_WIDE))
                self.count += 1
        return "".join(out)
