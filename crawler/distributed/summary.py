"""The closing summary of a distributed crawl, read from the files all its workers wrote:

    python -m crawler.distributed.summary --archive DIR --site NAME --crawl-id ID

Per worker: pages fetched (WARC responses; robots.txt apart, each worker reads it), records written; then
the whole crawl: articles recorded (and whether any was recorded twice), pages per host and when, damaged
WARCs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from newsarchive.captures import CaptureError, iter_records


def worker_of(name: str, crawl_id: str) -> str:
    """
    >>> worker_of("c1-w2-00000.warc.gz", "c1")
    'w2'
    """
    return name.removeprefix(f"{crawl_id}-").rsplit("-", 1)[0]


def summary_lines(folder: Path, crawl_id: str) -> list[str]:
    pages: Counter[str] = Counter()
    robots: Counter[str] = Counter()
    records: Counter[str] = Counter()
    per_host: dict[str, list[str]] = defaultdict(list)
    problems: list[str] = []
    for warc in sorted(folder.glob(f"{crawl_id}-*.warc.gz")):
        worker = worker_of(warc.name, crawl_id)
        try:
            for entry in iter_records(warc):
                if entry.rec_type == "response":
                    url = entry.header("WARC-Target-URI")
                    if urlsplit(url).path == "/robots.txt":
                        robots[worker] += 1
                        continue
                    pages[worker] += 1
                    per_host[urlsplit(url).hostname or "?"].append(entry.header("WARC-Date"))
        except CaptureError as exc:
            problems.append(str(exc))
    recorded: Counter[str] = Counter()
    for jsonl in sorted(folder.glob(f"{crawl_id}-*.jsonl")):
        worker = worker_of(jsonl.name, crawl_id)
        captures = set()
        for line in jsonl.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip():
                record = json.loads(line)
                records[worker] += 1
                captures.add((record.get("url"), record["capture"]["file"], record["capture"]["offset"]))
        recorded.update(url for url, _, _ in captures)
    lines = [f"worker {w:<10} {pages[w]:>4} pages fetched, {records[w]:>4} records "
             f"(+ {robots[w]} robots.txt)" for w in sorted(set(pages) | set(records) | set(robots))]
    twice = sorted(u for u, n in recorded.items() if n > 1)
    lines.append(f"articles       {len(recorded)} pages recorded, {sum(records.values())} records, "
                 + (f"{len(twice)} recorded twice: {', '.join(twice[:3])}" if twice else "none twice"))
    for host, dates in sorted(per_host.items()):
        lines.append(f"host {host:<12} {len(dates)} pages, {min(dates)} .. {max(dates)}")
    lines += [f"damaged WARC   {p}" for p in problems] or ["WARC files     all complete"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.distributed.summary", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--site", required=True)
    parser.add_argument("--crawl-id", required=True)
    args = parser.parse_args(argv)
    for line in summary_lines(args.archive / "captures" / args.site, args.crawl_id):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
