"""`newsarchive clean [ARCHIVE_DIR]`: write cleaned records next to every loose capture in the archive.

Every ``*.txt``, ``*.html`` and ``*.htm`` file under ARCHIVE_DIR (default ``archive/``; hidden files and
side files such as ``robots.txt`` skipped: :func:`newsarchive.records.find_captures`) is cleaned with
:func:`normalize.clean` and its records are written beside it as ``NAME.json``
(:func:`newsarchive.records.write_seed_records`: atomic, and a rerun that produces the same records
leaves the file untouched, byte for byte — records hold no run timestamps). Capture paths are stored
relative to ARCHIVE_DIR, so the output does not depend on the working directory.

Prints one line per changed file and a summary (files, records, changed, errors). A capture that cannot
be read or cleaned (not an article, a name that is not UTF-8 or too long for its record file, a folder
that cannot be listed) is reported on stderr in one line with its path, the reason and what to do; the
others are still processed. Exit status (:mod:`newsarchive.commands`): 0; 1 when any capture failed;
2 when ARCHIVE_DIR is not a folder.
"""

from __future__ import annotations

import argparse
import errno
from dataclasses import dataclass
from pathlib import Path

from newsarchive.commands import FAILED, OK, PARTIAL, add_archive_argument, say
from newsarchive.display import name_problem, shown
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
    root = Path(args.archive)
    if not root.is_dir():
        say("clean", f"{shown(root)}: no such folder; pass the archive folder (default archive/)")
        return FAILED
    summary = Summary()
    claimed: dict[Path, Path] = {}
    problems: list[str] = []
    for path in find_captures(root, problems=problems):
        summary.files += 1
        error = _check(path, claimed) or _clean_one(path, root, summary)
        if error:
            summary.errors += 1
            say("clean", error)
    for problem in problems:
        summary.errors += 1
        say("clean", problem)
    print(summary.line())
    return PARTIAL if summary.errors else OK


def _check(path: Path, claimed: dict[Path, Path]) -> str | None:
    """Why ``path`` cannot get a record file, or None (and then it is claimed)."""
    bad_name = name_problem(path)
    if bad_name:
        return bad_name
    target = path.with_suffix(".json")
    if target in claimed:  # NAME.txt and NAME.html in one folder would overwrite each other's records
        return (f"{shown(path)}: skipped: {shown(claimed[target].name)} already writes "
                f"{shown(target.name)}; rename one of the two captures")
    claimed[target] = path
    return None


def _clean_one(path: Path, root: Path, summary: Summary) -> str | None:
    """Clean one capture and count it; the error line when it failed."""
    from normalize.errors import CleanError

    try:
        n, changed = clean_capture(path, root)
    except CleanError as exc:
        return f"{shown(path)}: {exc.reason}: {exc}"
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return (f"{shown(path)}: the name is too long for its record file "
                    f"{shown(path.with_suffix('.json').name)} (the limit is 255 bytes); rename the capture")
        return f"{shown(path)}: cannot read or write: {exc.strerror or exc}; check the permissions"
    except Exception as exc:  # a bug in the normaliser must not stop the rest of the archive
        return (f"{shown(path)}: normalize.clean failed ({type(exc).__name__}: {exc}); "
                "the capture is kept — please report this file")
    summary.records += n
    if changed:
        summary.changed += 1
        print(f"wrote {shown(path.with_suffix('.json'))} ({n} record{'s' if n != 1 else ''})")
    return None
