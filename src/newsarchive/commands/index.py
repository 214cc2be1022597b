"""`newsarchive index [ARCHIVE_DIR]`: build or update ``ARCHIVE_DIR/index.sqlite`` (see
:mod:`newsarchive.index`), with ``newsarchive serve``'s search tables (:mod:`newsarchive.search`: only
this command builds them). Only new or changed record files are read; ``--rebuild`` starts from scratch.
Besides reading every record file it checks that each record's raw capture is there (a missing, emptied
or truncated WARC is named, with the records that point into it).

A large first index reads the record files in a process pool over the available cores (``--workers``
sets how many processes; 1 reads in one). A progress bar goes to stderr when it is a terminal;
``--progress`` writes plain progress lines anywhere else (a log), ``--no-progress`` none.

Exit status (:mod:`newsarchive.commands`): 0; 1 when some record or raw capture is damaged (each named
on stderr; everything else is indexed); 2 when the index cannot be written (a read-only archive)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from newsarchive.commands import FAILED, add_archive_argument, report, say
from newsarchive.display import json_safe
from newsarchive.index import INDEX_ERRORS, ArchiveIndex
from newsarchive.progress import Progress

HELP = "build or update the SQLite index of all records"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "the archive folder")
    parser.add_argument("--rebuild", action="store_true", help="drop the index and read every record file")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument("--workers", type=_workers, metavar="N",
                        help="processes that read record files (default: every core for a large update, "
                             "else one)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress on stderr (default: a bar when stderr is a terminal)")


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--workers wants a whole number of processes >= 1, not {value!r}")
    return n


def run(args: argparse.Namespace) -> int:
    try:
        progress = Progress.for_stderr("index", args.progress)
        index, stats = ArchiveIndex.updated(args.archive, rebuild=args.rebuild, writable=True,
                                            workers=args.workers, progress=progress, search=True)
        index.close()
    except INDEX_ERRORS as exc:
        say("index", str(exc))
        return FAILED
    print(json_safe(json.dumps(asdict(stats), ensure_ascii=False)) if args.json else stats.summary())
    return report("index", stats.problems, stats.notes)
