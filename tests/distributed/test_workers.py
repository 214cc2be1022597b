"""Three workers (real ``scrapy crawl`` processes) share one frontier in a real Redis and crawl the sample
portal served as three portals (127.0.0.2-4), each asking for a Crawl-delay in robots.txt:

- shared frontier: every page is fetched once across the three workers, and the work is shared;
- global politeness: the measured spacing of requests to each portal, whichever worker sent them, is at
  least its Crawl-delay;
- exactly-once records: every article once, each worker's segments named after it, every WARC valid,
  and ``newsarchive index`` reads all workers' segments as one archive.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import Portals, RedisServer, serve_portals
from distributed_helpers import (
    expected_pages,
    host_path,
    record_pages,
    records_of,
    start_worker,
    stats_of,
    warcio_check,
    warcs_of,
)

from newsarchive.captures import iter_responses

pytestmark = pytest.mark.slow
CRAWL_DELAY = 0.25
WORKERS = ("w1", "w2", "w3")


@pytest.fixture(scope="module")
def shared_crawl(redis_session: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    redis_session.client().flushall()
    portals = serve_portals(3, crawl_delay=CRAWL_DELAY, reply_delay=0.02)
    try:
        tmp = tmp_path_factory.mktemp("shared")
        sites = portals.site_config(tmp / "sites")
        archive = tmp / "archive"
        workers = [start_worker(w, "multi", redis_session.url, archive, sites, CRAWL_DELAY_ENABLED="True")
                   for w in WORKERS]
        codes = {w.worker_id: w.wait(timeout=120) for w in workers}
        logs = {w.worker_id: w.text() for w in workers}
    finally:
        for server in portals.servers:
            server.shutdown()
    return {"archive": archive, "portals": portals, "codes": codes, "logs": logs}


def test_every_worker_finishes_the_crawl(shared_crawl: dict[str, Any]) -> None:
    for worker, code in shared_crawl["codes"].items():
        log = shared_crawl["logs"][worker]
        assert code == 0, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
        stats = stats_of(shared_crawl["archive"], worker)
        assert stats["finish_reason"] == "finished" and stats["newsarchive/distributed/crawl_done"]


def test_each_page_is_fetched_once_across_the_workers(shared_crawl: dict[str, Any]) -> None:
    portals: Portals = shared_crawl["portals"]
    for server in portals.servers:
        hits = Counter(path for _, path in server.times if path != "/robots.txt")
        assert hits and max(hits.values()) == 1, {p: n for p, n in hits.items() if n > 1}
        assert 1 <= server.hits["/robots.txt"] <= len(WORKERS)  # each worker reads robots.txt itself
    fetched_by = {w: len(list(_responses(shared_crawl["archive"], w))) for w in WORKERS}
    assert sum(1 for n in fetched_by.values() if n) >= 2, fetched_by  # the work was shared


def test_politeness_holds_across_the_workers(shared_crawl: dict[str, Any]) -> None:
    """Consecutive requests to one portal, from any worker, are at least its Crawl-delay apart (robots.txt
    itself excluded: each worker fetches it once, before it knows the delay)."""
    portals: Portals = shared_crawl["portals"]
    for server in portals.servers:
        hits = sorted((t, path) for t, path in server.times if path != "/robots.txt")
        times = [t for t, _ in hits]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) >= 15
        i = gaps.index(min(gaps))
        assert gaps[i] >= CRAWL_DELAY - 0.005, (server.base_url, gaps[i], hits[i][1], hits[i + 1][1])
        rate = (len(times) - 1) / (times[-1] - times[0])
        assert rate <= 1 / CRAWL_DELAY + 0.01, (server.base_url, rate)


def test_every_article_is_recorded_once(shared_crawl: dict[str, Any]) -> None:
    archive: Path = shared_crawl["archive"]
    pages = record_pages(archive, "multi")
    assert {host_path(u) for u in pages} == expected_pages(shared_crawl["portals"].hosts)
    assert max(pages.values()) == 1, {u: n for u, n in pages.items() if n > 1}
    written = sum(stats_of(archive, w).get("newsarchive/records_written", 0) for w in WORKERS)
    assert written == len(records_of(archive, "multi"))


def test_segments_carry_the_worker_id_and_are_valid_warc(shared_crawl: dict[str, Any]) -> None:
    archive: Path = shared_crawl["archive"]
    warcs = warcs_of(archive, "multi")
    crawl_ids = {stats_of(archive, w)["newsarchive/distributed/crawl_id"] for w in WORKERS}
    assert len(crawl_ids) == 1  # one crawl
    (crawl_id,) = crawl_ids
    for warc in warcs:
        assert any(warc.name.startswith(f"{crawl_id}-{w}-") for w in WORKERS), warc.name
    warcio_check(warcs)
    for record in records_of(archive, "multi"):
        worker = Path(record["capture"]["file"]).name.removeprefix(f"{crawl_id}-").split("-")[0]
        assert worker in WORKERS


def test_newsarchive_index_reads_all_workers_as_one_archive(shared_crawl: dict[str, Any]) -> None:
    archive: Path = shared_crawl["archive"]
    newsarchive = Path(sys.executable).with_name("newsarchive")
    proc = subprocess.run([str(newsarchive), "index", str(archive)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import sqlite3

    with sqlite3.connect(archive / "index.sqlite") as db:
        urls = [url for (url,) in db.execute("select url from records")]
    assert len(urls) == len(records_of(archive, "multi"))
    assert {host_path(u) for u in urls} == expected_pages(shared_crawl["portals"].hosts)


def _responses(archive: Path, worker: str) -> list[str]:
    urls = []
    for warc in (archive / "captures" / "multi").glob(f"*-{worker}-*.warc.gz"):
        urls += [url for url, _, _ in iter_responses(warc) if urlsplit(url).path != "/robots.txt"]
    return urls
