"""`newsarchive export [ARCHIVE_DIR] -o FILE`: clean articles as JSONL (``.jsonl``), Parquet (``.parquet``,
needs pyarrow) or a folder of .txt files (``-o DIR/``), filtered by site, date range, one per duplicate
cluster. Rows follow ``schema/export.schema.json``; see :mod:`newsarchive.export`. Works on a read-only
archive (the index is read through a temporary copy, with a note on stderr).

Exit status (:mod:`newsarchive.commands`): 0; 1 when some record file or raw capture is damaged (named on
stderr; every readable record was exported); 2 when nothing was written (a usage error, an output that
cannot be written, an archive that cannot be read; the previous export, if any, is left as it was)."""

from __future__ import annotations

import argparse
from datetime import date

from newsarchive.commands import FAILED, add_archive_argument, report, say
from newsarchive.display import shown
from newsarchive.dups import DEFAULT_THRESHOLD
from newsarchive.export import ExportError, ExportStats, iter_export, output_kind, write_export
from newsarchive.index import INDEX_ERRORS

HELP = "export records as JSONL, Parquet or a folder of .txt"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "the archive folder")
    parser.add_argument(
        "-o", "--output", required=True, help="FILE.jsonl, FILE.parquet, or DIR/ for one .txt per article"
    )
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        help="only this site or host (a domain matches its subdomains; repeatable)",
    )
    parser.add_argument("--since", type=date.fromisoformat, help="published on or after YYYY-MM-DD")
    parser.add_argument("--until", type=date.fromisoformat, help="published on or before YYYY-MM-DD")
    parser.add_argument(
        "--one-per-cluster", action="store_true", help="only the representative of each duplicate cluster"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"near-duplicate threshold for --one-per-cluster (default {DEFAULT_THRESHOLD})",
    )


def run(args: argparse.Namespace) -> int:
    stats = ExportStats()
    try:
        output_kind(args.output)
        items = iter_export(
            args.archive,
            sites=args.site,
            since=args.since,
            until=args.until,
            one_per_cluster=args.one_per_cluster,
            threshold=args.threshold,
            stats=stats,
        )
        write_export(items, args.output, stats)
    except (ExportError, *INDEX_ERRORS) as exc:
        say("export", str(exc))
        return FAILED
    except OSError as exc:
        say("export", f"{shown(args.output)}: cannot write the export ({exc.strerror or exc}); "
                      "choose a place you can write to (the archive itself may be read-only)")
        return FAILED
    notes = [f"{stats.written} articles written to {shown(args.output)}"]
    if stats.filtered_out:
        notes.append(f"{stats.filtered_out} filtered out")
    if stats.no_date:
        notes.append(f"{stats.no_date} without a full published date left out by the date filter")
    if stats.duplicates_skipped:
        notes.append(f"{stats.duplicates_skipped} duplicates skipped")
    print("; ".join(notes))
    return report("export", stats.problems, stats.notes)
