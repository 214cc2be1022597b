"""`newsarchive index [ARCHIVE_DIR]`: build or update ``ARCHIVE_DIR/index.sqlite`` (see
:mod:`newsarchive.index`). Only new or changed record files are read; ``--rebuild`` starts from scratch.
Exit status 0, or 1 when some record file could not be read (named on stderr; the rest is indexed)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from newsarchive.commands import add_archive_argument
from newsarchive.index import ArchiveIndex

HELP = "build or update the SQLite index of all records"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "the archive folder")
    parser.add_argument("--rebuild", action="store_true", help="drop the index and read every record file")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        with ArchiveIndex(args.archive) as index:
            stats = index.update(rebuild=args.rebuild)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"newsarchive index: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(stats), ensure_ascii=False) if args.json else stats.summary())
    for problem in stats.problems:
        print(f"newsarchive index: {problem}", file=sys.stderr)
    return 1 if stats.problems else 0
