"""Which script a text is written in, and conversion of traditional text to simplified.

:func:`detect_script` counts characters that exist only in traditional writing and characters that
exist only in simplified writing; the balance gives ``"simplified"``, ``"traditional"``, ``"mixed"`` or
``"unknown"`` (no telling character at all). Traditional-only: keys of OpenCC's ``TSCharacters`` that are
not simplified forms themselves and lie outside GB2312 (the simplified character set: 哪吒, 摺 are in
simplified use), plus 後 and the characters of the fix-up table (陜 於 麽 纔). Simplified-only: keys of
``STCharacters`` that are not traditional forms. A few traditional characters in a simplified text are
names (方韋 in seed 004): up to 2, plus one per 50 simplified characters, among at least 5 simplified
ones, and the text stays simplified; a tiny text with both ("廠 版权") is mixed and gets converted.
Counting is one table lookup per character in numpy (the text's code points index a class table).

:func:`convert_to_simplified` (the repair step) converts only text that is traditional or mixed, so the
names in simplified text stay as written. :func:`to_simplified` is the unconditional conversion: OpenCC
``t2s`` followed by the documented fix-ups in ``data/repairs_t2s_fixes.toml`` for what t2s misses (著 as
the aspect particle, 陜, ...). Tables are loaded once, on first use.

The t2s output is opencc-python-reimplemented's. It comes from OpenCC's C++ library where installed
(:mod:`normalize.repairs.opencc_cpp`, ~6x faster than :class:`FastT2S`, checked against it on load),
else from :class:`FastT2S`; :func:`t2s_engine` says which.
"""

from __future__ import annotations

import logging
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from normalize.repairs.registry import note_changes, step

DATA_DIR = Path(__file__).parents[1] / "data"

SIMPLIFIED = "simplified"
TRADITIONAL = "traditional"
MIXED = "mixed"
UNKNOWN = "unknown"

_OTHER, _TRAD, _SIMP = 0, 1, 2  # character classes of the counting table
_CHUNK = 1 << 20  # characters counted at a time (bounds the code-point arrays to 4 MB)
_NAME_ALLOWANCE = 2  # traditional characters a simplified text may hold as names (方韋) ...
_NAME_RATIO = 50  # ... plus one per this many simplified-only characters (and the same the other way)
_MIN_EVIDENCE = 5  # ... but only among this many simplified-only characters: "廠 版权" is mixed


def detect_script(text: str) -> str:
    """``"simplified"``, ``"traditional"``, ``"mixed"`` or ``"unknown"``.

    >>> detect_script("区委召开会议"), detect_script("區委召開會議"), detect_script("中文")
    ('simplified', 'traditional', 'unknown')
    >>> detect_script("方韋 " + "区委召开会议" * 3)
    'simplified'
    >>> detect_script("区委召开会议 區委召開會議")
    'mixed'
    """
    return _classify(*_count_exact(text))


def count_script_chars(text: str) -> tuple[int, int]:
    """(traditional-only, simplified-only) character counts, exactly.

    The code points index a table of classes (numpy: ~15x a ``str.translate`` marking pass; a regex
    over a 4,000-character class is slower still).

    >>> count_script_chars("區委书记")
    (1, 2)
    """
    return _count_exact(text)


def _count_exact(text: str) -> tuple[int, int]:
    import numpy as np

    classes = _tables().classes
    counts = np.zeros(3, dtype=np.int64)
    for codes in _code_points(text):
        counts += np.bincount(classes[codes], minlength=3)
    return int(counts[_TRAD]), int(counts[_SIMP])


def _code_points(text: str) -> Any:
    """The text's code points as uint32 arrays, a chunk at a time (lone surrogates included)."""
    import numpy as np

    for start in range(0, len(text), _CHUNK):
        data = text[start : start + _CHUNK].encode("utf-32-le", "surrogatepass")
        yield np.frombuffer(data, dtype=np.uint32)


def _classify(trad: int, simp: int) -> str:
    if trad == 0 and simp == 0:
        return UNKNOWN
    if simp >= _simplified_needed(trad):
        return SIMPLIFIED
    if trad >= _simplified_needed(simp) and trad > 0:
        return TRADITIONAL
    return MIXED


