"""`newsarchive diff NEW... [--against OLD]`: what changed in new captures since the earlier copies.

NEW and OLD are record files, raw captures (.txt, .html, .warc.gz) or folders (see
:mod:`newsarchive.sources`). An OLD that is an archive folder (with seeds/ or captures/ inside) is read
through its index (updated first), so only the candidate articles' record files are opened. Each new
article is matched to its closest earlier article by content and compared sentence by sentence,
character by character (:mod:`newsarchive.diff`). Output: ``--format text`` (default; coloured in a
terminal unless NO_COLOR is set), ``html`` (self-contained report) or ``json`` (documented in
:mod:`newsarchive.diff_render`); ``--changes-only`` leaves identical articles out of the report (the
summary still counts them). A WARC is read from the crawler's record file beside it when there is one;
responses that are not articles (robots.txt, list pages, images, errors) are counted on stderr, not
reported as articles. Exit status (:mod:`newsarchive.commands`): 0; 1 when some input could not be read
(named on stderr; everything else is still diffed); 2 when an argument is missing or OLD cannot be read.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter
from pathlib import Path

from newsarchive import diff_render
from newsarchive.commands import FAILED, PARTIAL, report, say
from newsarchive.diff import DEFAULT_MIN_SIMILARITY, ArticleDiff, diff_against_index, diff_articles
from newsarchive.display import shown
from newsarchive.index import LAYOUT_FOLDERS, ArchiveIndex, IndexUnavailable
from newsarchive.records import atomic_write_text
from newsarchive.sources import load_sources
from normalize.record import Record

HELP = "diff new captures against the seeds or earlier captures"
DEFAULT_AGAINST = Path("archive/seeds")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "new",
        nargs="+",
        type=Path,
        metavar="NEW",
        help="record file, capture (.txt/.html/.warc.gz) or folder with the new articles",
    )
    parser.add_argument(
        "--against",
        action="append",
        type=Path,
        metavar="OLD",
        help=f"the earlier articles (same kinds as NEW; repeatable; default {DEFAULT_AGAINST})",
    )
    parser.add_argument("--format", choices=("text", "html", "json"), default="text")
    parser.add_argument(
        "--min-similarity",
        type=_fraction,
        default=DEFAULT_MIN_SIMILARITY,
        help="Jaccard of character shingles below which an article has no earlier match "
        f"(default {DEFAULT_MIN_SIMILARITY})",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text format (auto: in a terminal, unless NO_COLOR is set)",
    )
    parser.add_argument("-o", "--output", type=Path, help="write the report to this file (atomically)")
    parser.add_argument(
        "--changes-only",
        action="store_true",
        help="leave identical articles out of the report (the summary still counts them)",
    )


def is_archive_root(path: Path) -> bool:
    """An archive folder (seeds/ or captures/ inside): diffed through its index, reading only candidates."""
    return path.is_dir() and any((path / name).is_dir() for name in LAYOUT_FOLDERS)


def _fraction(value: str) -> float:
    x = float(value)
    if not 0.0 < x <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {value}")
    return x


def run(args: argparse.Namespace) -> int:
    against = args.against or [DEFAULT_AGAINST]
    missing = [p for p in [*args.new, *against] if not p.exists()]
    if missing:
        say("diff", f"{', '.join(map(shown, missing))}: no such file or folder")
        return FAILED
    problems: list[str] = []
    notes: list[str] = []
    skipped: Counter[str] = Counter()
    new = load_sources(args.new, problems, skipped)
    try:
        diffs, n_old = _diff(new, against, args.min_similarity, problems, notes, skipped)
    except (IndexUnavailable, RuntimeError, sqlite3.DatabaseError) as exc:
        say("diff", str(exc))
        return FAILED
    report_text = _render(args, diffs, problems)
    try:
        if args.output:
            atomic_write_text(args.output, report_text)
        else:
            sys.stdout.write(report_text)
    except OSError as exc:
        say("diff", f"{shown(args.output)}: cannot write the report ({exc.strerror or exc}); "
                    "choose a folder you can write to")
        return FAILED
    if skipped:
        counts = ", ".join(f"{reason} {n}" for reason, n in skipped.most_common())
        notes.append(f"{sum(skipped.values())} WARC responses are not articles and were left out ({counts})")
    if not new:
        notes.append(f"no new articles found in {', '.join(map(shown, args.new))}")
    if not n_old:
        notes.append(f"no earlier articles found in {', '.join(map(shown, against))}")
    listed = args.format == "text" and not args.output  # the text report on stdout lists the problems
    status = report("diff", [] if listed else problems, notes)
    return PARTIAL if problems else status


def _diff(
    new: list[Record],
    against: list[Path],
    min_similarity: float,
    problems: list[str],
    notes: list[str],
    skipped: Counter[str],
) -> tuple[list[ArticleDiff], int]:
    """The diffs of the new records and the number of earlier ones."""
    if len(against) == 1 and is_archive_root(against[0]):
        index, stats = ArchiveIndex.updated(against[0])
        with index:
            problems.extend(stats.problems)
            notes.extend(stats.notes)
            return diff_against_index(new, index, min_similarity, problems), stats.records_total
    old = load_sources(against, problems, skipped)
    return diff_articles(new, old, min_similarity), len(old)


def _render(args: argparse.Namespace, diffs: list[ArticleDiff], problems: list[str]) -> str:
    only = args.changes_only
    if args.format == "json":
        return diff_render.to_json(diffs, problems, args.min_similarity, changes_only=only)
    if args.format == "html":
        return diff_render.to_html(diffs, problems, args.min_similarity, changes_only=only)
    color = False if args.output else diff_render.use_color(sys.stdout, args.color)
    return diff_render.to_text(diffs, problems, color=color, changes_only=only)
