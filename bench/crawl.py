"""Crawl throughput on a large generated copy of the sample portal, beside its two baselines.

    .venv/bin/python bench/crawl.py [--pages 3000] [--repeat 1] [--bench-seconds 10] [--workers N]

In one run, on this machine:
  1. builds a copy of the sample portal with ``--pages`` article pages (cycling through the real templates
     and encodings: UTF-8, GBK-as-gb2312, header-contradicts-meta, BOM, Big5, e-paper) into a temp dir and
     serves it on 127.0.0.1 (crawler/sample_portal/server.py);
  2. baseline (b): bare ``trafilatura.extract`` over the same HTML pages in a loop, one process (the floor:
     extraction is the CPU-bound part of a crawl);
  3. the crawl: ``scrapy crawl`` of that copy with politeness off (no robots, no Crawl-delay, no
     AutoThrottle, 16 concurrent requests), full pipeline (WARC, decode, extraction, normaliser, JSONL);
  4. baseline (a): ``scrapy bench`` (Scrapy's own link-following spider on its bench server, no pipeline);
  5. the time split between download, decode, extraction, normalisation, WARC and writing (crawl stats,
     seconds summed over pages; concurrent stages overlap, so the split does not add up to wall time).
Target: crawl pages/s >= 85 % of bare-extraction pages/s. With ``--repeat`` > 1 every figure is the median.
Prints a table, then as its very last line one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# `python bench/crawl.py` puts bench/ first on sys.path, where bench/normalize.py would shadow the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from crawler.sample_portal import build  # noqa: E402
from crawler.sample_portal.server import serve  # noqa: E402
from crawler.sample_portal.summary import stats_from_log  # noqa: E402

TARGET_RATIO = 0.85
STAGES = ("download", "decode", "extraction", "normalisation", "warc", "writing")
POLITENESS_OFF = {
    "ROBOTSTXT_OBEY": "False", "CRAWL_DELAY_ENABLED": "False", "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": "False", "REMOTE_CONTROL_ENABLED": "False",
}
SITE_CONFIG = """name = "samplebench"
base_url = "{base}/"
start_pages = ["/xwzx/zwyw/index.html", "/xwzx/gzdt/index.html", "/szb/html/2020-02/18/node_7.htm",
               "/big5/index.html"]
[links]
max_pages = 100000
"""


def html_pages(site: Path) -> list[tuple[str, bytes, str]]:
    """(path, bytes, charset from the header manifest) of every HTML page the crawl will fetch."""
    manifest = json.loads((site / "_headers.json").read_text(encoding="utf-8"))
    pages = []
    for path, entry in sorted(manifest.items()):
        content_type = entry.get("headers", {}).get("Content-Type", "")
        if content_type.startswith("text/html"):
            charset = content_type.partition("charset=")[2] or "utf-8"
            pages.append((path, (site / path.lstrip("/")).read_bytes(), charset))
    return pages


def decode_for_baseline(data: bytes, charset: str) -> str:
    """What a careful caller hands trafilatura: text decoded once (decoding is outside the timed loop)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    codec = {"gb2312": "gb18030", "gbk": "gb18030"}.get(charset, charset)
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")  # the header-contradicts-meta page


def bare_extraction(texts: list[str]) -> tuple[float, float]:
    """(pages per second of wall time, CPU milliseconds per page) of trafilatura.extract in a loop."""
    import trafilatura

    started, cpu_started = time.perf_counter(), time.process_time()
    for text in texts:
        trafilatura.extract(text)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return len(texts) / wall, 1000.0 * cpu / len(texts)


