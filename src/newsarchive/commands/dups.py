"""`newsarchive dups [ARCHIVE_DIR]`: clusters of exact and near-duplicate articles across sites, each with
its representative (earliest capture from the most official host; ranking in :mod:`newsarchive.dups`).
The index is brought up to date first (a read-only archive is read through a temporary copy). Exit
status (:mod:`newsarchive.commands`): 0; 1 when some record file or raw capture is damaged (named on
stderr; the rest is clustered); 2 when the archive cannot be read.

``--format json``: ``{"threshold", "records", "clusters": [{"cluster_id", "size", "sites",
"representative": MEMBER, "members": [MEMBER + {"similarity", "exact"}]}]}``, where MEMBER is ``{"id",
"title", "url", "site", "host", "fetched_at", "published", "record_file", "record_position"}``,
``similarity`` the exact Jaccard to the representative and ``exact`` true for an identical text;
clusters largest first, the representative first in ``members``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from newsarchive.commands import FAILED, add_archive_argument, report, say
from newsarchive.display import json_safe, printable
from newsarchive.dups import DEFAULT_THRESHOLD, Cluster, find_clusters, record_host
from newsarchive.index import INDEX_ERRORS, ArchiveIndex, IndexedRecord

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
        say("dups", f"--threshold must be in (0, 1], got {args.threshold}")
        return FAILED
    try:
        index, stats = ArchiveIndex.updated(args.archive)
        with index:
            clusters = find_clusters(index, args.threshold, stats.problems)
    except INDEX_ERRORS as exc:
        say("dups", str(exc))
        return FAILED
    if args.format == "json":
        doc = {
            "threshold": args.threshold,
            "records": stats.records_total,
            "clusters": [_cluster_json(c) for c in clusters],
        }
        print(json_safe(json.dumps(doc, ensure_ascii=False, indent=1)))
    else:
        print(_text(clusters, stats.records_total))
    return report("dups", stats.problems, stats.notes)


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
        title = printable(rep.title or rep.id, newlines=False)
        lines.append(f"cluster {c.id}: {c.size} articles on {len(c.sites)} sites — {title}")
        for m in c.members:
            mark = "*" if m.row.rowid == rep.rowid else " "
            kind = "exact" if m.exact else f"{m.similarity:.2f}"
            where = record_host(m.row) or m.row.file
            when = m.row.fetched_at or m.row.published or ""
            lines.append(printable(f"  {mark} {kind:>5}  {m.row.id}  {where}  {when}", newlines=False))
    dup = sum(c.size - 1 for c in clusters)
    lines.append(f"{len(clusters)} clusters, {dup} duplicate records among {total} (* = representative)")
    return "\n".join(lines)
