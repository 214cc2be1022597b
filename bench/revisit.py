"""Revisit of unchanged articles: bytes written per article, and pages/s against the first crawl.

    .venv/bin/python bench/revisit.py [--pages 1000] [--repeat 1]

In one run, on this machine:
  1. builds bench/crawl.py's copy of the sample portal with ``--pages`` article pages (every article has an
     ETag and a Last-Modified) and serves it on 127.0.0.1;
  2. the first crawl: ``scrapy crawl`` of the copy, politeness off, full pipeline (the baseline);
  3. the revisit: ``scrapy crawl ... -a mode=revisit -a due=all`` with ``[revisit] discover = false``:
     every article asked with If-None-Match / If-Modified-Since, the server answers 304, each becomes a
     ``server-not-modified`` revisit record;
  4. the same revisit against a server that ignores conditional requests (always 200 with the page):
     ``identical-payload-digest`` revisit records.
Bytes per unchanged article = the revisit record + its request record, as written in the WARC (target
< 1 KB); pages/s of each revisit against the first crawl of the same run. With ``--repeat`` > 1 every
figure is the median. Prints a table, then as its very last line one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from crawler.sample_portal import build  # noqa: E402
from crawler.sample_portal.server import serve  # noqa: E402
from newsarchive.captures import iter_records  # noqa: E402

TARGET_BYTES = 1024
CONFIG = """name = "revisitbench"
base_url = "{base}/"
start_pages = ["/xwzx/zwyw/index.html", "/xwzx/gzdt/index.html", "/szb/html/2020-02/18/node_7.htm",
               "/big5/index.html"]