def _simplified_needed(trad: int) -> int:
    """Simplified-only characters a text needs to count as simplified despite ``trad`` traditional ones:
    one when there are none; else at least _MIN_EVIDENCE (a name needs a text around it) and 50 per
    traditional character beyond the first two. (Used the other way round for traditional text.)"""
    if trad == 0:
        return 1
    return max(_MIN_EVIDENCE, _NAME_RATIO * (trad - _NAME_ALLOWANCE))


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

    >>> to_simplified("陜汽大同專用汽車 圍著 著名 著作 乾隆年間乾燥")
    '陕汽大同专用汽车 围着 著名 著作 乾隆年间干燥'
    """
    return _apply_fixes(_t2s().convert(text))


def t2s_engine() -> str:
    """Which converter :func:`to_simplified` uses, and why (OpenCC's C++ library when installed and
    checked, else :class:`FastT2S` on opencc-python-reimplemented: the same output, slower)."""
    _t2s()
    return _ENGINE_WHY[0]


class FastT2S:
    """OpenCC t2s (opencc-python-reimplemented), same dictionaries, same result, ~10x faster.

    The reimplementation runs a Python parse-tree over every character. Its t2s chain is one group:
    TSPhrases (277 entries, 2-14 characters, longest match first within a segment between separators)
    then TSCharacters (single characters). Every character outside a phrase is therefore looked up
    alone, which is what ``str.translate`` does in C. So: find phrase keys with one trie-shaped regex;
    hand the segments that hold one to OpenCC's own conversion; translate everything else. When the
    dictionaries do not have that shape (another OpenCC version), it falls back to OpenCC entirely.
    A test compares the two on the seeds, on every phrase key and on the shared traditional pages.
    """

    def __init__(self, converter: Any) -> None:
        self._opencc = converter
        converter.convert("預熱")  # loads the dictionaries
        chain = converter._dict_chain_data
        self.exact = _has_t2s_shape(chain) and _separators_of(converter) == frozenset(_OPENCC_SEPARATORS)
        if not self.exact:
            return
        (_, _, phrases), (_, _, chars) = chain[0]
        self._chain = chain
        self._table = str.maketrans({k: v.split(" ")[0] for k, v in chars.items()})
        self._separators = frozenset(_OPENCC_SEPARATORS)
        # a key holding a separator can never match in OpenCC (it splits first), so it is left out
        keys = sorted(k for k in phrases if not any(self._is_separator(c) for c in k))
        self._phrase_re = re.compile(_trie_pattern(keys))

    def convert(self, text: str) -> str:
        if not self.exact:
            return str(self._opencc.convert(text))
        out: list[str] = []
        done = 0
        for m in self._phrase_re.finditer(text):
            if m.start() < done:
                continue  # inside a segment already converted
            start, end = self._segment(text, m.start(), m.end())
            out.append(text[done:start].translate(self._table))
            out.append(self._opencc._convert(text[start:end], self._chain))
            done = end
        out.append(text[done:].translate(self._table))
        return "".join(out)

    def _segment(self, text: str, start: int, end: int) -> tuple[int, int]:
        """The stretch between OpenCC's separators (whitespace and punctuation) around a match."""
        while start > 0 and not self._is_separator(text[start - 1]):
            start -= 1
        while end < len(text) and not self._is_separator(text[end]):
            end += 1
        return start, end

    def _is_separator(self, ch: str) -> bool:
        return ch in self._separators or ch.isspace()


# The separators of opencc-python-reimplemented's split_chars_re (besides \s+), one character each.
_OPENCC_SEPARATORS = (
    "-,.?!*　，。、；：？！…“”‘’『』「」﹁﹂—－（）《》〈〉～．／＼"
    "︒︑︔︓︿﹀︹︺︙︐［﹇］﹈︕︖︰︳︴︽︾︵︶｛︷｝︸﹃﹄【︻】︼"
)


def _separators_of(converter: Any) -> frozenset[str]:
    """The single-character separators in OpenCC's split regex (it also splits on whitespace runs)."""
    alternatives = str(converter.split_chars_re.pattern).strip("()").split("|")
    return frozenset(a.replace("\\", "") for a in alternatives if a != "\\s+")


def _has_t2s_shape(chain: Any) -> bool:
    try:
        (_, _, phrases), (_, _, chars) = chain[0]
    except (TypeError, ValueError, IndexError):
        return False
    return (
        len(chain) == 1
        and all(len(k) == 1 and len(v.split(" ")[0]) == 1 for k, v in chars.items())
        and all(len(k) >= 2 for k in phrases)
    )


