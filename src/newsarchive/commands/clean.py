"""`newsarchive clean [ARCHIVE_DIR]`: write cleaned records next to every loose capture in the archive.

Every ``*.txt``, ``*.html`` and ``*.htm`` file under ARCHIVE_DIR (default ``archive/``; hidden files and
side files such as ``robots.txt`` skipped: :func:`newsarchive.records.find_captures`) is cleaned with
:func:`normalize.clean` and its records are written beside it as ``NAME.json``
(:func:`newsarchive.records.write_seed_records`: atomic, and a rerun that produces the same records
leaves the file untouched, byte for byte — records hold no run timestamps). Capture paths are stored
relative to ARCHIVE_DIR, so the output does not depend on the working directory.

Prints one line per changed file and a summary (files, records, changed, errors). A capture that cannot
be read or cleaned is reported on stderr with its path and reason; the others are still processed, and
the exit status is 1 when any failed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from newsarchive.commands import add_archive_argument
from newsarchive.records import find_captures, write_seed_records

HELP = "write cleaned records next to every capture in the archive"


@dataclass
class Summary:
    files: int = 0
    records: int = 0
    changed: int = 0
    errors: int = 0

    def line(self) -> str:
        return f"files {self.files}, records {self.records}, changed {self.changed}, errors {self.errors}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "archive folder to clean")


def clean_capture(path: Path, root: Path) -> tuple[int, bool]:
    """Clean one capture and write its record file: (records, file changed)."""
    from normalize import clean
    from normalize.record import sha256_bytes

    data = path.read_bytes()
    rel = path.relative_to(root).as_posix()
    records = clean(data, name=path.name)
    for i, record in enumerate(records):
        record.capture = {"file": rel, "index": i}
    capture = {"file": rel, "sha256": sha256_bytes(data), "bytes": len(data)}
    changed = write_seed_records(path.with_suffix(".json"), capture, records)
    return len(records), changed


def run(args: argparse.Namespace) -> int:
    from normalize.errors import CleanError

    root = Path(args.archive)
    if not root.is_dir():
        print(
            f"newsarchive clean: {root}: no such folder; pass the archive folder (default archive/)",
            file=sys.stderr,
        )
        return 2
    summary = Summary()
    claimed: dict[Path, Path] = {}
    for path in find_captures(root):
        summary.files += 1
        target = path.with_suffix(".json")
        if target in claimed:  # NAME.txt and NAME.html in one folder would overwrite each other's records
            summary.errors += 1
            print(f"newsarchive clean: {path}: skipped: {claimed[target].name} already writes {target.name}; "
                  "rename one of the two captures", file=sys.stderr)
            continue
        claimed[target] = path
        try:
            n, changed = clean_capture(path, root)
        except CleanError as exc:
            summary.errors += 1
            print(f"newsarchive clean: {path}: {exc.reason}: {exc}", file=sys.stderr)
            continue
        except OSError as exc:
            summary.errors += 1
            print(f"newsarchive clean: {path}: cannot read or write: {exc}", file=sys.stderr)
            continue
        summary.records += n
        if changed:
            summary.changed += 1
            print(f"wrote {path.with_suffix('.json')} ({n} record{'s' if n != 1 else ''})")
    print(summary.line())
    return 1 if summary.errors else 0
