"""Literal pre-filters: the words a regular expression cannot match without, read from the expression.

Most furniture patterns name their words (版权所有, ICP, 打印本页), but an alternation of a dozen of them,
anchored ones among them, is tried at every character of a line. :func:`required_literals` reads a
pattern's parse tree and returns a set of strings of which every match contains at least one (or
``None`` when it cannot tell: a class of many characters, a case-insensitive flag, a back-reference);
:class:`Guarded` searches a line for one of those words first — one scan for a few characters — and
runs the pattern only where one stands. The decision is the pattern's own: a line without any of the
words has no match (what :func:`required_literals` guarantees), so the pre-filter changes no result,
only how soon a line without them is turned down. Written once, for every pattern: the rules in the
data files stay plain regular expressions, and a pattern added there gets its pre-filter for free.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product
from typing import Any

MAX_CLASS_CHARS = 8  # a character class of at most this many characters is spelled out: [备備证證]
MAX_WORDS = 64  # a set of alternative words grows to at most this many strings
MAX_REPEAT_COPIES = 4  # an exact item repeated a fixed number of times is spelled out up to this
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")

Words = frozenset[str]


def required_literals(pattern: str | re.Pattern[str]) -> Words | None:
    """Strings one of which every match of ``pattern`` contains, or ``None`` when the pattern does not
    say (it could match without any fixed word).

    >>> sorted(required_literals(r"(ICP|icp)\\s*(备|備)"))
    ['ICP', 'icp']
    >>> sorted(required_literals(r"^(主办|主辦)单位\\s*[:：]|(未经|未經).{0,12}授权"))
    ['主办单位', '主辦单位', '授权']
    >>> required_literals(r"^[\\u3400-\\u9fff]{2,12}\\s*$"), required_literals("(?i)copyright")
    (None, None)
    """
    compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
    items = _parse(compiled)
    return None if items is None else _sequence_words(items)


def _parse(compiled: re.Pattern[str]) -> list[tuple[Any, Any]] | None:
    """The top-level items of a pattern's parse tree, or ``None`` for a pattern whose words cannot be
    read as written (case-insensitive, verbose, bytes)."""
    if compiled.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(compiled.pattern, str):
        return None
    import re._parser as sre_parse  # type: ignore[import-not-found]  # the stdlib's parser of re

    return list(sre_parse.parse(compiled.pattern, compiled.flags))


def _sequence_words(items: list[tuple[Any, Any]]) -> Words | None:
    """The best requirement of a sequence: a run of exactly known items spelled out, or a mandatory
    item's own requirement; the most selective one (longest shortest word, then fewest words)."""
    candidates: list[Words] = []
    run: Words | None = None  # the words the current run of exact items spells
    for op, av in items:
        name = str(op)
        if name in _ZERO_WIDTH:
            continue  # consumes nothing: the items around it stand side by side in the match
        exact = _exact(name, av)
        if exact is not None and run is not None and len(run) * len(exact) <= MAX_WORDS:
            run = frozenset(a + b for a, b in product(run, exact))
            continue
        if run is not None:
            candidates.append(run)
        run = exact
        if exact is None and (inner := _item_words(name, av)) is not None:
            candidates.append(inner)
    if run is not None:
        candidates.append(run)
    candidates = [c for c in candidates if c and "" not in c]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


def _exact(name: str, av: Any) -> Words | None:
    """The strings an item matches when there are few of them (a literal, a small class, an
    alternation or group of such), else ``None``."""
    if name == "LITERAL":
        return frozenset(chr(av))
    if name == "IN":
        chars = _class_chars(av)
        return frozenset(chars) if chars is not None and len(chars) <= MAX_CLASS_CHARS else None
    if name == "SUBPATTERN":
        add_flags = av[1]
        return None if add_flags & re.IGNORECASE else _exact_sequence(av[-1])
    if name == "BRANCH":
        out: set[str] = set()
        for branch in av[1]:
            words = _exact_sequence(branch)
            if words is None or len(out | words) > MAX_WORDS:
                return None
            out |= words
        return frozenset(out)
    if name in _REPEATS:
        low, high, body = av
        words = _exact_sequence(body)
        if words is None or low != high or not 1 <= low <= MAX_REPEAT_COPIES or len(words) ** low > MAX_WORDS:
            return None
        return frozenset("".join(p) for p in product(sorted(words), repeat=low))
    return None