[links]
max_pages = 100000
[revisit]
discover = false
max_per_run = 1000000
"""


def bench_crawl() -> Any:
    """bench/crawl.py as a module (its settings and stats helpers)."""
    spec = importlib.util.spec_from_file_location("bench_crawl", REPO / "bench" / "crawl.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(work: Path, base: str, crawl_id: str, revisit: bool) -> dict[str, Any]:
    helpers = bench_crawl()
    sites = work / "sites"
    sites.mkdir(exist_ok=True)
    (sites / "revisitbench.toml").write_text(CONFIG.format(base=base), encoding="utf-8")
    stats_file = work / f"{crawl_id}.json"
    settings = dict(helpers.POLITENESS_OFF, NEWSARCHIVE_ARCHIVE_DIR=str(work / "archive"),
                    NEWSARCHIVE_CRAWL_ID=crawl_id, NEWSARCHIVE_STATS_FILE=str(stats_file),
                    NEWSARCHIVE_CONTACT="archive@example.org", LOG_FILE=str(work / f"{crawl_id}.log"))
    command = [sys.executable, "-m", "scrapy", "crawl", "revisitbench", "-a", f"base_url={base}/"]
    if revisit:
        command += ["-a", "mode=revisit", "-a", "due=all"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**__import__("os").environ, "NEWSARCHIVE_EXTRA_SITES": str(sites)}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: {crawl_id} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    stats: dict[str, Any] = json.loads(stats_file.read_text(encoding="utf-8"))
    stats["bench/wall_seconds"] = wall
    return stats


def pages_per_s(stats: dict[str, Any]) -> float:
    elapsed = float(stats.get("elapsed_time_seconds") or stats["bench/wall_seconds"])
    return float(stats.get("downloader/response_count", 0)) / elapsed


def revisit_bytes(archive: Path, crawl_id: str) -> list[int]:
    """Bytes of each revisit record plus the request record written with it."""
    sizes = []
    for segment in sorted((archive / "captures" / "revisitbench").glob(f"{crawl_id}-*.warc.gz")):
        entries = list(iter_records(segment))
        for i, entry in enumerate(entries):
            if entry.rec_type == "revisit" and i + 1 < len(entries) and entries[i + 1].rec_type == "request":
                sizes.append(entry.length + entries[i + 1].length)
    return sizes


def ignore_conditionals(site: Path) -> None:
    """The server answers every article with 200 and the whole page (it ignores If-None-Match)."""
    manifest = site / "_headers.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in data.values():
        if "Last-Modified" in entry.get("headers", {}):
            entry["conditional"] = False
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def measure_once(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    shutil.rmtree(work / "archive", ignore_errors=True)
    site = work / "site"
    build.build(site, copies=args.pages)
    server, base = serve(site)
    try:
        first = run(work, base, "first", revisit=False)
        not_modified = run(work, base, "revisit304", revisit=True)
        ignore_conditionals(site)
        server.switch(site)
        identical = run(work, base, "revisit200", revisit=True)
    finally:
        server.shutdown()
    b304, b200 = revisit_bytes(work / "archive", "revisit304"), revisit_bytes(work / "archive", "revisit200")
    return {
        "articles": int(first.get("newsarchive/records_written", 0)),
        "first_pages_per_s": pages_per_s(first),
        "first_warc_bytes": int(first.get("newsarchive/warc_bytes", 0)),
        "first_bytes_per_page": (first.get("newsarchive/warc_bytes", 0)
                                 / max(1, first["downloader/response_count"])),
        "revisit304_pages_per_s": pages_per_s(not_modified),
        "revisit304_records": len(b304),
        "revisit304_bytes_median": statistics.median(b304) if b304 else 0,
        "revisit304_bytes_max": max(b304, default=0),
        "revisit200_pages_per_s": pages_per_s(identical),
        "revisit200_records": len(b200),
        "revisit200_bytes_median": statistics.median(b200) if b200 else 0,
        "revisit200_bytes_max": max(b200, default=0),
        "revisit304_warc_bytes": int(not_modified.get("newsarchive/warc_bytes", 0)),
    }


def print_table(f: dict[str, Any]) -> None:
    rows = [
        ("articles in the copy (e-paper pages hold several)", f"{f['articles']}", ""),
        ("first crawl (baseline)", f"{f['first_pages_per_s']:.1f} pages/s",
         f"{f['first_bytes_per_page']:.0f} WARC bytes per page"),
        ("revisit, server answers 304", f"{f['revisit304_pages_per_s']:.1f} pages/s",
         f"x{f['revisit304_pages_per_s'] / f['first_pages_per_s']:.2f} of the first crawl; "
         f"{f['revisit304_records']} server-not-modified revisit records"),
        ("  bytes per unchanged article", f"{f['revisit304_bytes_median']:.0f} B",
         f"median (max {f['revisit304_bytes_max']}), revisit + request record; target < {TARGET_BYTES}: "
         + ("MET" if f["revisit304_bytes_max"] < TARGET_BYTES else "NOT MET")),
        ("revisit, server ignores conditionals", f"{f['revisit200_pages_per_s']:.1f} pages/s",
         f"x{f['revisit200_pages_per_s'] / f['first_pages_per_s']:.2f} of the first crawl; "
         f"{f['revisit200_records']} identical-payload-digest revisit records"),
        ("  bytes per unchanged article", f"{f['revisit200_bytes_median']:.0f} B",
         f"median (max {f['revisit200_bytes_max']}); target < {TARGET_BYTES}: "
         + ("MET" if f["revisit200_bytes_max"] < TARGET_BYTES else "NOT MET")),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>16}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>16}  {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000, help="article pages in the generated copy")
    parser.add_argument("--repeat", type=int, default=1, help="measure N times, report medians")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-revisit-"))
    try:
        runs = [measure_once(args, work) for _ in range(args.repeat)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    figures["repeat"] = args.repeat
    figures["target_bytes"] = TARGET_BYTES
    figures["revisit304_vs_first"] = figures["revisit304_pages_per_s"] / figures["first_pages_per_s"]
    figures["revisit200_vs_first"] = figures["revisit200_pages_per_s"] / figures["first_pages_per_s"]
    worst = max(figures["revisit304_bytes_max"], figures["revisit200_bytes_max"])
    figures["target_met"] = worst < TARGET_BYTES
    print_table(figures)
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
