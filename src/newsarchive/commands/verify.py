"""`newsarchive verify [ARCHIVE_DIR]`: check that every record can be read and points at a complete raw
capture (see :mod:`newsarchive.verify`); reads every WARC file once. Works on a read-only archive.

Exit status (:mod:`newsarchive.commands`): 0 when nothing is wrong; 1 when something is (each problem on
stderr in one line: the file, what is wrong, what to do); 2 when the archive cannot be read at all."""

from __future__ import annotations

import argparse
import json

from newsarchive.commands import FAILED, add_archive_argument, report, say
from newsarchive.display import json_safe
from newsarchive.index import INDEX_ERRORS
from newsarchive.verify import describe, verify_archive

HELP = "check that every record is readable and points at a complete raw capture"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "the archive folder")
    parser.add_argument("--json", action="store_true", help="print the counts and problems as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        result = verify_archive(args.archive)
    except INDEX_ERRORS as exc:
        say("verify", str(exc))
        return FAILED
    print(json_safe(json.dumps(describe(result), ensure_ascii=False)) if args.json else result.summary())
    return report("verify", result.problems, result.notes)
