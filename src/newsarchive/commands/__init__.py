"""One module per `newsarchive` subcommand (see :mod:`newsarchive.cli`)."""

from __future__ import annotations

import argparse
from pathlib import Path


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
