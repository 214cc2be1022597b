"""The distributed crawl (crawler/distributed) beside the single-machine crawl, on this machine.

    .venv/bin/python bench/distributed.py [--portals 4] [--articles 40] [--crawl-delay 0.2]
                                          [--cpu-pages 1000] [--ops 2000] [--repeat 1] [--cpu-repeat 5]

Needs redis-server (bash scripts/install-redis.sh); starts its own on a free port of 127.0.0.1.

1. Politeness-bound: ``--portals`` copies of the sample portal (``--articles`` article pages each) on
   127.0.0.2, 127.0.0.3, ..., each robots.txt asking for ``--crawl-delay``. Crawled by one single-machine
   process (baseline), then by 1, 2 and 3 distributed workers. Per run: pages/s (pages over the time from
   the first to the last request the portals saw; process start-up left out), and per portal the
   measured request rate and the smallest gap between two requests, against the limit 1/Crawl-delay.
   More workers must not mean more requests per second to a portal.
2. CPU-bound: one portal, ``--cpu-pages`` article pages, politeness off; single-machine scheduler vs one
   distributed worker, run in pairs after one uncounted warm-up crawl: pages/s and the difference in time
   per page (the Redis overhead per request, as the crawl feels it).
3. The Redis work per request, alone: ``--ops`` requests pushed (dupefilter + frontier, one script),
   popped with a lease and acknowledged, timed in one process: microseconds per request.

Medians over ``--repeat`` runs (``--cpu-repeat`` pairs). Prints a table, then as its very last line one
JSON object (``distributed_limit_held``: every distributed run kept every portal at or under its limit).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
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

from crawler.distributed.portals import Portals, serve_portals  # noqa: E402
from crawler.sample_portal import build  # noqa: E402

NICE = ["nice", "-n", "10"] if shutil.which("nice") else []
QUIET = {"LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": "False", "REMOTE_CONTROL_ENABLED": "False",
         "CLEAN_WORKERS": "1"}
POLITE = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CRAWL_DELAY_ENABLED": "True"}
POLITENESS_OFF = {"ROBOTSTXT_OBEY": "False", "CRAWL_DELAY_ENABLED": "False", "AUTOTHROTTLE_ENABLED": "False",
                  "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}


# -- Redis ------------------------------------------------------------------------------------------
class Redis:
    def __init__(self, work: Path) -> None:
        if shutil.which("redis-server") is None:
            raise SystemExit("bench/distributed.py: redis-server is not installed; "
                             "run bash scripts/install-redis.sh")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        (work / "redis").mkdir()
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(work / "redis"),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        self.client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# -- crawls -----------------------------------------------------------------------------------------
def crawl(work: Path, name: str, site: str, sites: Path, settings: dict[str, str], workers: int,
          redis_url: str | None) -> list[dict[str, Any]]:
    """Run ``workers`` crawl processes (1 without Redis = single machine); their final stats."""
    archive = work / name
    procs = []
    for i in range(workers):
        merged = {**QUIET, **settings, "NEWSARCHIVE_ARCHIVE_DIR": str(archive),
                  "NEWSARCHIVE_STATS_FILE": str(archive / f"stats-{i}.json")}
        if redis_url:
            merged |= {"NEWSARCHIVE_REDIS_URL": redis_url, "NEWSARCHIVE_WORKER_ID": f"w{i + 1}"}
        # niced, so that the portals' threads (which time every request) are not starved by the crawl
        cmd = [*NICE, sys.executable, "-m", "scrapy", "crawl", site]
        for key, value in merged.items():
            cmd += ["-s", f"{key}={value}"]
        archive.mkdir(parents=True, exist_ok=True)
        log = (archive / f"w{i + 1}.log").open("w")
        procs.append(subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                      env={**os.environ, "NEWSARCHIVE_EXTRA_SITES": str(sites)}))
        log.close()
    for i, proc in enumerate(procs):
        if proc.wait(timeout=1800) != 0:
            tail = (archive / f"w{i + 1}.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"bench/distributed.py: crawl {name} worker {i + 1} failed:\n{tail}")
    return [json.loads((archive / f"stats-{i}.json").read_text()) for i in range(workers)]


def polite_run(work: Path, portals: Portals, sites: Path, workers: int, redis: Redis | None,
               crawl_delay: float) -> dict[str, Any]:
    for server in portals.servers:
        server.times.clear()
    if redis is not None:
        redis.client.flushall()
    name = f"polite-{workers}{'-redis' if redis else ''}-{time.monotonic_ns()}"
    stats = crawl(work, name, "multi", sites, POLITE, workers, redis.url if redis else None)
    per_portal = []
    starts, ends, pages = [], [], 0
    for server in portals.servers:
        times = server.page_times()
        gaps = [b - a for a, b in itertools.pairwise(times)]
        per_portal.append({"host": server.server_address[0], "requests": len(times),
                           "rate": (len(times) - 1) / (times[-1] - times[0]), "min_gap": min(gaps)})
        starts.append(times[0])
        ends.append(times[-1])
        pages += len(times)
    records = sum(int(s.get("newsarchive/records_written", 0)) for s in stats)
    return {"workers": workers, "redis": redis is not None, "pages": pages, "records": records,
            "pages_per_s": pages / (max(ends) - min(starts)),
            "max_portal_rate": max(p["rate"] for p in per_portal),
            "min_gap": min(p["min_gap"] for p in per_portal),
            "limit_rate": 1 / crawl_delay, "per_portal": per_portal}


def cpu_run(work: Path, sites: Path, redis: Redis | None) -> dict[str, Any]:
    if redis is not None:
        redis.client.flushall()
    name = f"cpu-{'redis' if redis else 'local'}-{time.monotonic_ns()}"
    started = time.perf_counter()
    (stats,) = crawl(work, name, "cpubench", sites, POLITENESS_OFF, 1, redis.url if redis else None)
    wall = time.perf_counter() - started
    pages = int(stats.get("downloader/response_count", 0))
    elapsed = float(stats.get("elapsed_time_seconds", wall))
    return {"pages": pages, "elapsed_s": elapsed, "pages_per_s": pages / elapsed,
            "records": int(stats.get("newsarchive/records_written", 0))}


def redis_ops(redis: Redis, ops: int) -> float:
    """Microseconds of Redis work per request: push (with dupefilter), leased pop, acknowledgement."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.distributed.cluster import Cluster, Keys, connect

    class Bench(Spider):
        name = "opsbench"

    redis.client.flushall()
    crawler = get_crawler(Bench, {"NEWSARCHIVE_REDIS_LEASE": 30})
    cluster = Cluster(crawler, connect(redis.url, 0), redis.url, Keys("opsbench", "c1"), "w1")
    cluster._register()
    leases = cluster.leases
    payload = b"x" * 600  # about the size of a pickled request
    started = time.perf_counter()
    for i in range(ops):
        leases.push(f"fp{i}", 0, payload + str(i).encode())
    for _ in range(ops):
        popped = leases.pop()
        assert popped is not None
        leases.finished.append(popped[1])
        if len(leases.finished) >= 16:  # acknowledgements go in batches, as in a crawl (each tick)
            leases.flush()
    leases.flush()
    return (time.perf_counter() - started) / ops * 1e6


