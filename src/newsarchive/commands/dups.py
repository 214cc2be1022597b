"""`newsarchive dups [ARCHIVE_DIR]`: clusters of exact and near-duplicate articles across sites, each with
its representative (earliest capture from the most official host; ranking in :mod:`newsarchive.dups`).
The index is brought up to date first. Exit status 0, or 1 when some record file could not be read.

``--format json``: ``{"threshold", "records", "clusters": [{"cluster_id", "size", "sites",
"representative": MEMBER, "members": [MEMBER + {"similarity", "exact"}]}]}``, where MEMBER is ``{"id",
"title", "url", "site", "host", "fetched_at", "published", "record_file", "record_position"}``,
``similarity`` the exact Jaccard to the representative and ``exact`` true for an identical text;
clusters largest first, the representative first in ``members``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from newsarchive.commands import add_archive_argument
from newsarchive.dups import DEFAULT_THRESHOLD, Cluster, find_clusters, record_host
from newsarchive.index import ArchiveIndex, IndexedRecord

HELP = "clusters of exact and near-duplicate articles"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "the archive folder")
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"Jaccard of character shingles from which two articles are near-duplicates "
        f"(default {DEFAULT_THRESHOLD})",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    if not 0.0 < args.threshold <= 1.0:
        print(f"newsarchive dups: --threshold must be in (0, 1], got {args.threshold}", file=sys.stderr)
        return 2
    try:
        with ArchiveIndex(args.archive) as index:
            stats = index.update()
            clusters = find_clusters(index, args.threshold)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"newsarchive dups: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        doc = {
            "threshold": args.threshold,
            "records": stats.records_total,
            "clusters": [_cluster_json(c) for c in clusters],
        }
        print(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        print(_text(clusters, stats.records_total))
    for problem in stats.problems:
        print(f"newsarchive dups: {problem}", file=sys.stderr)
    return 1 if stats.problems else 0


def _describe(row: IndexedRecord) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "url": row.url,
        "site": row.site,
        "host": record_host(row),
        "fetched_at": row.fetched_at,
        "published": row.published,
        "record_file": row.file,
        "record_position": row.position,
    }


def _cluster_json(c: Cluster) -> dict[str, Any]:
    return {
        "cluster_id": c.id,
        "size": c.size,
        "sites": c.sites,
        "representative": _describe(c.representative),
        "members": [{**_describe(m.row), "similarity": m.similarity, "exact": m.exact} for m in c.members],
    }


def _text(clusters: list[Cluster], total: int) -> str:
    lines = []
    for c in clusters:
        rep = c.representative
        lines.append(f"cluster {c.id}: {c.size} articles on {len(c.sites)} sites — {rep.title or rep.id}")
        for m in c.members:
            mark = "*" if m.row.rowid == rep.rowid else " "
            kind = "exact" if m.exact else f"{m.similarity:.2f}"
            where = record_host(m.row) or m.row.file
            lines.append(
                f"  {mark} {kind:>5}  {m.row.id}  {where}  {m.row.fetched_at or m.row.published or ''}"
            )
    dup = sum(c.size - 1 for c in clusters)
    lines.append(f"{len(clusters)} clusters, {dup} duplicate records among {total} (* = representative)")
    return "\n".join(lines)
