"""`normalize PATH... | -`: print the cleaned records of captures as JSON lines (or just their text).

Each PATH is a capture file (plain text or HTML, detected; bytes in any encoding) or a folder, whose
``*.txt``, ``*.html`` and ``*.htm`` files are taken in sorted order; ``-`` reads one capture from stdin.
Every record line names its capture in ``capture`` (``{"file": PATH, "index": N}``).

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
from typing import BinaryIO, TextIO

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
    return p


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
                    encoding_override=args.encoding, kind=args.kind)
    for i, record in enumerate(records):
        record.capture = {"file": "<stdin>" if p == STDIN else p, "index": i}
        if args.text:
            out.write(record.text + "\n\n")
        else:
            out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")


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


def process_reporting(p: str, args: argparse.Namespace, out: TextIO, err: TextIO, stdin: BinaryIO) -> bool:
    """:func:`process` one capture; on failure one line on ``err`` naming it. True when it went well."""
    from normalize.errors import CleanError

    try:
        process(p, args, out, stdin)
    except CleanError as exc:
        err.write(f"normalize: {p}: {exc.reason}: {exc}\n")
        return False
    except BrokenPipeError:
        raise
    except OSError as exc:
        err.write(f"normalize: {p}: cannot read: {exc.strerror or exc}\n")
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