def run_crawl(work: Path, base: str, workers: int | None, extra: list[str]) -> dict[str, Any]:
    """One full `scrapy crawl` of the served copy; returns its stats plus wall time."""
    sites = work / "sites"
    sites.mkdir(exist_ok=True)
    (sites / "samplebench.toml").write_text(SITE_CONFIG.format(base=base), encoding="utf-8")
    archive = work / "archive"
    shutil.rmtree(archive, ignore_errors=True)
    stats_file = work / "crawl-stats.json"
    stats_file.unlink(missing_ok=True)
    settings = dict(POLITENESS_OFF, NEWSARCHIVE_ARCHIVE_DIR=str(archive),
                    NEWSARCHIVE_STATS_FILE=str(stats_file), LOG_FILE=str(work / "crawl.log"))
    if workers is not None:
        settings["CLEAN_WORKERS"] = str(workers)
    settings.update(split_setting(item) for item in extra)
    command = [sys.executable, "-m", "scrapy", "crawl", "samplebench", "-a", f"base_url={base}/"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = dict(os.environ, NEWSARCHIVE_EXTRA_SITES=str(sites))
    started, cpu_before, server_before = time.perf_counter(), children_cpu(), self_cpu()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    crawl_cpu, server_cpu = children_cpu() - cpu_before, self_cpu() - server_before
    if result.returncode != 0:
        log = work / "crawl.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        raise SystemExit(f"bench: scrapy crawl failed (exit {result.returncode}):\n"
                         f"{result.stderr[-3000:]}{tail}")
    stats = load_crawl_stats(stats_file, work / "crawl.log")
    stats["bench/wall_seconds"] = wall
    stats["bench/crawl_cpu_seconds"] = crawl_cpu
    stats["bench/crawl_cores_busy"] = crawl_cpu / wall  # crawl process + its clean workers
    stats["bench/server_cores_busy"] = server_cpu / wall  # the portal server threads (this process)
    return stats