def _trie_pattern(words: list[str]) -> str:
    """A regex matching any of ``words``, shaped as a trie so that the engine branches per character."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_node(trie)


def _trie_node(node: dict[str, Any]) -> str:
    branches = [re.escape(ch) + _trie_node(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _apply_fixes(text: str) -> str:
    fixes = _fixes()
    for old, new in fixes.chars:  # str.replace per character: ~20x a translate pass over the text
        if old in text:
            text = text.replace(old, new)
    if "著" in text:
        text = fixes.zhe_re.sub("着", text)
    return text


def _count_changed(before: str, after: str) -> int:
    """Characters that differ (position by position; a change of length counts its difference).

    >>> _count_changed("區委書記", "区委书记"), _count_changed("a", "abc")
    (3, 2)
    """
    if len(before) != len(after):
        return max(1, abs(len(before) - len(after)))
    import numpy as np

    pairs = zip(_code_points(before), _code_points(after), strict=True)
    return sum(int(np.count_nonzero(a != b)) for a, b in pairs)


_TRAD_IN_GB2312 = "後"  # in GB2312 but traditional (后); 於 and 麽 come from the fix-up table


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


class _Tables:
    def __init__(self, ts: dict[str, list[str]], st: dict[str, list[str]]) -> None:
        self.t2s_chars = {k: v[0] for k, v in ts.items() if v and v[0] != k}
        fixed = frozenset(c["from"] for c in _fix_data()["char"])  # 陜: traditional, unknown to OpenCC
        candidates = frozenset(k for k, v in ts.items() if k not in v and k not in st)
        # GB2312 is the simplified character set: what it holds is simplified usage (哪吒, 摺), except
        # the few true traditional forms listed in _TRAD_IN_GB2312 and the fix-up table
        self.trad_only = frozenset(c for c in candidates if not _in_gb2312(c)) | fixed | set(_TRAD_IN_GB2312)
        self.simp_only = frozenset(k for k, v in st.items() if k not in v and k not in ts)
        self.classes = _class_table({_TRAD: self.trad_only, _SIMP: self.simp_only})


def _class_table(classes: dict[int, frozenset[str]]) -> Any:
    """A uint8 array indexed by code point (all of Unicode, surrogates included): each character's class."""
    import numpy as np

    table = np.full(0x110000, _OTHER, dtype=np.uint8)
    for value, chars in classes.items():
        table[np.fromiter((ord(c) for c in chars), dtype=np.int64)] = value
    return table


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


@cache
def _fast_t2s() -> FastT2S:
    return FastT2S(_converter())


_ENGINE_WHY = ["not loaded yet"]


@cache
def _t2s() -> Any:
    """The fastest exact converter: :mod:`normalize.repairs.opencc_cpp` where it loads and passes its
    check against :class:`FastT2S`, else FastT2S itself (said once on the log)."""
    from normalize.repairs.opencc_cpp import load_engine

    fast = _fast_t2s()
    loaded = load_engine(fast, _converter()) if fast.exact else None
    if loaded is not None and loaded.engine is not None:
        _ENGINE_WHY[0] = loaded.why
        return loaded.engine
    why = loaded.why if loaded is not None else "OpenCC's t2s tables changed shape"
    _ENGINE_WHY[0] = f"opencc-python-reimplemented (FastT2S): {why}"
    logging.getLogger(__name__).info("t2s: %s", _ENGINE_WHY[0])
    return fast


class _Fixes:
    def __init__(self, data: dict[str, Any]) -> None:
        self.chars = tuple((c["from"], c["to"]) for c in data["char"])
        _check_char_fixes(self.chars)
        zhe = data["zhe"]
        after = "".join(sorted(zhe["keep_after"]))
        before = "".join(sorted(zhe["keep_before"]))
        # starts with 著 itself (the engine jumps from one 著 to the next); the character before it is
        # tested by a lookbehind over both
        self.zhe_re = re.compile(f"著(?<![{after}]著)(?![{before}])")


def _check_char_fixes(pairs: tuple[tuple[str, str], ...]) -> None:
    """One character to one other, never to another entry's source: then one ``str.replace`` per entry
    is the simultaneous replacement the table means."""
    sources = {old for old, _ in pairs}
    for old, new in pairs:
        if len(old) != 1 or new in sources:
            raise ValueError(
                f"{DATA_DIR / 'repairs_t2s_fixes.toml'}: [[char]] from={old!r} to={new!r}: 'from' must be "
                "one character and 'to' must not be another entry's 'from' (merge the two entries)"
            )


@cache
def _fixes() -> _Fixes:
    return _Fixes(_fix_data())


@cache
def _fix_data() -> dict[str, Any]:
    return tomllib.loads((DATA_DIR / "repairs_t2s_fixes.toml").read_text(encoding="utf-8"))
