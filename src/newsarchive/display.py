"""Text for a person's terminal: file names and record fields made safe to print.

Archive data is untrusted: a record's title can hold ESC sequences (which retitle a terminal window or
write to its clipboard), a file name can hold bytes that are not UTF-8 (a zip made on a GBK Windows
machine). Every message and report that `newsarchive` prints goes through :func:`printable` or
:func:`shown`, so neither reaches the terminal raw and neither makes ``print`` raise.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# C0 controls except \t and \n, DEL, C1 controls, lone surrogates, and the bidirectional overrides and
# isolates that reorder what a reader sees (the "Trojan source" characters).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newlines: bool = True) -> str:
    """``text`` with every character that acts on a terminal written as an escape (``\\x1b``); with
    ``newlines=False`` line breaks and tabs too, for one-line messages.

    >>> printable("标题\\x1b]0;pwned\\x07")
    '标题\\\\x1b]0;pwned\\\\x07'
    >>> printable("第一行\\n第二行"), printable("a\\nb", newlines=False)
    ('第一行\\n第二行', 'a\\\\x0ab')
    """
    escaped = _UNSAFE.sub(_escape, text)
    if not newlines:
        escaped = escaped.replace("\n", "\\x0a").replace("\t", "\\x09").replace("\r", "\\x0d")
    return escaped


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # json.dumps escapes C0 itself


def json_safe(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls and bidi overrides as
    ``\\u`` escapes: still the same JSON, and safe on a terminal. They can only occur inside strings.

    >>> json_safe('{"title": "a\x9b31mb"}')
    '{"title": "a\\\\u009b31mb"}'
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown(path: Path | str) -> str:
    """A path as a person can read and copy it: bytes that are not UTF-8 as ``\\xNN``, controls escaped.

    >>> shown(os.fsdecode(b"seeds/\\xd0\\xc2\\xce\\xc5.txt"))
    'seeds/\\\\xd0\\\\xc2\\\\xce\\\\xc5.txt'
    """
    raw = os.fsencode(str(path))
    return printable(raw.decode("utf-8", errors="backslashreplace"), newlines=False)


def name_problem(path: Path) -> str | None:
    """Why a file name cannot go into a record or the index (it is not UTF-8), or None.

    >>> name_problem(Path("seeds/000_a.txt")) is None
    True
    >>> name_problem(Path(os.fsdecode(b"\\xd0\\xc2.txt")))[:40]
    '\\\\xd0\\\\xc2.txt: the file name is not UTF-8'
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return (
            f"{shown(path)}: the file name is not UTF-8 (records and the index store names as UTF-8); "
            f"rename it, e.g. `convmv -f gbk -t utf-8 --notest '{shown(path)}'`"
        )
    return None