def _exact_sequence(items: Any) -> Words | None:
    out: Words = frozenset({""})
    for op, av in items:
        name = str(op)
        if name in _ZERO_WIDTH:
            continue
        words = _exact(name, av)
        if words is None or len(out) * len(words) > MAX_WORDS:
            return None
        out = frozenset(a + b for a, b in product(out, words))
    return out


def _class_chars(av: Any) -> set[str] | None:
    chars: set[str] = set()
    for op, a in av:
        name = str(op)
        if name == "LITERAL":
            chars.add(chr(a))
        elif name == "RANGE" and a[1] - a[0] < MAX_CLASS_CHARS:
            chars.update(chr(c) for c in range(a[0], a[1] + 1))
        else:
            return None  # NEGATE, a category, a wide range
    return chars


def _item_words(name: str, av: Any) -> Words | None:
    """The requirement of an item that is not exactly known: a group's or a mandatory repeat's body,
    every branch of an alternation."""
    if name == "SUBPATTERN":
        return None if av[1] & re.IGNORECASE else _sequence_words(av[-1])
    if name == "ATOMIC_GROUP":
        return _sequence_words(av)
    if name in _REPEATS:
        return _sequence_words(av[2]) if av[0] >= 1 else None
    if name == "BRANCH":
        out: set[str] = set()
        for branch in av[1]:
            words = _sequence_words(branch)
            if words is None:
                return None
            out |= words
        return frozenset(out)
    return None


def guard(pattern: re.Pattern[str]) -> re.Pattern[str] | Guarded:
    """The pattern behind its pre-filter, or the pattern itself when a pre-filter would not pay: it
    names no required word, or every branch is anchored at the start (the engine tries it once).

    >>> type(guard(re.compile(r"(?:版权所有)|(?:Copyright)"))).__name__
    'Guarded'
    >>> guard(re.compile(r"^上一篇|^下一篇")).pattern
    '^上一篇|^下一篇'
    """
    items = _parse(pattern)
    if items is None or _anchored(items):
        return pattern
    words = _sequence_words(items)
    return pattern if words is None else Guarded(pattern, words)


def _anchored(items: list[tuple[Any, Any]]) -> bool:
    """Whether every branch of a parsed pattern starts with ``^``."""
    branches = items[0][1][1] if len(items) == 1 and str(items[0][0]) == "BRANCH" else [items]
    return all(b and str(b[0][0]) == "AT" and str(b[0][1]) == "AT_BEGINNING" for b in branches)


class Guarded:
    """A compiled pattern behind the pre-filter of its required words (:func:`required_literals`):
    ``search`` and ``finditer`` give exactly what the pattern's own give.

    >>> g = Guarded(re.compile(r"(?:^(主办|主辦)\\s*[:：])|(?:(ICP|icp)\\s*备)"))
    >>> g.search("粤ICP备05070829号").group(0), g.search("会议指出") is None, g.words is not None
    ('ICP备', True, True)
    """

    __slots__ = ("_quick", "pattern", "words")

    def __init__(self, pattern: re.Pattern[str], words: Words | None = None) -> None:
        self.pattern = pattern
        self.words = required_literals(pattern) if words is None else words
        longest_first = sorted(self.words or (), key=lambda w: (-len(w), w))
        self._quick = re.compile("|".join(map(re.escape, longest_first))) if longest_first else None

    def search(self, line: str) -> re.Match[str] | None:
        if self._quick is not None and self._quick.search(line) is None:
            return None
        return self.pattern.search(line)

    def finditer(self, line: str) -> Iterator[re.Match[str]]:
        if self._quick is not None and self._quick.search(line) is None:
            return iter(())
        return self.pattern.finditer(line)
