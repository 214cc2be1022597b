"""`newsarchive index [ARCHIVE_DIR]`: build or update ``ARCHIVE_DIR/index.sqlite`` (see
:mod:`newsarchive.index`). Only new or changed record files are read; ``--rebuild`` starts from scratch.
Besides reading every record file it checks that each record's raw capture is there (a missing, emptied
or truncated WARC is named, with the records that point into it).

Exit status (:mod:`newsarchive.commands`): 0; 1 when some record or raw capture is damaged (each named
on stderr; everything else is indexed); 2 when the index cannot be written (a read-only archive)."""

from __future__ import annotations

import argparse
import json
import sqlite3
from dataclasses import asdict

from newsarchive.commands import FAILED, add_archive_argument, report, say
from newsarchive.display import json_safe
from newsarchive.index import ArchiveIndex, IndexUnavailable

HELP = "build or update the SQLite index of all records"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "the archive folder")
    parser.add_argument("--rebuild", action="store_true", help="drop the index and read every record file")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        index, stats = ArchiveIndex.updated(args.archive, rebuild=args.rebuild, writable=True)
        index.close()
    except (FileNotFoundError, IndexUnavailable, RuntimeError, sqlite3.DatabaseError) as exc:
        say("index", str(exc))
        return FAILED
    print(json_safe(json.dumps(asdict(stats), ensure_ascii=False)) if args.json else stats.summary())
    return report("index", stats.problems, stats.notes)
