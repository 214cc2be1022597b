"""Characters that are not text: lone surrogates and control characters.

Both steps run on the whole decoded capture before anything reads it (HTML or text: a parser drops a
lone surrogate silently, a terminal obeys an ESC sequence) and again on the extracted text and fields,
where an HTML character reference (``&#27;``) can bring a control back.

- :func:`replace_lone_surrogates`: a surrogate code point without its pair (``"\\ud800"``, from a
  ``str`` built with ``surrogateescape`` or a JSON ``"\\ud800"`` escape) cannot be written as UTF-8;
  it becomes U+FFFD, which says "a character was lost here", and the record is flagged.
- :func:`strip_control_characters`: C0 controls (except ``\\n`` and ``\\t``), DEL and C1 controls.
  The separators among them (VT, FF, NEL, FS/GS/RS) end a line: they become ``"\\n"``, so that
  paragraphs they separated stay apart; every other control is removed.
"""

from __future__ import annotations

import re

from normalize.chars import CONTROL_CHARS, LINE_SEPARATOR_CONTROLS
from normalize.repairs.registry import note_changes, step

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_RE = re.compile(f"[{CONTROL_CHARS}]")


@step
def replace_lone_surrogates(text: str) -> str:
    """Replace each lone surrogate with U+FFFD (a str never holds a surrogate pair: a pair is one
    code point).

    >>> replace_lone_surrogates("县政府\\ud800召开")
    '县政府\\ufffd召开'
    >>> replace_lone_surrogates("县政府召开")
    '县政府召开'
    """
    if text.isascii() or _no_surrogate(text):
        return text
    out, n = _SURROGATE_RE.subn("\ufffd", text)
    note_changes(n)
    return out


def _no_surrogate(text: str) -> bool:
    """UTF-16 encodes every code point but a lone surrogate: a C-speed test, several times faster
    than the regex scan."""
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError:
        return False
    return True


@step
def strip_control_characters(text: str) -> str:
    """Remove C0/C1 control characters except line feed and tab; line and page separators (VT, FF,
    NEL, FS, GS, RS) become line feeds.

    >>> strip_control_characters("a\\x1b]0;evil\\x07县政府召开常务会议。")
    'a]0;evil县政府召开常务会议。'
    >>> strip_control_characters("第一段\\x0c第二段\\t(表)\\n")
    '第一段\\n第二段\\t(表)\\n'
    """
    out, n = _CONTROL_RE.subn(_replacement, text)
    note_changes(n)
    return out


def _replacement(match: re.Match[str]) -> str:
    return "\n" if match.group() in LINE_SEPARATOR_CONTROLS else ""
