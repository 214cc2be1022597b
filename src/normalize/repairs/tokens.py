"""Injected tokens (issue 2, part 8): strings that were never part of the article.

Portals, rich-text editors and anti-copy scripts leave tokens inside article text: an editor's anchor
label (seed 001: ``管錨點(diǎn)用`` where the text means ``管用``), invisible zero-width "watermark"
characters between Han characters. Such a token splits a word, which breaks search, dedup and diff.

The tokens we know are listed, each with the reason it is there, in ``data/structure_tokens.json``.
Matching runs after pinyin annotations are stripped and before script conversion (so removing a token
never changes which script the text is detected as); each token is listed in simplified with its
traditional variants.

- :func:`find_injected_tokens` finds the listed tokens that occur where they are injected (for a
  token with ``where = "inside-han"``: Han characters touch it on both sides, and it is not in one of
  the contexts listed as a real use, e.g. ``设置锚点``).
- :func:`remove_injected_tokens` is the registered repair step that removes the hits whose action is
  ``"remove"``; :func:`token_report` gives the record's ``flags`` (``"injected-token:锚点"``) and its
  ``removed`` entries (kind ``"injected-token"``, with a little context so a reader sees where it was).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from normalize.chars import is_han
from normalize.record import Removed
from normalize.repairs.registry import note_changes, step

DATA_FILE = Path(__file__).parents[1] / "data" / "structure_tokens.json"
CONTEXT_CHARS = 4


@dataclass(frozen=True)
class TokenRule:
    token: str
    forms: tuple[str, ...]  # the token and its variants in other scripts
    action: str  # "remove" | "flag"
    where: str  # "inside-han" | "anywhere"
    keep_after: tuple[str, ...]
    keep_before: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class TokenHit:
    rule: TokenRule
    text: str  # the form found
    start: int
    end: int
    context: str  # the token with a few characters either side


@cache
def load_rules() -> tuple[TokenRule, ...]:
    """The token list from ``data/structure_tokens.json`` (read once)."""
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    rules = []
    for item in doc["tokens"]:
        if item["action"] not in ("remove", "flag") or item["where"] not in ("inside-han", "anywhere"):
            raise ValueError(f"{DATA_FILE}: bad entry {item!r}: action must be remove|flag, "
                             "where must be inside-han|anywhere")
        forms = (item["token"], *item.get("variants", ()))
        rules.append(TokenRule(item["token"], forms, item["action"], item["where"],
                               tuple(item.get("keep_after", ())), tuple(item.get("keep_before", ())),
                               item["reason"]))
    return tuple(rules)


@cache
def _rules_by_form() -> dict[str, TokenRule]:
    """Each listed spelling of a token -> its rule (built once)."""
    return {f: r for r in load_rules() for f in r.forms}


@cache
def _pattern() -> re.Pattern[str]:
    tokens = sorted({f for r in load_rules() for f in r.forms}, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in tokens))


def _injected_here(rule: TokenRule, text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 8):start], text[end:end + 8]
    if any(before.endswith(k) for k in rule.keep_after) or any(after.startswith(k) for k in rule.keep_before):
        return False
    if rule.where == "anywhere":
        return True
    return is_han(text[start - 1:start]) and is_han(text[end:end + 1])


def find_injected_tokens(text: str) -> list[TokenHit]:
    """Listed tokens found where they were injected.

    >>> [(h.rule.token, h.context) for h in find_injected_tokens("按照适度、管锚点用的原则")]
    [('锚点', '适度、管锚点用的原则')]
    >>> find_injected_tokens("在页面中设置锚点。")  # a real use of the word stays
    []
    """
    by_form = _rules_by_form()
    hits = []
    for m in _pattern().finditer(text):
        rule = by_form[m.group()]
        if _injected_here(rule, text, m.start(), m.end()):
            ctx = text[max(0, m.start() - CONTEXT_CHARS):m.end() + CONTEXT_CHARS]
            hits.append(TokenHit(rule, m.group(), m.start(), m.end(), ctx))
    return hits


@step
def remove_injected_tokens(text: str) -> str:
    """Remove listed injected tokens that split a word (data/structure_tokens.json).

    >>> remove_injected_tokens("科学、合理、适度、管锚点用的原则")
    '科学、合理、适度、管用的原则'
    >>> remove_injected_tokens("管錨點用")
    '管用'
    >>> remove_injected_tokens("复\u200b工复产")
    '复工复产'
    >>> remove_injected_tokens("点击设置锚点。")
    '点击设置锚点。'
    """
    hits = [h for h in find_injected_tokens(text) if h.rule.action == "remove"]
    if not hits:
        return text
    note_changes(len(hits))
    out, pos = [], 0
    for h in hits:
        out.append(text[pos:h.start])
        pos = h.end
    out.append(text[pos:])
    return "".join(out)


def _visible(token: str) -> str:
    return token if token.isprintable() else "".join(f"U+{ord(c):04X}" for c in token)


def token_report(text: str) -> tuple[list[str], list[Removed]]:
    """Flags and removed entries for the injected tokens in ``text`` (before removal).

    >>> token_report("管锚点用")
    (['injected-token:锚点'], [Removed(kind='injected-token', text='锚点 (in: 管锚点用)')])
    """
    flags: list[str] = []
    removed: list[Removed] = []
    for h in find_injected_tokens(text):
        flag = f"injected-token:{_visible(h.rule.token)}"
        if flag not in flags:
            flags.append(flag)
        if h.rule.action == "remove":
            removed.append(Removed("injected-token", f"{h.text} (in: {h.context})"))
    return flags, removed
