"""Crawl throughput at the two-core ceiling, beside the naive Scrapy peer and bare extraction, in one run.

    python bench/crawl.py [--pages 3000] [--repeat 3] [--workers N] [--set NAME=VALUE] [--scrapy-bench]
                          [--floor-set NAME=VALUE]
    python bench/crawl.py --pages 10000 --repeat 1 --crawl-only   # memory: RSS per process over 10k pages

In one run, on this machine:
  1. builds a copy of the sample portal with ``--pages`` article pages (cycling through the real templates
     and encodings: UTF-8, GBK-as-gb2312, header-contradicts-meta, BOM, Big5, e-paper) into a temp dir and
     serves it on 127.0.0.1 (crawler/sample_portal/server.py);
  2. bare extraction: ``trafilatura.extract`` over the same HTML pages in a loop, one process;
  3. clean() alone: ``normalize.clean`` over the same pages (bytes in, as the clean workers get them), one
     process. The ceiling is ``cpus / cost of clean() per page``: what two cores give if nothing but
     clean() ran;
  4. the crawl: ``scrapy crawl`` of that copy with politeness off (no robots, no Crawl-delay, no
     AutoThrottle, 16 concurrent requests), full pipeline (WARC, decode, extraction, normaliser, JSONL);
  5. the naive peer: a generated Scrapy project (default settings, same politeness-off settings) whose
     spider follows every on-site link and whose pipeline calls ``trafilatura.extract(response.text)``;
  6. Scrapy's floor: a spider of the same generated project that requests every page of the copy from
     a list and does nothing with the responses (no parsing, no items, no pipeline), same settings: the
     CPU per response of the Scrapy process that no pipeline of ours can remove (after start-up);
     ``--floor-set`` gives it settings of its own (e.g. ``ASYNCIO_EVENT_LOOP=uvloop.Loop``);
  7. optionally (``--scrapy-bench``) Scrapy's own ``scrapy bench``.

While each crawl runs, the RSS and CPU of its Scrapy process and of each of its children (the clean
workers) are read from /proc every ``--sample-seconds``: memory is *flat* when a process's median RSS over
the last quarter of the crawl is at most 10 % above its median over the second quarter.

Targets (issue 14): crawl >= 80 % of the ceiling (both as pages/s of wall time, and load-independent as
CPU: clean()'s CPU per page over the crawl's CPU per page, all processes), crawl >= 2x the naive peer,
main-process CPU <= 3 ms per response (after start-up: CPU at spider open is taken off), memory flat.
Every figure is the median over ``--repeat`` runs; the load average is printed with them (the machine is
shared: ratios between figures measured in the same run matter more than absolutes).
Prints a table, then as its very last line one JSON object with the figures and ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# `python bench/crawl.py` puts bench/ first on sys.path, where bench/normalize.py would shadow the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "src"))

from crawler.sample_portal import build  # noqa: E402
from crawler.sample_portal.server import serve  # noqa: E402
from crawler.sample_portal.summary import stats_from_log  # noqa: E402

TARGET_CEILING = 0.80
TARGET_NAIVE = 2.0
TARGET_MAIN_MS = 3.0
FLAT_GROWTH = 0.10
STAGES = ("download", "decode", "extraction", "normalisation", "warc", "writing")
START_PAGES = ["/xwzx/zwyw/index.html", "/xwzx/gzdt/index.html", "/szb/html/2020-02/18/node_7.htm",
               "/big5/index.html"]
POLITENESS_OFF = {
    "ROBOTSTXT_OBEY": "False", "CRAWL_DELAY_ENABLED": "False", "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": "False", "REMOTE_CONTROL_ENABLED": "False",
}
SITE_CONFIG = """name = "samplebench"
base_url = "{base}/"
start_pages = {start}
[links]
max_pages = 100000
"""
# The naive peer: what a Scrapy user writes first (default project settings, trafilatura in a pipeline).
PEER_SETTINGS = """BOT_NAME = "naivepeer"
SPIDER_MODULES = ["naivepeer.spiders"]
ITEM_PIPELINES = {"naivepeer.pipelines.ExtractPipeline": 300}
FEED_EXPORT_ENCODING = "utf-8"
"""
PEER_PIPELINE = """import trafilatura


