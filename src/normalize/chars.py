"""Characters and spacing: the one Han-character class and the one whitespace helper of the package.

- :data:`HAN_RANGES` / :data:`HAN_CHARS` / :data:`HAN`: CJK Unified Ideographs with extension A, the
  compatibility ideographs and the supplementary planes' extensions (B-H). Every stage that asks "is
  this a Chinese character" uses these (a pattern that needs the class inside a larger one writes
  ``f"[{HAN_CHARS}，、]"``).
- :func:`han_count`, :func:`is_han`, :func:`common_han_chars`.
- :data:`CONTROL_CHARS`: the control characters text never holds (C0 but ``\n`` and ``\t``, DEL, C1);
  :func:`printable`: any text made safe for a terminal (controls, surrogates and bidi overrides escaped).
- :func:`squash`: runs of ASCII whitespace as one space, ends trimmed; :func:`split_lines`: the
  non-empty stripped lines of a text; :func:`compare_key`: a line without whitespace and punctuation,
  for comparing. U+3000 inside Chinese text is kept: it is the text's own spacing.
"""

from __future__ import annotations

import functools
import re

HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x3134F),  # extensions B-G (and the planes' compatibility supplement)
)
HAN_CHARS = "".join(f"{chr(a)}-{chr(b)}" for a, b in HAN_RANGES)
HAN = re.compile(f"[{HAN_CHARS}]")
# C0 controls except \t and \n (\r too: captures' line ends are normalised before this matters), DEL,
# C1 controls; of them, the ones that end a line or a page.
CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
LINE_SEPARATOR_CONTROLS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85")
# What must never reach a terminal raw: the controls, lone surrogates, and the bidirectional overrides
# and isolates that reorder what a reader sees ("Trojan source").
_NOT_TEXT = "\ud800-\udfff\u202a-\u202e\u2066-\u2069"  # lone surrogates, bidi overrides and isolates
_UNPRINTABLE = re.compile(f"[{CONTROL_CHARS}{_NOT_TEXT}]")
_ASCII_SPACE = re.compile(r"[ \t\n\r]+")
_NOT_WORD = re.compile(r"[\W_]+")
_EDGE_SPACE = " \t\r\u3000\u00a0"


def is_han(ch: str) -> bool:
    """Whether one character is a Han character.

    >>> is_han("区"), is_han("𠀋"), is_han("，"), is_han("䷀"), is_han("")
    (True, True, False, False, False)
    """
    if len(ch) != 1:
        return False
    return HAN.match(ch) is not None


def han_count(text: str) -> int:
    """Number of Han characters in ``text``.

    >>> han_count("新闻 News 2012")
    2
    """
    return len(HAN.findall(text))


@functools.cache
def common_han_chars() -> frozenset[str]:
    """The ~8,000 characters that make up nearly all running text: GB2312 level 1 (3,755 most frequent
    simplified characters) and Big5 level 1 (5,401 frequent traditional ones). Rare characters (犇 羴)
    and the symbols a wrong decoding produces are outside it.

    >>> "区" in common_han_chars(), "區" in common_han_chars(), "犇" in common_han_chars()
    (True, True, False)
    """
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        chars.update(bytes([lead, t]).decode("gb2312", "ignore") for t in range(0xA1, 0xFF))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.add(bytes([lead, trail]).decode("big5", "ignore"))
    chars.discard("")
    return frozenset(chars)


def squash(text: str) -> str:
    r"""Runs of ASCII whitespace as one space, ends trimmed (also of U+3000 and U+00A0); U+3000 inside
    Chinese text is kept.

    >>> squash("  2007\u3000年末\n  国债 ")
    '2007\u3000年末 国债'
    """
    return _ASCII_SPACE.sub(" ", text).strip(" \u3000\u00a0")


def compare_key(text: str) -> str:
    """``text`` without whitespace and punctuation: two lines that say the same (a repeated title, a
    summary found in the body) compare equal.

    >>> compare_key("复工复产 有序推进") == compare_key("复工复产，有序推进。")
    True
    """
    return _NOT_WORD.sub("", text)


def split_lines(text: str) -> list[str]:
    """Non-empty lines, their ends stripped of spaces, U+3000 and U+00A0.

    >>> split_lines(" 一 \\n\\n 二\\u3000\\n")
    ['一', '二']
    """
    return [s for s in (line.strip(_EDGE_SPACE) for line in text.split("\n")) if s]


def printable(text: str, *, newlines: bool = True) -> str:
    r"""``text`` safe to print: every character that acts on a terminal (or cannot be encoded) written
    as a visible escape; with ``newlines=False`` line breaks and tabs too, for one-line messages.

    >>> printable("标题\x1b]0;pwned\x07"), printable("a\ud800\u202eb")
    ('标题\\x1b]0;pwned\\x07', 'a\\ud800\\u202eb')
    >>> printable("一\n二\t三", newlines=False)
    '一\\x0a二\\x09三'
    """
    escaped = _UNPRINTABLE.sub(_escape, text)
    if not newlines:
        escaped = escaped.replace("\n", "\\x0a").replace("\t", "\\x09")
    return escaped


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_NOT_TEXT}]")  # DEL, C1 and the rest of _UNPRINTABLE: json escapes C0


def json_safe(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls, lone surrogates and bidi
    overrides as ``\\u`` escapes: still the same JSON, safe on a terminal and encodable as UTF-8.

    >>> json_safe('{"title": "a\x9b31mb"}')
    '{"title": "a\\\\u009b31mb"}'
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
