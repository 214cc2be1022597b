"""Faults of a distributed crawl, with real workers and a real Redis:

- a worker SIGKILLed at several moments (holding fetched pages, right after writing a record, at a
  random time): the others finish the crawl, every article is recorded exactly once, every WARC (the
  dead worker's too) passes ``warcio check``;
- the seeding worker died before it finished seeding: another worker seeds;
- Redis restarted in the middle of the crawl: the workers reconnect and finish, each article once;
- Redis gone for good: the workers stop, resumably, and a second run finishes the crawl;
- Redis unreachable at start: one line naming the URL and how to start Redis, exit status non-zero.
"""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import RedisServer, free_port, serve_portals
from distributed_helpers import (
    REPO,
    Worker,
    expected_pages,
    host_path,
    record_pages,
    start_worker,
    stats_of,
    wait_for,
    warcio_check,
    warcs_of,
)

from newsarchive.captures import CaptureError, iter_responses

pytestmark = pytest.mark.slow
SITE = "multi"


@pytest.fixture
def crawl_setup(redis_server: RedisServer, tmp_path: Path) -> Any:
    portals = serve_portals(2, crawl_delay=None, reply_delay=0.15)  # slow replies: requests stay in flight
    sites = portals.site_config(tmp_path / "sites")
    archive = tmp_path / "archive"
    yield redis_server, portals, sites, archive
    for server in portals.servers:
        server.shutdown()


def assert_complete_once(archive: Path, hosts: list[str]) -> None:
    pages = record_pages(archive, SITE)
    assert {host_path(u) for u in pages} == expected_pages(hosts), "articles missing"
    assert max(pages.values()) == 1, {u: n for u, n in pages.items() if n > 1}
    warcio_check(warcs_of(archive, SITE))


def responses_of(archive: Path, worker: str) -> int:
    n = 0
    for warc in (archive / "captures" / SITE).glob(f"*-{worker}-*.warc.gz"):
        with contextlib.suppress(CaptureError):  # being written
            n += sum(1 for url, _, _ in iter_responses(warc) if not url.endswith("/robots.txt"))
    return n


def records_by(archive: Path, worker: str) -> int:
    segments = (archive / "captures" / SITE).glob(f"*-{worker}-*.jsonl")
    return sum(len(p.read_bytes().splitlines()) for p in segments)


def finish(workers: list[Worker], timeout: float = 120) -> None:
    for worker in workers:
        code = worker.wait(timeout)
        assert code == 0, worker.text()[-3000:]
        assert "Traceback" not in worker.text(), worker.text()[-3000:]


KILL_POINTS = {
    "holding-fetched-pages": lambda archive: responses_of(archive, "w2") >= 3,
    "right-after-a-record": lambda archive: records_by(archive, "w2") >= 1,
}


@pytest.mark.parametrize("point", [*KILL_POINTS, "random"])
def test_sigkill_of_one_worker_loses_and_duplicates_nothing(crawl_setup: Any, point: str) -> None:
    redis_server, portals, sites, archive = crawl_setup
    workers = {w: start_worker(w, SITE, redis_server.url, archive, sites, DOWNLOAD_DELAY="0.05")
               for w in ("w1", "w2", "w3")}
    if point == "random":
        wait_for(lambda: responses_of(archive, "w2") >= 1, 120, "w2's first page")
        time.sleep(random.uniform(0.0, 1.5))
    else:
        wait_for(lambda: KILL_POINTS[point](archive), 60, f"w2 {point}")
    workers.pop("w2").kill()
    finish(list(workers.values()))
    assert_complete_once(archive, portals.hosts)
    requeued = sum(stats_of(archive, w).get("newsarchive/distributed/requeued", 0) for w in workers)
    if point == "holding-fetched-pages":
        assert requeued >= 1  # w2 held requests in flight: they went back to the frontier


def test_a_dead_seeder_is_replaced(crawl_setup: Any) -> None:
    """The crawl's seeder ("ghost") died before it finished seeding: a live worker seeds again."""
    redis_server, portals, sites, archive = crawl_setup
    client = redis_server.client()
    client.hset(f"newsarchive:{SITE}:crawl", mapping={"id": "c1", "state": "running", "seeder": "ghost"})
    workers = [start_worker(w, SITE, redis_server.url, archive, sites, NEWSARCHIVE_CRAWL_ID="c1")
               for w in ("w1", "w2")]
    finish(workers)
    assert_complete_once(archive, portals.hosts)
    assert "seeding again from worker" in workers[0].text() + workers[1].text()


def test_redis_restart_mid_crawl(crawl_setup: Any) -> None:
    redis_server, portals, sites, archive = crawl_setup
    workers = [start_worker(w, SITE, redis_server.url, archive, sites, NEWSARCHIVE_REDIS_RETRY_SECONDS="30")
               for w in ("w1", "w2")]
    wait_for(lambda: records_by(archive, "w1") + records_by(archive, "w2") >= 2, 120, "the first records")
    redis_server.stop()
    time.sleep(1.0)
    redis_server.start()
    finish(workers)
    assert_complete_once(archive, portals.hosts)


def test_redis_gone_stops_the_workers_resumably(crawl_setup: Any) -> None:
    redis_server, portals, sites, archive = crawl_setup
    first = [start_worker(w, SITE, redis_server.url, archive, sites, NEWSARCHIVE_REDIS_RETRY_SECONDS="1")
             for w in ("w1", "w2")]
    wait_for(lambda: records_by(archive, "w1") >= 1 and records_by(archive, "w2") >= 1, 60, "records of both")
    redis_server.stop()
    for worker in first:
        worker.wait(60)
        assert "lost Redis at" in worker.text()
        assert stats_of(archive, worker.worker_id)["finish_reason"] == "redis-unavailable"
    redis_server.start()  # same data (AOF): the crawl goes on where it stopped
    again = [start_worker(w, SITE, redis_server.url, archive, sites) for w in ("w3", "w4")]
    finish(again)
    assert_complete_once(archive, portals.hosts)


def test_redis_unreachable_at_start_is_one_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("scrapy_redis")
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    command = [sys.executable, "-m", "scrapy", "crawl", "sample", "-s", f"NEWSARCHIVE_REDIS_URL={url}",
               "-s", f"NEWSARCHIVE_ARCHIVE_DIR={tmp_path}", "-s", "LOG_LEVEL=WARNING"]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if url in line]
    assert len(lines) == 1, proc.stderr
    assert "cannot reach Redis" in lines[0] and "scripts/redis-start.sh" in lines[0]
    assert not (tmp_path / "captures").exists()  # nothing crawled on its own
