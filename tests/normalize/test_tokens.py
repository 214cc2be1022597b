"""normalize.repairs.tokens: listed injected tokens are flagged and removed only where they split a word."""

from __future__ import annotations

import json

import pytest

from normalize.repairs.tokens import (
    DATA_FILE,
    find_injected_tokens,
    load_rules,
    remove_injected_tokens,
    token_report,
)


@pytest.mark.parametrize(("text", "clean"), [
    ("科学、合理、适度、管锚点用的原则", "科学、合理、适度、管用的原则"),
    ("管錨點用", "管用"),
    ("复\u200b工复产", "复工复产"),
    ("复\u2060工", "复工"),
], ids=["simplified", "traditional", "zero-width-space", "word-joiner"])
def test_removed(text: str, clean: str) -> None:
    assert remove_injected_tokens(text) == clean


@pytest.mark.parametrize("text", ["在页面中设置锚点。", "锚点链接", "锚点", "添加锚点功能", "👨\u200d👩"],
                         ids=["after-shezhi", "before-lianjie", "alone", "tianjia", "emoji-zwj"])
def test_real_uses_stay(text: str) -> None:
    assert remove_injected_tokens(text) == text
    assert token_report(text) == ([], [])


def test_report_flags_and_keeps_what_went() -> None:
    flags, removed = token_report("适度、管锚点用的原则")
    assert flags == ["injected-token:锚点"]
    assert [(r.kind, r.text) for r in removed] == [("injected-token", "锚点 (in: 适度、管锚点用的原则)")]


def test_invisible_token_is_named_visibly_in_flags() -> None:
    assert token_report("复\u200b工")[0] == ["injected-token:U+200B"]


def test_every_listed_token_has_a_reason() -> None:
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert len(doc["tokens"]) == len(load_rules()) > 0
    for item in doc["tokens"]:
        assert len(item["reason"]) > 20, item["token"]


def test_hits_report_positions() -> None:
    [hit] = find_injected_tokens("管锚点用")
    assert (hit.start, hit.end, hit.text) == (1, 3, "锚点")
