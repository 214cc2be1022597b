"""Properties of the repair plan (REPAIR_STEPS) over arbitrary text (hypothesis)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.repairs import REPAIR_STEPS
from normalize.repairs.registry import apply_plan

CHINESE_PUNCTUATION = "，。：；？！（）“”、"

# Text built from the pieces the repairs react to, so that examples hit the interesting paths, plus
# arbitrary unicode so that nothing else is assumed.
PIECES = st.sampled_from(
    [
        "區",
        "(qū)",
        "調",
        "(diào)",
        "(huì )",
        "(guo)",
        "研",
        "区",
        "调",
        "著",
        "忙",
        "看",
        "名",
        "方韋",
        ",",
        ",,",
        ",。",
        ",、",
        ":",
        ";",
        "?",
        "!",
        "(",
        ")",
        "（",
        "）",
        "“",
        "”",
        "、",
        "。",
        "，",
        "1,000",
        "3:30",
        "11 ",
        "月",
        "4日",
        " ",
        "\n",
        "\n\n",
        "AI",
        "Fig. (a)",
        "犇(bēn)",
        "要强化主动服务",
        "意识。",
        "言武旭",
        "陜汽",
        "於",
        "\ufffd",
        "??",
        "zé)",
        "萍肌⒑",
        "　",
        "；",
        "：",
    ]
)
TEXT = st.one_of(
    st.lists(PIECES, max_size=40).map("".join),
    st.text(max_size=200),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=30).map("".join),
)
EXAMPLES = int(os.environ.get("REPAIR_EXAMPLES", "300"))  # raise for a longer search
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def repair(text: str) -> str:
    return apply_plan(text, REPAIR_STEPS)[0]


@SETTINGS
@given(TEXT)
def test_plan_never_raises_and_is_idempotent(text: str) -> None:
    once = repair(text)
    assert repair(once) == once


@SETTINGS
@given(TEXT)
def test_plan_never_adds_replacement_characters(text: str) -> None:
    assert repair(text).count("\ufffd") <= text.count("\ufffd")


@SETTINGS
@given(TEXT)
def test_plan_never_turns_chinese_punctuation_into_ascii(text: str) -> None:
    out = repair(text)
    for mark in CHINESE_PUNCTUATION:
        assert out.count(mark) >= text.count(mark), mark


SCRIPT_PIECES = st.sampled_from(
    ["區", "区", "書", "书", "方韋", "後", "於", "麽", "陜", "中", "&#21312;", "a", "\n"]
)


@settings(max_examples=max(50, EXAMPLES // 3), deadline=None)
@given(st.lists(SCRIPT_PIECES, max_size=6000).map("".join))
def test_script_counts_are_exact(text: str) -> None:
    from normalize.repairs.script import _classify, _tables, count_script_chars, detect_script

    tables = _tables()
    exact = (sum(c in tables.trad_only for c in text), sum(c in tables.simp_only for c in text))
    assert count_script_chars(text) == exact
    assert detect_script(text) == _classify(*exact)


def _t2s_pieces() -> st.SearchStrategy[str]:
    from normalize.repairs.script import _converter

    phrases = list(_converter()._dict_chain_data[0][0][2]) if _converter().convert("x") else []
    return st.sampled_from(
        [*phrases[:300], "乾", "隆", "著", "於", "後", ",", " ", "，", "。", "a", "區", "·"]
    )


@settings(max_examples=max(50, EXAMPLES // 3), deadline=None)
@given(st.lists(_t2s_pieces(), max_size=40).map("".join))
def test_fast_t2s_equals_opencc(text: str) -> None:
    from normalize.repairs.script import _converter, _fast_t2s

    assert _fast_t2s().convert(text) == _converter().convert(text)
