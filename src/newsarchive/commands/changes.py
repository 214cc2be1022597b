"""`newsarchive changes [ARCHIVE_DIR] [--since D] [--site S] [--state S,...] [--format F] [-o FILE]`: what
changed in the archive's articles, newest first.

A change is a capture where something happened to an article (:mod:`newsarchive.history`): ``new``,
``edited``, ``metadata-changed``, ``deleted`` (with how: http-404, redirect-home, placeholder, soft-404
...), ``restored``, ``moved``. ``--state`` picks states (``unchanged`` and ``unavailable`` too, then every
capture in them is listed); ``--since`` a day (captures on or after it, UTC); ``--site`` a site
(repeatable). Formats: ``text`` (one line per change, then the counts), ``jsonl`` (one JSON object per
change, with its diff as ``newsarchive diff --format json`` writes one article), ``atom`` (an Atom feed
to subscribe to), ``html`` (a report: changes first with their sentence diffs, unchanged articles
collapsed). ``-o FILE`` writes atomically (its folder is made when missing). The index is brought up to
date first.

Exit status (:mod:`newsarchive.commands`): 0; 1 when some input is damaged (named on stderr); 2 on a
usage error or an archive that cannot be read.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from datetime import date
from pathlib import Path
from typing import Any

from newsarchive import history, history_render
from newsarchive.commands import FAILED, add_archive_argument, report, say
from newsarchive.diff_render import use_color
from newsarchive.display import shown
from newsarchive.index import INDEX_ERRORS, ArchiveIndex
from newsarchive.records import atomic_write_text

HELP = "what changed: new, edited, deleted, restored and moved articles (text, JSONL, Atom, HTML)"


def _states(value: str) -> list[str]:
    states = [s.strip() for s in value.split(",") if s.strip()]
    bad = [s for s in states if s not in history.STATES]
    if bad or not states:
        raise argparse.ArgumentTypeError(f"{','.join(bad) or value!r}: use states from "
                                         f"{', '.join(history.STATES)}, separated by commas")
    return states


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_argument(parser, "the archive folder")
    parser.add_argument("--since", type=date.fromisoformat, help="captures on or after YYYY-MM-DD (UTC)")
    parser.add_argument("--site", action="append", default=[], help="only this site (repeatable)")
    parser.add_argument("--state", type=_states, default=[],
                        help="only these states, e.g. edited,deleted (default: every change)")
    parser.add_argument("--format", choices=("text", "jsonl", "atom", "html"), default="text")
    parser.add_argument("-o", "--output", type=Path, help="write to this file (atomically)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text format (auto: in a terminal, unless NO_COLOR is set)")


def run(args: argparse.Namespace) -> int:
    try:
        index, stats = ArchiveIndex.updated(args.archive)
    except INDEX_ERRORS as exc:
        say("changes", str(exc))
        return FAILED
    with index:
        since = args.since.isoformat() if args.since else None
        rows = history.changes(index.db, since=since, sites=args.site, states=args.state)
        unchanged = latest_unchanged(index, since, args.site)

        def diff_of(key: str | None) -> dict[str, Any] | None:
            return history.diff_of(index.db, key)

        text = render(args, rows, unchanged, diff_of)
    try:
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)  # -o reports/changes.html in a fresh clone
            atomic_write_text(args.output, text)
        else:
            sys.stdout.write(text)
    except OSError as exc:
        say("changes", f"{shown(args.output)}: cannot write it ({exc.strerror or exc}); choose a folder you "
                       "can write to")
        return FAILED
    return report("changes", stats.problems, stats.notes)


def latest_unchanged(index: ArchiveIndex, since: str | None, sites: list[str]) -> list[history.HistoryRow]:
    """The articles whose last capture (in the window) found them unchanged."""
    last: dict[str, history.HistoryRow] = {}
    for row in history.rows(index.db):
        if (since and row.date < since) or (sites and row.site not in sites):
            continue
        last[row.article] = row
    return [r for r in last.values() if r.state == "unchanged"]


def render(args: argparse.Namespace, rows: list[history.HistoryRow], unchanged: list[history.HistoryRow],
           diff_of: history_render.DiffOf) -> str:
    what = f"changes in {args.archive}" + (f" since {args.since}" if args.since else "") + (
        f" ({', '.join(args.site)})" if args.site else "")
    if args.format == "jsonl":
        return history_render.changes_jsonl(rows, diff_of)
    if args.format == "atom":
        key = hashlib.sha256(f"{args.archive.resolve()}|{args.site}|{args.state}".encode()).hexdigest()[:32]
        return history_render.changes_atom(rows, diff_of, f"urn:newsarchive:changes:{key}", what)
    if args.format == "html":
        return history_render.changes_html(rows, diff_of, unchanged, what)
    color = False if args.output else use_color(sys.stdout, args.color)
    return history_render.changes_text(rows, diff_of, len(unchanged), color)
