"""`newsarchive history URL|ID [ARCHIVE_DIR]`: every capture of an article, its states and its edits.

URL is an article's URL (also the one it moved to or from), ID a record id (``url-<hash>-N``) or an
export row id (``ID@hash``). For each article at that URL: every capture in time order (WARC-Date, HTTP
status, version, state — new, unchanged, edited, metadata-changed, deleted and how, restored, moved,
unavailable — text hash, WARC record id, the final URL after redirects), the diff between consecutive
versions (the sentence and character diff of ``newsarchive diff``), and for a deleted article its last
text. ``--format json`` gives the same as one JSON document. The index is brought up to date first
(:mod:`newsarchive.history`).

Exit status (:mod:`newsarchive.commands`): 0; 1 when some input is damaged (named on stderr); 2 when the
archive cannot be read or the URL/ID is not in it (the line says what the archive holds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from newsarchive import history, history_render
from newsarchive.commands import FAILED, report, say
from newsarchive.diff_render import use_color
from newsarchive.index import INDEX_ERRORS, ArchiveIndex
from newsarchive.records import iter_record_file

HELP = "every capture of one article (by URL or id): states, versions, diffs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="URL|ID", help="the article's URL, record id or export row id")
    parser.add_argument("archive", nargs="?", type=Path, default=Path("archive"), metavar="ARCHIVE_DIR",
                        help="the archive folder (default: archive/)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text format (auto: in a terminal, unless NO_COLOR is set)")


def run(args: argparse.Namespace) -> int:
    try:
        index, stats = ArchiveIndex.updated(args.archive)
    except INDEX_ERRORS as exc:
        say("history", str(exc))
        return FAILED
    with index:
        rows = history.article_rows(index.db, args.target)
        if not rows:
            tracked = index.db.execute("SELECT COUNT(DISTINCT article) FROM history").fetchone()[0]
            say("history", f"{args.target}: no capture of that URL or id in {args.archive} ({tracked} "
                           "articles have a history; list them with `newsarchive changes --state new`)")
            return FAILED

        def diff_of(key: str | None) -> dict[str, Any] | None:
            return history.diff_of(index.db, key)

        if args.format == "json":
            sys.stdout.write(history_render.history_json(args.target, rows, diff_of))
        else:
            color = use_color(sys.stdout, args.color)
            sys.stdout.write(history_render.history_text(rows, diff_of, lambda r: last_text(index, r), color))
        return report("history", stats.problems, stats.notes)


def last_text(index: ArchiveIndex, row: history.HistoryRow) -> str | None:
    """The text of the article's last version (what a deleted article leaves)."""
    found = index.db.execute(
        "SELECT record_file, record_position FROM history WHERE article = ? AND record_file IS NOT NULL "
        "ORDER BY date DESC LIMIT 1", (row.article,)).fetchone()
    if found is None:
        return None
    for position, rec in iter_record_file(index.archive / found[0], []):
        if position == found[1]:
            return rec.text
    return None
