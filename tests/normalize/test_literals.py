"""The literal pre-filter (normalize.literals): the words it reads from a pattern are words every match
holds, so a pattern behind its pre-filter finds exactly what it finds alone."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.literals import Guarded, guard, required_literals
from normalize.structure import furniture

ROOT = Path(__file__).resolve().parents[2]

# (pattern, the words it requires; None: it requires none)
CASES = [
    (r"版权所有|Copyright", {"版权所有", "Copyright"}),
    (r"(ICP|icp)\s*(备|備)", {"ICP", "icp"}),
    (r"(?:前)?后", {"后"}),
    (r"x{0,3}y", {"y"}),
    (r"a{2}b", {"aab"}),
    (r"a+b", {"a"}),  # the run breaks at a repeat of unknown length
    (r"[^a]bc", {"bc"}),
    (r"(ab|)c", {"abc", "c"}),
    (r"^\s*(主办|主辦)单位", {"主办单位", "主辦单位"}),
    (r"(?<!\s)打印|关闭窗口$", {"打印", "关闭窗口"}),
    (r"(?:a|b.*)", {"a", "b"}),
    (r"a|\d+", None),  # one branch needs no word
    (r"\d+", None),
    (r"(?i)copyright", None),  # case-insensitive: the words would miss "COPYRIGHT"
    (r"(?i:版权)所有", {"所有"}),
    (r"[\u3400-\u9fff]{2,12}", None),
    (r"(a)\1", {"a"}),
    (r"", None),
]


@pytest.mark.parametrize(("pattern", "words"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_required_words(pattern: str, words: set[str] | None) -> None:
    assert required_literals(pattern) == (None if words is None else frozenset(words))


def furniture_patterns() -> dict[str, re.Pattern[str]]:
    out = {f"{k.kind}/line": _raw(k.pattern) for k in furniture.load_kinds()}
    out |= {f"{k.kind}/prose": _raw(k.prose_pattern) for k in furniture.load_kinds() if k.prose_pattern}
    out |= {name: p for name, p in vars(furniture).items() if isinstance(p, re.Pattern)}
    return out


def _raw(p: re.Pattern[str] | Guarded) -> re.Pattern[str]:
    return p.pattern if isinstance(p, Guarded) else p


PATTERNS = furniture_patterns()


def branches() -> list[tuple[str, re.Pattern[str], re.Pattern[str]]]:
    """(name, one pattern of the data file, the alternation it is part of), and the module's patterns."""
    table = tomllib.loads((ROOT / "src" / "normalize" / "data" / "extract_furniture.toml").read_text("utf-8"))
    out = [(f"{kind}/{part}[{i}]", re.compile(p), PATTERNS[f"{kind}/{part}"])
           for kind, spec in table.items() for part in ("line", "prose")
           for i, p in enumerate(spec.get(part, []))]
    return out + [(name, p, p) for name, p in PATTERNS.items() if "/" not in name]


BRANCHES = {name: (one, whole) for name, one, whole in branches()}


@pytest.mark.parametrize("name", sorted(BRANCHES))
# strings built from a long furniture pattern are slow to make and often large: those two checks only
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_match_holds_a_required_word(name: str, data: st.DataObject) -> None:
    """Matches of each pattern (hypothesis builds them from the pattern itself) hold one of the words
    read from the alternation the pattern belongs to."""
    one, whole = BRANCHES[name]
    words = required_literals(whole)
    if words is None:
        return
    try:
        strategy = st.from_regex(one, fullmatch=True)
    except Exception:  # a construct hypothesis cannot build strings from (possessive repeats)
        pytest.skip(f"{name}: hypothesis cannot build strings from this pattern")
    text = data.draw(strategy)
    if one.fullmatch(text):
        assert any(w in text for w in words), (text, sorted(words))


def corpus_lines() -> list[str]:
    cases = tomllib.loads((ROOT / "tests" / "extract" / "line_kinds.toml").read_text("utf-8"))
    lines = [c["line"] for group in cases.values() for c in group]
    for path in sorted((ROOT / "archive" / "seeds").glob("*.txt")):
        lines += path.read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip()]


def test_guarded_search_finds_what_the_pattern_finds() -> None:
    lines = corpus_lines()
    for name, pattern in PATTERNS.items():
        guarded = guard(pattern)
        for line in lines:
            mine, theirs = guarded.search(line), pattern.search(line)
            assert (mine and mine.span()) == (theirs and theirs.span()), (name, line)


def test_guard_skips_patterns_it_cannot_speed_up() -> None:
    anchored = re.compile(r"^上一篇|^下一篇")
    assert guard(anchored) is anchored  # the engine tries an anchored pattern once
    wordless = re.compile(r"\d{4}\s*\d{2}")
    assert guard(wordless) is wordless
    assert isinstance(guard(re.compile(r"打印|关闭")), Guarded)
