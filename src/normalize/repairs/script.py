"""Which script a text is written in, and conversion of traditional text to simplified.

:func:`detect_script` counts characters that exist only in traditional writing and characters that
exist only in simplified writing; the balance gives ``"simplified"``, ``"traditional"``, ``"mixed"`` or
``"unknown"`` (no telling character at all). Traditional-only: keys of OpenCC's ``TSCharacters`` that are
not simplified forms themselves and lie outside GB2312 (the simplified character set: 哪吒, 摺 are in
simplified use), plus 後 and the characters of the fix-up table (陜 於 麽 纔). Simplified-only: keys of
``STCharacters`` that are not traditional forms. A few traditional characters in a simplified text are
names (方韋 in seed 004): up to 2, plus one per 50 simplified characters, among at least 5 simplified
ones, and the text stays simplified; a tiny text with both ("廠 版权") is mixed and gets converted.

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

from normalize.repairs.registry import note_changes, step

DATA_DIR = Path(__file__).parents[1] / "data"

SIMPLIFIED = "simplified"
TRADITIONAL = "traditional"
MIXED = "mixed"
UNKNOWN = "unknown"

_TRAD_MARK = "\x01"
_SIMP_MARK = "\x02"
_FIRST_CHUNK = 4096
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
    probe_trad, probe_simp = _count_exact(text[:_FIRST_CHUNK])
    if probe_trad > probe_simp:  # traditional-looking: one exact pass (its conversion costs far more)
        return _classify(*_count_exact(text))
    trad = _count_traditional_fast(text)
    return _classify(trad, _count_simplified(text, stop_at=_simplified_needed(trad)))


def _count_traditional_fast(text: str) -> int:
    """Traditional-only characters, counted without a Python step per character: all but three of
    them lie outside GB2312, so encoding to GB2312 (C speed) with character references isolates them."""
    tables = _tables()
    if "&#" in text:  # a literal character reference would be miscounted: take the exact path
        return _count_exact(text)[0]
    outside = _CHARREF_RE.findall(text.encode("gb2312", "xmlcharrefreplace"))
    trad = sum(1 for code in outside if chr(int(code)) in tables.trad_only)
    return trad + sum(text.count(c) for c in tables.trad_in_gb2312)


def _count_simplified(text: str, stop_at: int) -> int:
    """Simplified-only characters, counted chunk by chunk (growing chunks) until ``stop_at`` is reached:
    a simplified text is settled after its first few thousand characters."""
    marker = _tables().marker
    found, start, size = 0, 0, _FIRST_CHUNK
    while start < len(text) and found < stop_at:
        found += text[start : start + size].translate(marker).count(_SIMP_MARK)
        start += size
        size *= 2
    return found


def count_script_chars(text: str) -> tuple[int, int]:
    """(traditional-only, simplified-only) character counts, exactly.

    One ``str.translate`` pass marks both kinds (a C loop; a regex over a 4,000-character class is
    many times slower) and two ``count`` calls count the marks.

    >>> count_script_chars("區委书记")
    (1, 2)
    """
    return _count_exact(text)


def _count_exact(text: str) -> tuple[int, int]:
    marked = text.translate(_tables().marker)
    return marked.count(_TRAD_MARK), marked.count(_SIMP_MARK)


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
    return _apply_fixes(_fast_t2s().convert(text))


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
    text = text.translate(fixes.char_table)
    if "著" in text:
        text = fixes.zhe_re.sub("着", text)
    return text


def _count_changed(before: str, after: str) -> int:
    if len(before) != len(after):
        return max(1, abs(len(before) - len(after)))
    return sum(1 for a, b in zip(before, after, strict=True) if a != b)


_CHARREF_RE = re.compile(rb"&#(\d+);")
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
        self.trad_in_gb2312 = frozenset(c for c in self.trad_only if _in_gb2312(c))  # counted one by one
        simp_only = frozenset(k for k, v in st.items() if k not in v and k not in ts)
        self.marker: dict[int, str] = {ord(c): _TRAD_MARK for c in self.trad_only}
        self.marker.update({ord(c): _SIMP_MARK for c in simp_only})
        # the marks themselves must not be counted when they occur in the text
        self.marker.update({ord(_TRAD_MARK): "", ord(_SIMP_MARK): ""})


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
