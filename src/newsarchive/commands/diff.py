"""`newsarchive diff NEW... [--against OLD]`: what changed in new captures since the earlier copies.

NEW and OLD are record files, raw captures (.txt, .html, .warc.gz) or folders (see
:mod:`newsarchive.sources`). An OLD that is an archive folder (with seeds/ or captures/ inside) is read
through its index (updated first), so only the candidate articles' record files are opened. Each new
article is matched to its closest earlier article by content and compared sentence by sentence,
character by character (:mod:`newsarchive.diff`). Output: ``--format text`` (default; coloured in a
terminal unless NO_COLOR is set), ``html`` (self-contained report) or ``json`` (documented in
:mod:`newsarchive.diff_render`). Exit status 0, or 1 when some input could not be read (reported on
stderr; everything else is still diffed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsarchive import diff_render
from newsarchive.diff import DEFAULT_MIN_SIMILARITY, ArticleDiff, diff_against_index, diff_articles
from newsarchive.index import LAYOUT_FOLDERS, ArchiveIndex
from newsarchive.records import atomic_write_text
from newsarchive.sources import load_sources

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
        print(f"newsarchive diff: {', '.join(map(str, missing))}: no such file or folder", file=sys.stderr)
        return 2
    problems: list[str] = []
    new = load_sources(args.new, problems)
    if len(against) == 1 and is_archive_root(against[0]):
        with ArchiveIndex(against[0]) as index:
            stats = index.update()
            problems.extend(stats.problems)
            n_old = stats.records_total
            diffs = diff_against_index(new, index, args.min_similarity)
    else:
        old = load_sources(against, problems)
        n_old = len(old)
        diffs = diff_articles(new, old, args.min_similarity)
    report = _render(args, diffs, problems)
    if args.output:
        atomic_write_text(args.output, report)
    else:
        sys.stdout.write(report)
    if args.output or args.format != "text":  # the text report on stdout lists them already
        for p in problems:
            print(f"newsarchive diff: {p}", file=sys.stderr)
    if not new:
        print(f"newsarchive diff: no new articles found in {', '.join(map(str, args.new))}", file=sys.stderr)
    if not n_old:
        print(
            f"newsarchive diff: no earlier articles found in {', '.join(map(str, against))}", file=sys.stderr
        )
    return 1 if problems else 0


def _render(args: argparse.Namespace, diffs: list[ArticleDiff], problems: list[str]) -> str:
    if args.format == "json":
        return diff_render.to_json(diffs, problems, args.min_similarity)
    if args.format == "html":
        return diff_render.to_html(diffs, problems, args.min_similarity)
    color = False if args.output else diff_render.use_color(sys.stdout, args.color)
    return diff_render.to_text(diffs, problems, color=color)
