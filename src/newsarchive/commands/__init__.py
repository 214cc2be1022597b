"""One module per `newsarchive` subcommand (see :mod:`newsarchive.cli`).

Exit status, the same for every command: 0 = done, nothing wrong; 1 = done, but some inputs are damaged
(each named on stderr in one line: the file, what is wrong, what to do; everything else was processed);
2 = nothing done (a usage error, or the archive cannot be read at all: the one line says why).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from newsarchive.display import printable

OK, PARTIAL, FAILED = 0, 1, 2


def add_archive_argument(parser: argparse.ArgumentParser, what: str = "the archive folder") -> None:
    """The optional ARCHIVE_DIR positional every archive-wide command takes (``args.archive``)."""
    parser.add_argument(
        "archive",
        nargs="?",
        type=Path,
        default=Path("archive"),
        metavar="ARCHIVE_DIR",
        help=f"{what} (default: archive/)",
    )


def say(command: str, message: str) -> None:
    """One line on stderr, ``newsarchive COMMAND: message``, safe for the terminal."""
    print(f"newsarchive {command}: {printable(message, newlines=False)}", file=sys.stderr)


def report(command: str, problems: Iterable[str], notes: Iterable[str] = ()) -> int:
    """Print notes and problems (one line each) and return the exit status: 1 when there are problems."""
    for note in notes:
        say(command, f"note: {note}")
    count = 0
    for problem in problems:
        say(command, problem)
        count += 1
    return PARTIAL if count else OK