# -- the report ---------------------------------------------------------------------------------------
def median_run(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r[key])
    return ordered[len(ordered) // 2]


def print_table(figures: dict[str, Any]) -> None:
    limit = 1 / figures["crawl_delay"]
    print(f"politeness-bound: {figures['portals']} portals x {figures['polite_pages_per_portal']} pages, "
          f"Crawl-delay {figures['crawl_delay']} s (limit {limit:.1f} requests/s a portal)")
    print(f"{'run':<26} {'pages/s':>8} {'max portal rate':>16} {'min gap':>8} {'records':>8}")
    # single machine: Scrapy's RANDOMIZE_DOWNLOAD_DELAY spaces requests 0.5-1.5 x the delay
    for run in figures["polite"]:
        label = f"{run['workers']} worker{'s' if run['workers'] > 1 else ''}" + (
            " (Redis)" if run["redis"] else " single-machine")
        print(f"{label:<26} {run['pages_per_s']:8.2f} {run['max_portal_rate']:12.2f}/s   "
              f"{run['min_gap']:7.3f}s {run['records']:8d}")
    print()
    local, dist = figures["cpu_local"], figures["cpu_redis"]
    print(f"CPU-bound: one portal, {local['pages']} pages, politeness off")
    print(f"{'single-machine scheduler':<26} {local['pages_per_s']:8.1f} pages/s")
    print(f"{'1 worker (Redis)':<26} {dist['pages_per_s']:8.1f} pages/s   "
          f"{figures['cpu_overhead_ms_per_page']:+.2f} ms a page "
          f"({figures['cpu_ratio']:.0%} of single-machine)")
    print("Redis work per request (push + leased pop + ack, alone): "
          f"{figures['redis_us_per_request']:.0f} us")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--portals", type=int, default=4)
    parser.add_argument("--articles", type=int, default=40, help="article pages per portal")
    parser.add_argument("--crawl-delay", type=float, default=0.2)
    parser.add_argument("--cpu-pages", type=int, default=1000)
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each politeness-bound crawl")
    parser.add_argument("--cpu-repeat", type=int, default=5, help="pairs of CPU-bound crawls (noisy: 5)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    redis = Redis(work)
    portals = cpu_portal = None
    try:
        build.build(work / "polite-site", copies=args.articles)
        build.build(work / "cpu-site", copies=args.cpu_pages)
        portals = serve_portals(args.portals, crawl_delay=args.crawl_delay, root=work / "polite-site")
        sites = portals.site_config(work / "sites", max_pages=100000)
        cpu_portal = serve_portals(1, crawl_delay=None, root=work / "cpu-site")
        cpu_portal.site_config(sites, name="cpubench", max_pages=100000)
        polite = []
        for workers, use_redis in ((1, False), (1, True), (2, True), (3, True)):
            runs = [polite_run(work, portals, sites, workers, redis if use_redis else None, args.crawl_delay)
                    for _ in range(args.repeat)]
            polite.append(median_run(runs, "pages_per_s"))
        cpu_run(work, sites, None)  # warm-up (page cache, imports): not counted
        pairs = [(cpu_run(work, sites, None), cpu_run(work, sites, redis)) for _ in range(args.cpu_repeat)]
        cpu_local = median_run([local for local, _ in pairs], "pages_per_s")
        cpu_redis = median_run([dist for _, dist in pairs], "pages_per_s")
        ops_us = statistics.median(redis_ops(redis, args.ops) for _ in range(max(3, args.repeat)))
    finally:
        for group in (portals, cpu_portal):
            if group is not None:
                group.shutdown()
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)
    figures = {
        "portals": args.portals, "crawl_delay": args.crawl_delay,
        "polite_pages_per_portal": polite[0]["pages"] // args.portals, "polite": polite,
        "distributed_limit_held": all(r["max_portal_rate"] <= 1 / args.crawl_delay and
                                      r["min_gap"] >= args.crawl_delay - 0.005 for r in polite if r["redis"]),
        "cpu_local": cpu_local, "cpu_redis": cpu_redis,
        "cpu_ratio": cpu_redis["pages_per_s"] / cpu_local["pages_per_s"],
        "cpu_overhead_ms_per_page": (1 / cpu_redis["pages_per_s"] - 1 / cpu_local["pages_per_s"]) * 1000,
        "redis_us_per_request": ops_us, "repeat": args.repeat, "cpu_repeat": args.cpu_repeat,
        "cpus": os.cpu_count(),
    }
    print_table(figures)
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
