"""Text for a person's terminal: file names and record fields made safe to print.

Archive data is untrusted: a record's title can hold ESC sequences (which retitle a terminal window or
write to its clipboard), a file name can hold bytes that are not UTF-8 (a zip made on a GBK Windows
machine). Every message and report that `newsarchive` prints goes through :func:`printable` or
:func:`shown`, so neither reaches the terminal raw and neither makes ``print`` raise.
"""

from __future__ import annotations

import os
from pathlib import Path

from normalize.chars import json_safe, printable

# One definition of what may reach a terminal: normalize.chars (re-exported here for newsarchive's modules).
__all__ = ["json_safe", "name_problem", "printable", "shown"]


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
