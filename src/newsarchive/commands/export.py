"""`newsarchive export [ARCHIVE_DIR] -o FILE`: clean articles as JSONL (``.jsonl``), Parquet (``.parquet``,
needs pyarrow) or a folder of .txt files (``-o DIR/``), filtered by site, date range, one per duplicate
cluster. Rows follow ``schema/export.schema.json``; see :mod:`newsarchive.export`."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from newsarchive.commands import add_archive_argument
from newsarchive.dups import DEFAULT_THRESHOLD
from newsarchive.export import ExportError, ExportStats, iter_export, output_kind, write_export

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
    except (ExportError, FileNotFoundError, RuntimeError) as exc:
        print(f"newsarchive export: {exc}", file=sys.stderr)
        return 2
    notes = [f"{stats.written} articles written to {args.output}"]
    if stats.filtered_out:
        notes.append(f"{stats.filtered_out} filtered out")
    if stats.no_date:
        notes.append(f"{stats.no_date} without a full published date left out by the date filter")
    if stats.duplicates_skipped:
        notes.append(f"{stats.duplicates_skipped} duplicates skipped")
    print("; ".join(notes))
    for problem in stats.problems:
        print(f"newsarchive export: {problem}", file=sys.stderr)
    return 1 if stats.problems else 0
