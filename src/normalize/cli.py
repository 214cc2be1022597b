"""`normalize PATH... | -`: print the cleaned records of captures as JSON lines (or just their text).

Each PATH is a capture file (plain text or HTML, detected; bytes in any encoding) or a folder, whose
``*.txt``, ``*.html`` and ``*.htm`` files are taken in sorted order; ``-`` reads one capture from stdin.
Every record line names its capture in ``capture`` (``{"file": PATH, "index": N}``).

Nothing reaches the terminal raw: the text of ``--text`` and every message go through
:func:`normalize.chars.printable` (an ESC or BEL in a capture is printed as ``\\x1b``), JSON lines
escape C1 controls and bidi overrides too, and a file name that is not UTF-8 is written with ``\\xNN``.

All files are cleaned in this one process (heavy modules load once, on first use), so a call with a few
hundred files costs one start-up. A file that cannot be read or cleaned gets one line on stderr naming
it and the reason; the other files are still processed and the exit status is 1 at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from normalize.chars import json_safe, printable

CAPTURE_SUFFIXES = (".txt", ".html", ".htm")
STDIN = "-"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="normalize", description=__doc__.splitlines()[0].strip("`"))
    p.add_argument("paths", nargs="+", metavar="PATH", help="capture files or folders; - for stdin")
    p.add_argument("--text", action="store_true", help="print only the clean text (records separated "
                   "by a blank line)")
    p.add_argument("--kind", choices=("auto", "html", "text"), default="auto",
                   help="what the captures are (default: detect)")
    p.add_argument("--charset", metavar="NAME", help="charset the server declared (as an HTTP header would)")
    p.add_argument("--encoding", metavar="NAME", help="decode with this codec, overriding all detection")
    p.add_argument("--max-html-chars", type=positive_int, metavar="N", default=None,
                   help="refuse HTML longer than N characters as too-large (default: 2,000,000, "
                        "normalize.pipeline.MAX_HTML_CHARS)")
    return p


def positive_int(value: str) -> int:
    """An argparse type: a whole number above zero (``2000000`` or ``2_000_000``)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number above zero, e.g. 5000000")
    return number


def expand(paths: Sequence[str]) -> Iterator[str]:
    """Folders become their capture files (sorted); files and ``-`` stay as given."""
    for p in paths:
        path = Path(p)
        if p != STDIN and path.is_dir():
            yield from (str(f) for f in sorted(path.rglob("*")) if _is_capture(f))
        else:
            yield p


def _is_capture(f: Path) -> bool:
    return f.suffix.lower() in CAPTURE_SUFFIXES and f.is_file() and not f.name.startswith(".")


def read_capture(p: str, stdin: BinaryIO) -> bytes:
    return stdin.read() if p == STDIN else Path(p).read_bytes()


def process(p: str, args: argparse.Namespace, out: TextIO, stdin: BinaryIO) -> None:
    """Clean one capture and print its records; raises OSError / CleanError for the caller to report."""
    from normalize.pipeline import clean

    data = read_capture(p, stdin)
    records = clean(data, name=None if p == STDIN else p, http_charset=args.charset,
                    encoding_override=args.encoding, kind=args.kind, max_html_chars=args.max_html_chars)
    for i, record in enumerate(records):
        record.capture = {"file": "<stdin>" if p == STDIN else shown(p), "index": i}
        if args.text:
            out.write(printable(record.text) + "\n\n")
        else:
            out.write(json_line(record.to_dict()) + "\n")


def json_line(data: dict[str, Any]) -> str:
    """One JSON line, readable Chinese, but DEL, C1 controls, surrogates and bidi overrides as ``\\u``
    escapes: the same JSON, safe on a terminal and encodable as UTF-8.

    >>> json_line({"title": "标题\x9b31m", "x": "\x1b"})
    '{"title": "标题\\\\u009b31m", "x": "\\\\u001b"}'
    """
    return json_safe(json.dumps(data, ensure_ascii=False))


def shown(path: str) -> str:
    """A path as a person can read and copy it: bytes that are not UTF-8 as ``\\xNN``, controls escaped.

    >>> shown(os.fsdecode(b"seeds/\\xd0\\xc2.txt"))
    'seeds/\\\\xd0\\\\xc2.txt'
    """
    return printable(os.fsencode(path).decode("utf-8", errors="backslashreplace"), newlines=False)


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None, stdin: BinaryIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out, err = stdout or sys.stdout, stderr or sys.stderr
    inp = stdin or sys.stdin.buffer
    try:
        failures = sum(0 if process_reporting(p, args, out, err, inp) else 1 for p in expand(args.paths))
        out.flush()
    except BrokenPipeError:  # `normalize ... | head`: the reader has gone; stop quietly
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at interpreter exit
        return 0
    return 1 if failures else 0


# what a reason's fix is called on this command line
CLI_HINTS = {"too-large": " (here: --max-html-chars N, or --kind text)"}


def process_reporting(p: str, args: argparse.Namespace, out: TextIO, err: TextIO, stdin: BinaryIO) -> bool:
    """:func:`process` one capture; on failure one line on ``err`` naming it. True when it went well."""
    from normalize.errors import CleanError

    try:
        process(p, args, out, stdin)
    except CleanError as exc:
        hint = CLI_HINTS.get(exc.reason, "")
        err.write(f"normalize: {shown(p)}: {exc.reason}: {printable(str(exc), newlines=False)}{hint}\n")
        return False
    except BrokenPipeError:
        raise
    except OSError as exc:
        why = printable(str(exc.strerror or exc), newlines=False)
        err.write(f"normalize: {shown(p)}: cannot read: {why}\n")
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
