"""Steps rewritten for speed (issue 14) give what their first, plainer versions gave: text and counts.

Each reference below is the step as it was before (a regex with a lookbehind first, or a Python call
per match); hypothesis compares them on text built from the pieces the steps react to.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.chars import HAN_CHARS, common_han_chars
from normalize.repairs.registry import apply_plan

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(step: str, text: str) -> tuple[str, int]:
    out, repairs = apply_plan(text, [step])
    return out, sum(r.count for r in repairs)


# ---- strip_pinyin_annotations -----------------------------------------------------------------------

def reference_strip_pinyin(text: str) -> tuple[str, int]:
    from normalize.repairs.pinyin import _BRACKET, _REPEAT, MIN_RUN, is_reading
    from normalize.repairs.script import is_traditional_char

    state = {"removed": 0, "common": 0, "trad": False}

    def replace(m: re.Match[str]) -> str:
        ch, first, repeats = m.group(1), m.group(2), m.group(3)
        if not is_reading(ch, first):
            return m.group(0)
        state["removed"] += 1
        state["common"] += ch in common_han_chars()
        state["trad"] = state["trad"] or is_traditional_char(ch)
        for r in re.finditer(_BRACKET, repeats):
            if not is_reading(ch, r.group(1)):
                return ch + repeats[r.start() :]
            state["removed"] += 1
        return ch

    out = re.sub(rf"([{HAN_CHARS}]){_BRACKET}((?:{_REPEAT})*)", replace, text)
    if state["removed"] == 0 or (state["common"] < MIN_RUN and not state["trad"]):
        return text, 0
    return out, state["removed"]


PINYIN_PIECES = st.sampled_from(
    ["區", "(qū)", "調", "(diào)", "(huì )", "(guo)", "(da)", "（qū）", "( qu )", "研", "区", "犇", "(bēn)",
     "國", "(AI)", "(大同)", "(", ")", "a", " ", "\n", "，", "𠀀", "(lǜ)", "綠", "(lv)"]
)


@SETTINGS
@given(st.lists(PINYIN_PIECES, max_size=80).map("".join))
def test_strip_pinyin_annotations_as_before(text: str) -> None:
    assert run("strip_pinyin_annotations", text) == reference_strip_pinyin(text)


# ---- close_digit_unit_gaps --------------------------------------------------------------------------

_UNITS = "年月日时時分秒号號"
_REF_DIGIT_UNIT = re.compile(rf"(?<![A-Za-z0-9.])(?<![A-Za-z] )(\d+)[ \t\u3000]+(?=[{_UNITS}])")
_REF_UNIT_DIGIT = re.compile(
    r"(?<=\d[年月])[ \t\u3000]+(?=\d+[月日号號])"
    r"|(?<=\d[时時])[ \t\u3000]+(?=\d+分)"
    r"|(?<=\d分)[ \t\u3000]+(?=\d+秒)"
)


def reference_digit_gaps(text: str) -> tuple[str, int]:
    from normalize.repairs.lines import _GAP_QUICK_RES

    if not any(quick.search(text) for quick in _GAP_QUICK_RES):
        return text, 0
    out, n = _REF_DIGIT_UNIT.subn(r"\1", text)
    out, m = _REF_UNIT_DIGIT.subn("", out)
    return out, n + m


DIGIT_PIECES = st.sampled_from(
    ["11", "2020", "1.5", "v", "iPhone", " ", "  ", "\t", "\u3000", "年", "月", "日", "时", "時", "分", "秒",
     "号", "號", "４", "a ", ".", "\n", "中", "0"]
)


@SETTINGS
@given(st.lists(DIGIT_PIECES, max_size=60).map("".join))
def test_close_digit_unit_gaps_as_before(text: str) -> None:
    assert run("close_digit_unit_gaps", text) == reference_digit_gaps(text)


# ---- restore_fullwidth_punctuation (the mark-run pass) ------------------------------------------------

def reference_widen_runs(text: str) -> tuple[str, int]:
    from normalize.repairs.punctuation import _CJK, _Counter

    runs = _Counter()
    out = re.sub(rf"(?<=[{_CJK}])[,:;?!]++|(?<![,:;?!])[,:;?!]++(?=[{_CJK}])", runs.widen, text)
    return out, runs.count


MARK_PIECES = st.sampled_from([",", ":", ";", "?", "!", "，", "中", "a", "1", " ", "、", "。", "z", "?"])


@SETTINGS
@given(st.lists(MARK_PIECES, max_size=40).map("".join))
def test_mark_runs_widen_as_before(text: str) -> None:
    from normalize.repairs.punctuation import _MARK_RUN_RE, _Counter

    runs = _Counter()
    assert (_MARK_RUN_RE.sub(runs.widen_in_context, text), runs.count) == reference_widen_runs(text)