def children_cpu() -> float:
    """CPU seconds of finished child processes and their waited-for descendants (the clean workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def split_setting(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise SystemExit(f"bench: --set {item!r}: write NAME=VALUE, e.g. --set CLEAN_WORKERS=1")
    return name, value


def load_crawl_stats(stats_file: Path, log_file: Path) -> dict[str, Any]:
    if stats_file.exists():
        data: dict[str, Any] = json.loads(stats_file.read_text(encoding="utf-8"))
        return data
    return stats_from_log(log_file.read_text(encoding="utf-8", errors="replace"))


def run_scrapy_bench(work: Path, seconds: int) -> float:
    """`scrapy bench` outside the project (its default settings), pages per second from its stats."""
    cwd = work / "scrapy-bench"
    cwd.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
               "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=False",
               "-s", "REMOTE_CONTROL_ENABLED=False"]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=clean_env())
    stats = stats_from_log(result.stderr)
    elapsed = float(stats.get("elapsed_time_seconds") or 0)
    if result.returncode != 0 or not elapsed:
        raise SystemExit(f"bench: scrapy bench failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return float(stats.get("response_received_count", 0)) / elapsed


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


def crawl_rate(stats: dict[str, Any]) -> float:
    elapsed = float(stats.get("elapsed_time_seconds") or stats["bench/wall_seconds"])
    return float(stats.get("downloader/response_count", 0)) / elapsed


def crawl_cpu_ms_per_page(stats: dict[str, Any]) -> float:
    """CPU of the whole crawl (Scrapy process + clean workers, startup included) per fetched page."""
    pages = max(1, int(stats.get("downloader/response_count", 0)))
    return 1000.0 * float(stats["bench/crawl_cpu_seconds"]) / pages


def stage_split(stats: dict[str, Any]) -> dict[str, float]:
    """Milliseconds per fetched page spent in each stage (summed over pages, so overlapping work adds)."""
    pages = max(1, int(stats.get("downloader/response_count", 0)))
    return {stage: 1000.0 * float(stats.get(f"newsarchive/time/{stage}", 0.0)) / pages for stage in STAGES}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def print_table(figures: dict[str, Any]) -> None:
    rows = [
        ("pages in the copy (HTML)", f"{figures['pages']}", ""),
        ("(b) bare trafilatura.extract", f"{figures['bare_pages_per_s']:.1f} pages/s", "1 process, baseline"),
        ("crawl (scrapy crawl, full pipeline)", f"{figures['crawl_pages_per_s']:.1f} pages/s",
         f"{figures['crawl_vs_bare']:.0%} of (b); target >= {TARGET_RATIO:.0%}: "
         + ("MET" if figures["target_met"] else "NOT MET")),
        ("crawl CPU use", f"{figures['crawl_cores_busy']:.2f} cores",
         f"crawl + clean workers; the local server took {figures['server_cores_busy']:.2f} more"),
        ("CPU per page: bare extraction", f"{figures['bare_cpu_ms_per_page']:.1f} ms", "load-independent"),
        ("CPU per page: crawl (all stages)", f"{figures['crawl_cpu_ms_per_page']:.1f} ms",
         f"{figures['crawl_cpu_ms_per_page'] / figures['bare_cpu_ms_per_page']:.2f}x bare extraction"),
        ("(a) scrapy bench", f"{figures['scrapy_bench_pages_per_s']:.1f} pages/s",
         f"crawl is {figures['crawl_vs_scrapy_bench']:.0%} of it"),
        ("crawl wall time", f"{figures['crawl_wall_s']:.1f} s",
         f"{figures['records_written']} records, drops {figures['drops'] or 'none'}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>16}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>16}  {note}")
    print()
    print("time split per fetched page (ms, summed over concurrent work):")
    for stage, ms in figures["split_ms_per_page"].items():
        print(f"  {stage:<14} {ms:8.2f}")


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    site = work / "site"
    build.build(site, copies=args.pages)
    pages = html_pages(site)
    texts = [decode_for_baseline(data, charset) for _, data, charset in pages]
    server, base = serve(site)
    bare, bare_cpu, crawls, benches = [], [], [], []
    try:
        for _ in range(args.repeat):
            rate, cpu_ms = bare_extraction(texts)
            bare.append(rate)
            bare_cpu.append(cpu_ms)
            crawls.append(run_crawl(work, base, args.workers, args.set))
            benches.append(run_scrapy_bench(work, args.bench_seconds))
    finally:
        server.shutdown()
    rates = [crawl_rate(stats) for stats in crawls]
    middle = crawls[rates.index(sorted(rates)[len(rates) // 2])]
    split = {stage: median([stage_split(s)[stage] for s in crawls]) for stage in STAGES}
    figures: dict[str, Any] = {
        "pages": len(pages),
        "bare_pages_per_s": median(bare),
        "bare_cpu_ms_per_page": median(bare_cpu),
        "crawl_cpu_ms_per_page": median([crawl_cpu_ms_per_page(s) for s in crawls]),
        "crawl_pages_per_s": median(rates),
        "scrapy_bench_pages_per_s": median(benches),
        "crawl_wall_s": median([float(s["bench/wall_seconds"]) for s in crawls]),
        "crawl_cores_busy": median([float(s["bench/crawl_cores_busy"]) for s in crawls]),
        "server_cores_busy": median([float(s["bench/server_cores_busy"]) for s in crawls]),
        "records_written": int(middle.get("newsarchive/records_written", 0)),
        "drops": {k.rsplit("/", 1)[-1]: v for k, v in middle.items() if k.startswith("newsarchive/drop/")},
        "split_ms_per_page": split,
        "repeat": args.repeat,
        "clean_workers": args.workers,
        "settings": dict(split_setting(item) for item in args.set),
        "cpus": os.cpu_count(),
    }
    figures["crawl_vs_bare"] = figures["crawl_pages_per_s"] / figures["bare_pages_per_s"]
    figures["crawl_vs_scrapy_bench"] = figures["crawl_pages_per_s"] / figures["scrapy_bench_pages_per_s"]
    figures["target_met"] = figures["crawl_vs_bare"] >= TARGET_RATIO
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=3000, help="article pages in the generated copy")
    parser.add_argument("--repeat", type=int, default=1, help="measure each figure N times, report medians")
    parser.add_argument("--bench-seconds", type=int, default=10, help="duration of `scrapy bench`")
    parser.add_argument("--workers", type=int, default=None, help="CLEAN_WORKERS for the crawl")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for the crawl (repeatable), e.g. CLEAN_WORKERS=1")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (site, WARC, logs)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    try:
        figures = measure(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table(figures)
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
