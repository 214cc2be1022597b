"""The main job's closing summary: pages fetched, articles written, drops by reason, where the files are.

    python -m crawler.sample_portal.summary --archive archive --site sample --crawl-id sample-portal \
        [--stats stats.json] [--log crawl.log]

Figures come from the files themselves (WARC response records, JSONL record lines) so the summary is
true even when the stats are missing; drops and skips come from the crawl stats: the JSON file written
by the crawler's ``NEWSARCHIVE_STATS_FILE`` setting, or else the "Dumping Scrapy stats" block of the log.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from newsarchive.captures import CaptureError, iter_records

STATS_BLOCK = re.compile(r"Dumping Scrapy stats:\n(\{.*?\})\s*(?:\n(?=\d{4}-\d\d-\d\d )|\Z)", re.S)
DATETIME_CALL = re.compile(r"datetime\.datetime\([^)]*\)")


def load_stats(stats_file: Path | None, log_file: Path | None) -> dict[str, Any]:
    """Crawl stats from the stats JSON, else from the log's stats dump; {} when neither has them."""
    if stats_file and stats_file.is_file():
        data = json.loads(stats_file.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    if log_file and log_file.is_file():
        return stats_from_log(log_file.read_text(encoding="utf-8", errors="replace"))
    return {}


def stats_from_log(text: str) -> dict[str, Any]:
    """Parse the pprint-ed stats dict Scrapy logs at close (datetimes become strings).

    >>> log = ("x\\nDumping Scrapy stats:\\n{'a/b': 2,\\n 't': datetime.datetime(2020, 1, 1, tzinfo=x)}\\n"
    ...        "2020-01-01 00:00:00 [scrapy.core.engine] INFO: Spider closed (finished)\\n")
    >>> stats_from_log(log)
    {'a/b': 2, 't': 'datetime'}
    """
    blocks = STATS_BLOCK.findall(text)
    if not blocks:
        return {}
    try:
        value = ast.literal_eval(DATETIME_CALL.sub("'datetime'", blocks[-1]))
    except (ValueError, SyntaxError):
        return {}
    return value if isinstance(value, dict) else {}


def count_warc(paths: list[Path], problems: list[str] | None = None) -> Counter[str]:
    """WARC record types across the segments (e.g. {"response": 16, "request": 16, "warcinfo": 1}).

    Read with :func:`newsarchive.captures.iter_records`: a truncated segment counts the records before
    the damage, and the message naming the file and offset goes to ``problems``.
    """
    counts: Counter[str] = Counter()
    for path in paths:
        try:
            for entry in iter_records(path):
                counts[entry.rec_type] += 1
        except CaptureError as exc:
            if problems is not None:
                problems.append(str(exc))
    return counts


def count_records(paths: list[Path]) -> tuple[int, Counter[str]]:
    """Record lines across the JSONL segments, and how many records carry each title."""
    total = 0
    per_title: Counter[str] = Counter()
    for path in paths:
        with path.open(encoding="utf-8") as stream:
            for line in stream:
                if line.strip():
                    total += 1
                    per_title[json.loads(line).get("title") or "(no title)"] += 1
    return total, per_title


def expected_line() -> str:
    """How many articles the bundled portal holds (its reference data), for comparison."""
    from crawler.sample_portal.articles import expected_records, load_articles

    return f"the sample portal holds {len(expected_records())} articles on {len(load_articles())} pages"


def prefixed(stats: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {key[len(prefix):]: value for key, value in sorted(stats.items()) if key.startswith(prefix)}


def summary_lines(archive: Path, site: str, crawl_id: str, stats: dict[str, Any]) -> list[str]:
    folder = archive / "captures" / site
    warcs = sorted(folder.glob(f"{crawl_id}-*.warc.gz"))
    jsonls = sorted(folder.glob(f"{crawl_id}-*.jsonl"))
    damaged: list[str] = []
    warc_counts = count_warc(warcs, damaged)
    records, titles = count_records(jsonls)
    drops = prefixed(stats, "newsarchive/drop/")
    skips = prefixed(stats, "newsarchive/skip/")
    lines = [
        f"pages fetched      {warc_counts['response']} responses in WARC"
        + (f" + {warc_counts['revisit']} revisit records (unchanged pages)" if warc_counts["revisit"] else "")
        + " "
        f"(stats: {stats.get('downloader/response_count', '?')} downloaded, "
        f"{stats.get('newsarchive/list_pages', '?')} list pages)",
        f"articles written   {records} records ({len(titles)} distinct titles; "
        + ("a revisit records only new and changed articles)" if warc_counts["revisit"]
           else f"{expected_line()})"),
        "drops by reason    " + (", ".join(f"{k} {v}" for k, v in drops.items()) or "none"),
    ]
    if skips:
        lines.append("skipped            " + ", ".join(f"{k} {v}" for k, v in skips.items()))
    lines += [f"damaged WARC       {problem}" for problem in damaged]
    if not stats:
        lines.append("                   (no crawl stats found: drops unknown; see the crawl log)")
    lines.append("files              " + (", ".join(str(p) for p in warcs + jsonls) or "none written"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.sample_portal.summary", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, default=Path("archive"))
    parser.add_argument("--site", default="sample")
    parser.add_argument("--crawl-id", help="crawl id of the segments to summarise")
    parser.add_argument("--finish-reason", action="store_true",
                        help="only print the crawl's finish_reason (e.g. finished, shutdown) from the stats")
    parser.add_argument("--stats", type=Path, default=None, help="stats JSON (NEWSARCHIVE_STATS_FILE)")
    parser.add_argument("--log", type=Path, default=None, help="crawl log (fallback for the stats)")
    args = parser.parse_args(argv)
    stats = load_stats(args.stats, args.log)
    if args.finish_reason:
        print(stats.get("finish_reason", ""))
        return 0
    if not args.crawl_id:
        parser.error("--crawl-id is required for a summary")
    for line in summary_lines(args.archive, args.site, args.crawl_id, stats):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
