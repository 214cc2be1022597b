"""Check that the archive holds what its records say: every record readable, every raw capture there.

:func:`verify_archive` brings the index up to date (which reads every record file against the record
schema and checks each capture file's size against the records pointing into it, see
:mod:`newsarchive.index`), then reads every WARC file of the archive with
:func:`newsarchive.captures.iter_records` and checks, record by record, that its ``capture.offset`` is the
start of a complete WARC response record — with the same ``WARC-Record-ID`` when the record gives one.

Problems (each one line: the file, what is wrong, what to do): records whose WARC record is missing,
cut short or another record; WARC files that are damaged, truncated or empty (0 bytes); everything the
index reports. Notes, not problems: WARC segments no record points into (a segment holding only list
pages, or only pages a resumed crawl had recorded before, is normal).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.captures import CaptureError, iter_records
from newsarchive.display import shown
from newsarchive.index import LAYOUT_FOLDERS, ArchiveIndex
from newsarchive.records import find_captures


@dataclass
class VerifyReport:
    records: int = 0  # records in the index
    warc_files: int = 0
    warc_bytes: int = 0
    pointers_checked: int = 0  # records pointing at a WARC record, each checked
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verdict = f"{len(self.problems)} problems (listed on stderr)" if self.problems else "no problems"
        return (f"{self.records} records, {self.pointers_checked} WARC pointers checked in {self.warc_files} "
                f"WARC files ({self.warc_bytes} bytes): {verdict}")


@dataclass
class _Pointer:
    offset: int
    record_id: str | None
    where: str  # record file:position


@dataclass
class _WarcContents:
    responses: dict[int, str] = field(default_factory=dict)  # offset -> WARC-Record-ID
    problem: str | None = None


def verify_archive(archive: Path) -> VerifyReport:
    """See the module docstring."""
    report = VerifyReport()
    index, stats = ArchiveIndex.updated(Path(archive))
    with index:
        report.records = stats.records_total
        report.problems.extend(stats.problems)
        report.notes.extend(stats.notes)
        pointers = _pointers(index)
    warcs = _warc_files(Path(archive))  # a WARC records point at but missing is named by the index
    unreferenced = []
    for path in warcs:
        rel = _rel(archive, path)
        report.warc_files += 1
        report.warc_bytes += path.stat().st_size
        contents = _read_warc(path)
        if contents.problem:
            report.problems.append(contents.problem)
        if rel in pointers:
            report.pointers_checked += len(pointers[rel])
            report.problems.extend(_check_pointers(str(path), pointers[rel], contents))
        elif contents.responses:
            unreferenced.append(rel)
    if unreferenced:
        report.notes.append(
            f"{len(unreferenced)} WARC files hold responses no record points at "
            f"(e.g. {shown(unreferenced[0])}): "
            "list pages only, or pages a resumed crawl had recorded before — normal; "
            "`scrapy crawl SITE -s REPLAY_WARC=FILE` makes records from one if it should have some"
        )
    return report


def _pointers(index: ArchiveIndex) -> dict[str, list[_Pointer]]:
    out: dict[str, list[_Pointer]] = defaultdict(list)
    rows = index.db.execute(
        "SELECT capture_file, capture_offset, capture, file, position FROM records "
        "WHERE capture_file IS NOT NULL AND capture_offset IS NOT NULL ORDER BY capture_file, capture_offset"
    )
    for capture_file, offset, capture, file, position in rows:
        record_id = json.loads(capture).get("record_id")
        out[capture_file].append(_Pointer(offset, record_id if isinstance(record_id, str) else None,
                                          f"{file}:{position}"))
    return out


def _warc_files(archive: Path) -> list[Path]:
    roots = [archive / f for f in LAYOUT_FOLDERS if (archive / f).is_dir()] or [archive]
    return [p for root in roots for p in find_captures(root, ("warc",))]


def _rel(archive: Path, path: Path) -> str:
    return path.resolve().relative_to(Path(archive).resolve()).as_posix()


def _read_warc(path: Path) -> _WarcContents:
    contents = _WarcContents()
    if path.stat().st_size == 0:
        contents.problem = (f"{shown(path)}: empty WARC file (0 bytes): its raw captures are lost; "
                            "restore it from a backup or crawl again")
        return contents
    try:
        for entry in iter_records(path):
            if entry.rec_type == "response":
                contents.responses[entry.offset] = entry.header("WARC-Record-ID")
    except CaptureError as exc:
        contents.problem = str(exc)
    return contents


def _check_pointers(rel: str, pointers: list[_Pointer], contents: _WarcContents) -> list[str]:
    missing = [p for p in pointers if p.offset not in contents.responses]
    wrong = [p for p in pointers if p.offset in contents.responses and p.record_id
             and contents.responses[p.offset] != p.record_id]
    out = []
    if missing:
        first = missing[0]
        out.append(
            f"{shown(rel)}: {_n(len(missing))} point at offsets where no complete WARC response record "
            f"starts (first: {shown(first.where)} at offset {first.offset}); their raw captures are lost or "
            "the WARC was damaged: restore it from a backup, or re-fetch those pages"
        )
    if wrong:
        first = wrong[0]
        out.append(
            f"{shown(rel)}: {_n(len(wrong))} point at a WARC record with another WARC-Record-ID (first: "
            f"{shown(first.where)} at offset {first.offset}); the WARC file was replaced or rewritten: "
            "restore the original, or replay it to write new records"
        )
    return out


def _n(count: int) -> str:
    return f"{count} record{'s' if count != 1 else ''}"


def describe(report: VerifyReport) -> dict[str, Any]:
    """The report as JSON-ready data (``newsarchive verify --json``)."""
    return {
        "records": report.records,
        "warc_files": report.warc_files,
        "warc_bytes": report.warc_bytes,
        "pointers_checked": report.pointers_checked,
        "problems": report.problems,
        "notes": report.notes,
    }
