"""Which script a text is written in, and conversion of traditional text to simplified.

:func:`detect_script` counts characters that exist only in traditional writing (keys of OpenCC's
``TSCharacters`` table that are not themselves simplified forms) and characters that exist only in
simplified writing (keys of ``STCharacters`` that are not traditional forms); the balance gives
``"simplified"``, ``"traditional"``, ``"mixed"`` or ``"unknown"`` (no telling character at all).
A few traditional characters in a simplified text are names (方韋 in seed 004) and do not make it mixed.

:func:`convert_to_simplified` (the repair step) converts only text that is traditional or mixed, so the
names in simplified text stay as written. :func:`to_simplified` is the unconditional conversion: OpenCC
``t2s`` followed by the documented fix-ups in ``data/repairs_t2s_fixes.toml`` for what t2s misses (著 as
the aspect particle, 陜, ...). Tables are loaded once, on first use.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from normalize.registry import note_changes, step

DATA_DIR = Path(__file__).parent / "data"

SIMPLIFIED = "simplified"
TRADITIONAL = "traditional"
MIXED = "mixed"
UNKNOWN = "unknown"

_NAME_ALLOWANCE = 2  # traditional characters a simplified text may hold as names (方韋) ...
_NAME_RATIO = 50  # ... plus one per this many simplified-only characters (and the same the other way)


def detect_script(text: str) -> str:
    """``"simplified"``, ``"traditional"``, ``"mixed"`` or ``"unknown"``.

    >>> detect_script("区委召开会议"), detect_script("區委召開會議"), detect_script("中文")
    ('simplified', 'traditional', 'unknown')
    >>> detect_script("方韋 " + "区委召开会议" * 3)
    'simplified'
    >>> detect_script("区委召开会议 區委召開會議")
    'mixed'
    """
    trad, simp = count_script_chars(text)
    return _classify(trad, simp)


def count_script_chars(text: str) -> tuple[int, int]:
    """(traditional-only, simplified-only) character counts."""
    tables = _tables()
    return len(tables.trad_re.findall(text)), len(tables.simp_re.findall(text))


def _classify(trad: int, simp: int) -> str:
    if trad == 0 and simp == 0:
        return UNKNOWN
    if trad <= _NAME_ALLOWANCE + simp // _NAME_RATIO and simp > 0:
        return SIMPLIFIED
    if simp <= _NAME_ALLOWANCE + trad // _NAME_RATIO and trad > 0:
        return TRADITIONAL
    return MIXED


def is_traditional_char(ch: str) -> bool:
    """True for a character used only in traditional writing (區, 著 is not: it is also simplified).

    >>> is_traditional_char("區"), is_traditional_char("区"), is_traditional_char("著")
    (True, False, False)
    """
    return ch in _tables().trad_only


def simplified_form(ch: str) -> str:
    """The simplified form of one character (itself when it has none)."""
    return _tables().t2s_chars.get(ch, ch)


@step
def convert_to_simplified(text: str) -> str:
    """Convert traditional (or mixed) text to simplified; leave simplified text and its names alone.

    >>> convert_to_simplified("區委書記忙著調研")
    '区委书记忙着调研'
    >>> convert_to_simplified("区委书记方韋调研企业复工复产")
    '区委书记方韋调研企业复工复产'
    """
    if detect_script(text) not in (TRADITIONAL, MIXED):
        return text
    out = to_simplified(text)
    if out != text:
        note_changes(_count_changed(text, out))
    return out


def to_simplified(text: str) -> str:
    """OpenCC t2s plus the fix-up table, unconditionally.

    >>> to_simplified("陜汽大同專用汽車 圍著 著名 著作")
    '陕汽大同专用汽车 围着 著名 著作'
    """
    out = _converter().convert(text)
    return _apply_fixes(out)


def _apply_fixes(text: str) -> str:
    fixes = _fixes()
    text = text.translate(fixes.char_table)
    if "著" in text:
        text = fixes.zhe_re.sub("着", text)
    return text


def _count_changed(before: str, after: str) -> int:
    if len(before) != len(after):
        return max(1, abs(len(before) - len(after)))
    return sum(1 for a, b in zip(before, after, strict=True) if a != b)


class _Tables:
    def __init__(self, ts: dict[str, list[str]], st: dict[str, list[str]]) -> None:
        self.t2s_chars = {k: v[0] for k, v in ts.items() if v and v[0] != k}
        fixed = frozenset(c["from"] for c in _fix_data()["char"])  # 陜: traditional, unknown to OpenCC
        self.trad_only = frozenset(k for k, v in ts.items() if k not in v and k not in st) | fixed
        simp_only = frozenset(k for k, v in st.items() if k not in v and k not in ts)
        self.trad_re = re.compile(_char_class(self.trad_only))
        self.simp_re = re.compile(_char_class(simp_only))


def _char_class(chars: frozenset[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


@cache
def _tables() -> _Tables:
    return _Tables(_read_opencc_table("TSCharacters.txt"), _read_opencc_table("STCharacters.txt"))


def _read_opencc_table(name: str) -> dict[str, list[str]]:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / name
    table: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key and len(key) == 1:
            table[key] = values.split()
    return table


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


class _Fixes:
    def __init__(self, data: dict[str, Any]) -> None:
        self.char_table = str.maketrans({c["from"]: c["to"] for c in data["char"]})
        zhe = data["zhe"]
        after = "".join(sorted(zhe["keep_after"]))
        before = "".join(sorted(zhe["keep_before"]))
        self.zhe_re = re.compile(f"(?<![{after}])著(?![{before}])")


@cache
def _fixes() -> _Fixes:
    return _Fixes(_fix_data())


@cache
def _fix_data() -> dict[str, Any]:
    return tomllib.loads((DATA_DIR / "repairs_t2s_fixes.toml").read_text(encoding="utf-8"))