class ExtractPipeline:
    def process_item(self, item):
        item["text"] = trafilatura.extract(item.pop("html"))
        return item
"""
PEER_SPIDER = """import resource

import scrapy
from scrapy.linkextractors import LinkExtractor


class PeerSpider(scrapy.Spider):
    name = "peer"
    allowed_domains = ["127.0.0.1"]

    def __init__(self, base_url="", start_pages="", **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.start_pages = start_pages.split(",")
        self.links = LinkExtractor()

    async def start(self):
        for path in self.start_pages:
            yield scrapy.Request(self.base_url + path)

    def parse(self, response):
        if not hasattr(response, "text"):
            return
        yield {"url": response.url, "html": response.text}
        for link in self.links.extract_links(response):
            yield response.follow(link, callback=self.parse)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class FloorSpider(scrapy.Spider):
    \"\"\"Scrapy's own cost: every page requested from a list, nothing done with the responses.\"\"\"

    name = "floor"
    custom_settings = {"ITEM_PIPELINES": {}}

    def __init__(self, urls_file="", cpu_file="", **kwargs):
        super().__init__(**kwargs)
        self.urls_file, self.cpu_file = urls_file, cpu_file
        self.cpu_at_start = 0.0

    async def start(self):
        self.cpu_at_start = cpu_seconds()
        with open(self.urls_file, encoding="utf-8") as fh:
            for url in fh.read().split():
                yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        return None

    def closed(self, reason):
        with open(self.cpu_file, "w", encoding="utf-8") as fh:
            fh.write(str(cpu_seconds() - self.cpu_at_start))
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


def clean_alone(pages: list[tuple[str, bytes, str]], base: str) -> tuple[float, float]:
    """(pages per second of wall time, CPU ms per page) of normalize.clean over the pages, one process,
    called as the clean workers call it (bytes, URL, header charset)."""
    from normalize import clean
    from normalize.errors import CleanError

    started, cpu_started = time.perf_counter(), time.process_time()
    for path, data, charset in pages:
        with contextlib.suppress(CleanError):  # a list page: no article (the crawl does not clean those)
            clean(data, url=base + path, http_charset=charset, encoding_override=None, kind="html")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return len(pages) / wall, 1000.0 * cpu / len(pages)


class Sampler(threading.Thread):
    """RSS (MB) and CPU (s) of a process and of its children, from /proc, every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: dict[int, list[tuple[float, float, float]]] = {}  # pid -> [(t, rss MB, cpu s)]
        self.done = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        started = time.perf_counter()
        while not self.done.is_set():
            now = time.perf_counter() - started
            for pid in [self.pid, *self.children()]:
                reading = self.read(pid)
                if reading is not None:
                    self.samples.setdefault(pid, []).append((now, *reading))
            self.done.wait(self.interval)

    def children(self) -> list[int]:
        try:
            tasks = Path(f"/proc/{self.pid}/task").iterdir()
            return [int(c) for t in tasks for c in (t / "children").read_text().split()]
        except OSError:
            return []

    def read(self, pid: int) -> tuple[float, float] | None:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self.page / 2**20
        except (OSError, IndexError, ValueError):
            return None
        return rss, (int(stat[11]) + int(stat[12])) / self.tick

    def memory(self) -> list[dict[str, Any]]:
        """Per process with enough samples: RSS at the quarters of its life and whether it stayed flat."""
        out = []
        for pid, samples in self.samples.items():
            if len(samples) < 8:
                continue
            rss = [s[1] for s in samples]
            q = len(rss) // 4
            second, last = statistics.median(rss[q:2 * q]), statistics.median(rss[3 * q:])
            out.append({"pid": pid, "role": "main" if pid == self.pid else "child", "samples": len(rss),
                        "rss_mb_q2": round(second, 1), "rss_mb_q4": round(last, 1),
                        "rss_mb_max": round(max(rss), 1), "cpu_s": round(samples[-1][2], 2),
                        "growth": round(last / second - 1, 3) if second else 0.0})
        return out


def run_command(command: list[str], cwd: Path, env: dict[str, str], interval: float
                ) -> tuple[subprocess.CompletedProcess[str], float, float, list[dict[str, Any]]]:
    """Run a crawl, sampling its processes; (result, wall s, CPU s of it and its children, memory)."""
    started, cpu_before = time.perf_counter(), children_cpu()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        sampler = Sampler(process.pid, interval)
        sampler.start()
        returncode = process.wait()
        sampler.done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, returncode, out.read(), err.read())
    return result, time.perf_counter() - started, children_cpu() - cpu_before, sampler.memory()


def run_crawl(work: Path, base: str, args: argparse.Namespace) -> dict[str, Any]:
    """One full `scrapy crawl` of the served copy; returns its stats plus wall time, CPU and memory."""
    sites = work / "sites"
    sites.mkdir(exist_ok=True)
    (sites / "samplebench.toml").write_text(
        SITE_CONFIG.format(base=base, start=json.dumps(START_PAGES)), encoding="utf-8")
    archive = work / "archive"
    shutil.rmtree(archive, ignore_errors=True)
    stats_file = work / "crawl-stats.json"
    stats_file.unlink(missing_ok=True)
    settings = dict(POLITENESS_OFF, NEWSARCHIVE_ARCHIVE_DIR=str(archive),
                    NEWSARCHIVE_STATS_FILE=str(stats_file), LOG_FILE=str(work / "crawl.log"))
    if args.workers is not None:
        settings["CLEAN_WORKERS"] = str(args.workers)
    settings.update(split_setting(item) for item in args.set)
    command = [sys.executable, "-m", "scrapy", "crawl", "samplebench", "-a", f"base_url={base}/"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = dict(os.environ, NEWSARCHIVE_EXTRA_SITES=str(sites))
    server_before = self_cpu()
    result, wall, cpu, memory = run_command(command, REPO, env, args.sample_seconds)
    server_cpu = self_cpu() - server_before
    if result.returncode != 0:
        log = work / "crawl.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        raise SystemExit(f"bench: scrapy crawl failed (exit {result.returncode}):\n"
                         f"{result.stderr[-3000:]}{tail}")
    stats = load_crawl_stats(stats_file, work / "crawl.log")
    stats["bench/wall_seconds"] = wall
    stats["bench/crawl_cpu_seconds"] = cpu
    stats["bench/crawl_cores_busy"] = cpu / wall  # crawl process + its clean workers
    stats["bench/server_cores_busy"] = server_cpu / wall  # the portal server threads (this process)
    stats["bench/memory"] = memory
    return stats


def peer_project(work: Path) -> Path:
    """The generated naive Scrapy project (its ``peer`` and ``floor`` spiders)."""
    project = work / "peer"
    package = project / "naivepeer"
    (package / "spiders").mkdir(parents=True, exist_ok=True)
    (project / "scrapy.cfg").write_text("[settings]\ndefault = naivepeer.settings\n", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "settings.py").write_text(PEER_SETTINGS, encoding="utf-8")
    (package / "pipelines.py").write_text(PEER_PIPELINE, encoding="utf-8")
    (package / "spiders" / "__init__.py").write_text("", encoding="utf-8")
    (package / "spiders" / "peer.py").write_text(PEER_SPIDER, encoding="utf-8")
    return project


def peer_command(spider: str, log_file: Path, *arguments: str) -> list[str]:
    """``scrapy crawl SPIDER`` of the generated project with the politeness-off settings (the project
    has no Crawl-delay extension) and its log in ``log_file``."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *arguments, "-s", f"LOG_FILE={log_file}"]
    for name, value in POLITENESS_OFF.items():
        if name != "CRAWL_DELAY_ENABLED":
            command += ["-s", f"{name}={value}"]
    return command


def run_peer(work: Path, base: str, args: argparse.Namespace) -> dict[str, Any]:
    """The naive peer project's crawl of the same copy: pages/s, CPU per page, memory."""
    project = peer_project(work)
    log_file, feed = work / "peer.log", work / "peer.jsonl"
    feed.unlink(missing_ok=True)
    command = peer_command("peer", log_file, "-a", f"base_url={base}", "-a",
                           "start_pages=" + ",".join(START_PAGES), "-O", str(feed))
    result, wall, cpu, memory = run_command(command, project, clean_env(), args.sample_seconds)
    log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
    stats = stats_from_log(log) if log else {}
    if result.returncode != 0 or not stats.get("elapsed_time_seconds"):
        raise SystemExit(f"bench: the naive peer crawl failed (exit {result.returncode}):\n"
                         f"{result.stderr[-3000:]}")
    pages = int(stats.get("response_received_count", 0))
    return {"pages_per_s": pages / float(stats["elapsed_time_seconds"]), "pages": pages,
            "items": int(stats.get("item_scraped_count", 0)),
            "cpu_ms_per_page": 1000.0 * cpu / max(1, pages), "cores_busy": cpu / wall, "memory": memory}


def run_floor(work: Path, base: str, paths: list[str], extra: dict[str, str]) -> float:
    """Scrapy's floor: CPU ms per response of the ``floor`` spider (every page from a list, nothing done
    with the responses), after start-up, in the same generated project and settings as the peer, plus
    the ``--floor-set`` settings (e.g. ``ASYNCIO_EVENT_LOOP=uvloop.Loop``: Scrapy's floor on its fastest
    supported event loop)."""
    project = peer_project(work)
    urls_file, cpu_file, log_file = work / "floor-urls.txt", work / "floor-cpu.txt", work / "floor.log"
    urls_file.write_text("\n".join(base + path for path in paths), encoding="utf-8")
    cpu_file.unlink(missing_ok=True)
    command = peer_command("floor", log_file, "-a", f"urls_file={urls_file}", "-a", f"cpu_file={cpu_file}")
    for name, value in extra.items():
        command += ["-s", f"{name}={value}"]
    result = subprocess.run(command, cwd=project, env=clean_env(), capture_output=True, text=True)
    log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
    stats = stats_from_log(log) if log else {}
    pages = int(stats.get("response_received_count", 0))
    if result.returncode != 0 or not pages or not cpu_file.exists():
        raise SystemExit(f"bench: the Scrapy floor crawl failed (exit {result.returncode}):\n"
                         f"{result.stderr[-3000:]}{log[-2000:]}")
    return 1000.0 * float(cpu_file.read_text(encoding="utf-8")) / pages


def children_cpu() -> float:
    """CPU seconds of finished child processes and their waited-for descendants (the clean workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def split_setting(item: str, option: str = "--set") -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise SystemExit(f"bench: {option} {item!r}: write NAME=VALUE, e.g. {option} CLEAN_WORKERS=1")
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


def responses(stats: dict[str, Any]) -> int:
    return max(1, int(stats.get("downloader/response_count", 0)))


def crawl_rate(stats: dict[str, Any]) -> float:
    elapsed = float(stats.get("elapsed_time_seconds") or stats["bench/wall_seconds"])
    return float(stats.get("downloader/response_count", 0)) / elapsed


def crawl_cpu_ms_per_page(stats: dict[str, Any]) -> float:
    """CPU of the whole crawl (Scrapy process + clean workers, startup included) per fetched page."""
    return 1000.0 * float(stats["bench/crawl_cpu_seconds"]) / responses(stats)


def main_cpu_ms(stats: dict[str, Any]) -> tuple[float, float]:
    """Main (Scrapy) process CPU ms per response: (after start-up, with start-up)."""
    total = float(stats.get("newsarchive/cpu/reactor", 0.0))
    at_open = float(stats.get("newsarchive/cpu/reactor_at_open", 0.0))
    return 1000.0 * (total - at_open) / responses(stats), 1000.0 * total / responses(stats)


def stage_split(stats: dict[str, Any]) -> dict[str, float]:
    """Milliseconds per fetched page spent in each stage (summed over pages, so overlapping work adds)."""
    return {stage: 1000.0 * float(stats.get(f"newsarchive/time/{stage}", 0.0)) / responses(stats)
            for stage in STAGES}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def ratio(a: float, b: float) -> float:
    """a / b; 0 when b was not measured (--crawl-only)."""
    return a / b if b else 0.0


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def print_table(f: dict[str, Any]) -> None:
    rows = [
        ("pages in the copy (HTML) / fetched", f"{f['pages']} / {f['responses']}", ""),
        ("load average (1 min) during the runs", f"{f['load_avg']:.1f}", f"{f['cpus']} cpus; medians of "
                                                                         f"{f['repeat']} runs"),
        ("bare trafilatura.extract, 1 process", f"{f['bare_pages_per_s']:.1f} pages/s",
         f"{f['bare_cpu_ms_per_page']:.1f} ms CPU/page"),
        ("clean() alone, 1 process", f"{f['clean_pages_per_s']:.1f} pages/s",
         f"{f['clean_cpu_ms_per_page']:.1f} ms CPU/page"),
        ("ceiling: cpus x clean() alone", f"{f['ceiling_pages_per_s']:.1f} pages/s", ""),
        ("naive peer (trafilatura in a pipeline)", f"{f['peer_pages_per_s']:.1f} pages/s",
         f"{f['peer_cpu_ms_per_page']:.1f} ms CPU/page, {f['peer_cores_busy']:.2f} cores busy"),
        ("crawl (scrapy crawl, full pipeline)", f"{f['crawl_pages_per_s']:.1f} pages/s",
         f"{f['crawl_cpu_ms_per_page']:.1f} ms CPU/page (all processes), "
         f"{f['crawl_cores_busy']:.2f} cores busy"),
        ("crawl / ceiling (pages/s)", f"{f['crawl_vs_ceiling']:.0%}",
         f"target >= {TARGET_CEILING:.0%}: {verdict(f['crawl_vs_ceiling'] >= TARGET_CEILING)}"),
        ("crawl / ceiling (CPU: clean() / crawl)", f"{f['crawl_vs_ceiling_cpu']:.0%}",
         "load-independent form of the same ratio"),
        ("crawl / naive peer (pages/s)", f"{f['crawl_vs_peer']:.2f}x",
         f"target >= {TARGET_NAIVE:.0f}x: {verdict(f['crawl_vs_peer'] >= TARGET_NAIVE)}; "
         f"CPU/page {f['crawl_vs_peer_cpu']:.2f}x less"),
        ("main-process CPU per response", f"{f['main_cpu_ms_per_response']:.2f} ms",
         f"target <= {TARGET_MAIN_MS:.0f} ms: {verdict(f['main_cpu_ms_per_response'] <= TARGET_MAIN_MS)}; "
         f"{f['main_cpu_ms_with_startup']:.2f} ms with start-up"),
        ("Scrapy's floor: same pages, nothing done", f"{f['scrapy_floor_cpu_ms_per_response']:.2f} ms",
         "CPU per response of a spider that only fetches (default Scrapy"
         + "".join(f" + {k}={v}" for k, v in f["floor_settings"].items()) + ", no pipeline); "
         + (f"the crawl's main process is {f['main_cpu_ms_above_scrapy_floor']:+.2f} ms above it"
            if f["scrapy_floor_cpu_ms_per_response"] else "not measured (--crawl-only)")),
        ("clean workers CPU per response", f"{f['clean_cpu_ms_per_response']:.2f} ms",
         "clean() of article pages + list pages' links"),
        ("memory flat (every process)", verdict(f["memory_flat"]),
         f"largest growth q2 -> q4 {f['memory_growth_max']:+.1%} (limit {FLAT_GROWTH:+.0%})"),
        ("crawl wall time", f"{f['crawl_wall_s']:.1f} s",
         f"{f['records_written']} records, drops {f['drops'] or 'none'}"),
    ]
    if f.get("scrapy_bench_pages_per_s"):
        rows.append(("scrapy bench", f"{f['scrapy_bench_pages_per_s']:.1f} pages/s", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>18}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>18}  {note}")
    print()
    print("memory per process of the median crawl (RSS MB: median of the 2nd quarter, of the 4th, max):")
    for m in f["memory"]:
        print(f"  crawl {m['role']:<5} pid {m['pid']:<7} {m['rss_mb_q2']:7.1f} {m['rss_mb_q4']:7.1f} "
              f"{m['rss_mb_max']:7.1f}  {m['growth']:+.1%}  ({m['samples']} samples, {m['cpu_s']} s CPU)")
    for m in f["peer_memory"]:
        print(f"  peer  {m['role']:<5} pid {m['pid']:<7} {m['rss_mb_q2']:7.1f} {m['rss_mb_q4']:7.1f} "
              f"{m['rss_mb_max']:7.1f}  {m['growth']:+.1%}")
    print()
    print("time split per fetched page (ms, summed over concurrent work):")
    for stage, ms in f["split_ms_per_page"].items():
        print(f"  {stage:<14} {ms:8.2f}")


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    floor_settings = dict(split_setting(item, "--floor-set") for item in args.floor_set)  # before any run
    site = work / "site"
    build.build(site, copies=args.pages)
    pages = html_pages(site)
    texts = [decode_for_baseline(data, charset) for _, data, charset in pages]
    server, base = serve(site)
    runs: dict[str, list[Any]] = {k: [] for k in ("bare", "bare_cpu", "clean", "clean_cpu", "crawl", "peer",
                                                   "floor", "bench", "load")}
    cpus = os.cpu_count() or 1
    try:
        for _ in range(args.repeat):
            if not args.crawl_only:
                rate, cpu_ms = bare_extraction(texts)
                runs["bare"].append(rate)
                runs["bare_cpu"].append(cpu_ms)
                rate, cpu_ms = clean_alone(pages, base)
                runs["clean"].append(rate)
                runs["clean_cpu"].append(cpu_ms)
            runs["load"].append(os.getloadavg()[0])
            runs["crawl"].append(run_crawl(work, base, args))
            runs["load"].append(os.getloadavg()[0])
            if not args.crawl_only:
                runs["peer"].append(run_peer(work, base, args))
                runs["floor"].append(run_floor(work, base, [path for path, _, _ in pages], floor_settings))
            if args.scrapy_bench:
                runs["bench"].append(run_scrapy_bench(work, args.bench_seconds))
    finally:
        server.shutdown()
    crawls, peers = runs["crawl"], runs["peer"]
    rates = [crawl_rate(stats) for stats in crawls]
    middle = crawls[rates.index(sorted(rates)[len(rates) // 2])]
    peer_rates = [p["pages_per_s"] for p in peers]
    peer_middle = (peers[peer_rates.index(sorted(peer_rates)[len(peer_rates) // 2])] if peers
                   else {"memory": []})
    memory_all = [m for s in crawls for m in s["bench/memory"]]
    f: dict[str, Any] = {
        "pages": len(pages),
        "responses": responses(middle),
        "cpus": cpus,
        "repeat": args.repeat,
        "load_avg": median(runs["load"]),
        "bare_pages_per_s": median(runs["bare"]),
        "bare_cpu_ms_per_page": median(runs["bare_cpu"]),
        "clean_pages_per_s": median(runs["clean"]),
        "clean_cpu_ms_per_page": median(runs["clean_cpu"]),
        "ceiling_pages_per_s": cpus * median(runs["clean"]),
        "peer_pages_per_s": median(peer_rates),
        "peer_cpu_ms_per_page": median([p["cpu_ms_per_page"] for p in peers]),
        "peer_cores_busy": median([p["cores_busy"] for p in peers]),
        "crawl_pages_per_s": median(rates),
        "crawl_cpu_ms_per_page": median([crawl_cpu_ms_per_page(s) for s in crawls]),
        "crawl_cores_busy": median([float(s["bench/crawl_cores_busy"]) for s in crawls]),
        "server_cores_busy": median([float(s["bench/server_cores_busy"]) for s in crawls]),
        "main_cpu_ms_per_response": median([main_cpu_ms(s)[0] for s in crawls]),
        "main_cpu_ms_with_startup": median([main_cpu_ms(s)[1] for s in crawls]),
        "scrapy_floor_cpu_ms_per_response": median(runs["floor"]),
        "clean_cpu_ms_per_response": median([1000.0 * (float(s.get("newsarchive/cpu/clean", 0.0))
                                                      + float(s.get("newsarchive/cpu/lists", 0.0)))
                                             / responses(s) for s in crawls]),
        "crawl_wall_s": median([float(s["bench/wall_seconds"]) for s in crawls]),
        "records_written": int(middle.get("newsarchive/records_written", 0)),
        "drops": {k.rsplit("/", 1)[-1]: v for k, v in middle.items() if k.startswith("newsarchive/drop/")},
        "split_ms_per_page": {stage: median([stage_split(s)[stage] for s in crawls]) for stage in STAGES},
        "memory": middle["bench/memory"],
        "peer_memory": peer_middle["memory"],
        "memory_growth_max": max((m["growth"] for m in memory_all), default=0.0),
        "scrapy_bench_pages_per_s": median(runs["bench"]),
        "clean_workers": args.workers,
        "settings": dict(split_setting(item) for item in args.set),
        "floor_settings": floor_settings,
    }
    f["memory_flat"] = bool(memory_all) and f["memory_growth_max"] <= FLAT_GROWTH
    f["crawl_vs_ceiling"] = ratio(f["crawl_pages_per_s"], f["ceiling_pages_per_s"])
    f["crawl_vs_ceiling_cpu"] = ratio(f["clean_cpu_ms_per_page"], f["crawl_cpu_ms_per_page"])
    f["crawl_vs_peer"] = ratio(f["crawl_pages_per_s"], f["peer_pages_per_s"])
    f["crawl_vs_peer_cpu"] = ratio(f["peer_cpu_ms_per_page"], f["crawl_cpu_ms_per_page"])
    f["crawl_vs_bare"] = ratio(f["crawl_pages_per_s"], f["bare_pages_per_s"])
    f["main_cpu_ms_above_scrapy_floor"] = (f["main_cpu_ms_per_response"]
                                           - f["scrapy_floor_cpu_ms_per_response"])
    f["targets"] = {
        "crawl_vs_ceiling": f["crawl_vs_ceiling"] >= TARGET_CEILING,
        "crawl_vs_peer": f["crawl_vs_peer"] >= TARGET_NAIVE,
        "main_cpu_ms_per_response": f["main_cpu_ms_per_response"] <= TARGET_MAIN_MS,
        "memory_flat": f["memory_flat"],
    }
    return f


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=3000, help="article pages in the generated copy")
    parser.add_argument("--repeat", type=int, default=3, help="measure each figure N times, report medians")
    parser.add_argument("--workers", type=int, default=None, help="CLEAN_WORKERS for the crawl")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for the crawl (repeatable), e.g. CLEAN_WORKERS=1")
    parser.add_argument("--floor-set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for the floor spider only (repeatable), e.g. "
                             "ASYNCIO_EVENT_LOOP=uvloop.Loop (with uvloop installed)")
    parser.add_argument("--sample-seconds", type=float, default=0.5, help="RSS/CPU sampling interval")
    parser.add_argument("--scrapy-bench", action="store_true", help="also run `scrapy bench`")
    parser.add_argument("--crawl-only", action="store_true",
                        help="only the crawl (no peers, no ceiling): for the memory check on a large copy")
    parser.add_argument("--bench-seconds", type=int, default=10, help="duration of `scrapy bench`")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (site, WARC, logs)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/statm").exists():
        print("bench: no /proc here: memory and per-process CPU are not sampled", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    try:
        figures = measure(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table(figures)
    ratios = {k: round(figures[k], 3) for k in ("crawl_vs_ceiling", "crawl_vs_ceiling_cpu", "crawl_vs_peer",
                                                 "crawl_vs_peer_cpu", "crawl_vs_bare", "memory_growth_max")}
    print(json.dumps({**figures, "ratios": ratios}, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
