"""The Redis side of the distributed crawl, step by step, on a real Redis (no crawl): leases and their
requeue, the atomic dupefilter push, the claims that make a record exactly-once when a worker dies
between its write and its confirmation, and the politeness turns shared by two workers."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import RedisServer

pytest.importorskip("scrapy_redis")

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.distributed.cluster import Cluster, DistributedError, Keys, connect
from crawler.distributed.recorded import Claim, SharedRecorded, record_at


class Sample(Spider):
    name = "sample"


def worker(redis_server: RedisServer, worker_id: str, crawl_id: str = "c1", lease: float = 30) -> Cluster:
    crawler = get_crawler(Sample, {"NEWSARCHIVE_REDIS_LEASE": lease, "NEWSARCHIVE_REDIS_RETRY_SECONDS": 0})
    crawler.stats.open_spider()
    client = connect(redis_server.url, 0)
    cluster = Cluster(crawler, client, redis_server.url, Keys("sample", crawl_id), worker_id)
    cluster._register()
    return cluster


def die(cluster: Cluster) -> None:
    """What SIGKILL leaves: the worker's lease key lapses, everything else stays."""
    cluster.client.delete(cluster.keys.worker(cluster.worker_id))


def test_a_dead_workers_leased_requests_return_with_their_priority(redis_server: RedisServer) -> None:
    a, b = worker(redis_server, "a"), worker(redis_server, "b")
    assert a.leases.push("fp-list", -10, b"list") and a.leases.push("fp-art", 0, b"article")
    assert not b.leases.push("fp-list", -10, b"list again")  # seen by the shared dupefilter
    popped = a.leases.pop()
    assert popped is not None and popped[0] == b"list"  # highest priority first
    assert a.leases.state().inflight == 1 and a.leases.state().queued == 1
    assert b.leases.reclaim() == 0  # a is alive: nothing to take
    die(a)
    assert b.leases.reclaim() == 1
    state = b.leases.state()
    assert (state.queued, state.inflight) == (2, 0)
    again = b.leases.pop()
    assert again is not None and again[0] == b"list"  # back with its priority, ahead of the article


def test_an_acknowledged_request_is_gone_for_good(redis_server: RedisServer) -> None:
    a = worker(redis_server, "a")
    a.leases.push("fp", 0, b"page")
    _, token = a.leases.pop()  # type: ignore[misc]
    a.leases.finished.append(token)
    assert a.leases.flush() == 1
    die(a)
    assert a.leases.reclaim() == 0
    assert a.leases.state().queued == a.leases.state().inflight == 0


def test_a_worker_id_in_use_is_refused_and_free_after_the_lease(redis_server: RedisServer) -> None:
    worker(redis_server, "a", lease=0.5)
    with pytest.raises(DistributedError, match="in use by a live worker"):
        worker(redis_server, "a", lease=0.5)
    time.sleep(0.6)
    worker(redis_server, "a", lease=0.5)


def jsonl_with(path: Path, url: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"url": url, "id": "x-0"}) + "\n")


def test_a_record_written_just_before_death_is_not_written_again(redis_server: RedisServer,
                                                                 tmp_path: Path) -> None:
    url = "http://127.0.0.2/art/1.html"
    a, b = worker(redis_server, "a"), worker(redis_server, "b")
    mine, theirs = tmp_path / "captures/s/c1-a-00000.jsonl", tmp_path / "captures/s/c1-b-00000.jsonl"
    jsonl_with(mine, "http://127.0.0.2/art/0.html")
    ra, rb = SharedRecorded(a, tmp_path), SharedRecorded(b, tmp_path)
    assert ra.claim(url, mine) is Claim.CLAIMED
    assert rb.claim(url, theirs) is Claim.BUSY  # a is alive and writing it
    jsonl_with(mine, url)  # a's write reaches the file ...
    die(a)  # ... and a dies before it confirms
    assert url not in rb
    assert rb.claim(url, theirs) is Claim.RECORDED  # found in a's file at the claimed offset
    assert url in rb and b.crawler.stats.get_value("newsarchive/distributed/claim-confirmed") == 1


def test_a_claim_whose_record_never_reached_the_file_is_taken_over(redis_server: RedisServer,
                                                                   tmp_path: Path) -> None:
    url = "http://127.0.0.2/art/1.html"
    a, b = worker(redis_server, "a"), worker(redis_server, "b")
    mine, theirs = tmp_path / "captures/s/c1-a-00000.jsonl", tmp_path / "captures/s/c1-b-00000.jsonl"
    ra, rb = SharedRecorded(a, tmp_path), SharedRecorded(b, tmp_path)
    assert ra.claim(url, mine) is Claim.CLAIMED
    die(a)  # killed before its write
    assert rb.claim(url, theirs) is Claim.CLAIMED
    rb.add(url)
    assert url in ra and rb.claim(url, theirs) is Claim.RECORDED


@pytest.mark.parametrize(("content", "expected"), [
    (b'{"url": "u"}\n', True), (b'{"url": "v"}\n', False), (b'{"url": "u"', False), (b"", False)])
def test_record_at(tmp_path: Path, content: bytes, expected: bool) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"url": "other"}\n' + content)
    assert record_at(path, len(b'{"url": "other"}\n'), "u") is expected
    assert record_at(tmp_path / "absent.jsonl", 0, "u") is None


def test_two_workers_take_turns_on_a_domain(redis_server: RedisServer) -> None:
    from crawler.distributed.politeness import _DONE, _TURN

    a, b = worker(redis_server, "a"), worker(redis_server, "b")
    keys = [Keys.polite("127.0.0.9"), Keys.polite("127.0.0.9") + ":holders"]

    def turn(cluster: Cluster, token: str, limit: int = 2) -> Any:
        holder = f"{cluster.keys.worker(cluster.worker_id)}|{cluster.run}|{token}"
        return cluster.script("turn", _TURN)(keys=keys, args=[200, limit, holder, 60000]), holder

    wait, first = turn(a, "1")
    assert wait == 0
    wait, _ = turn(b, "2")
    assert 150 < wait <= 200  # b must wait for the delay after a's request
    a.script("done", _DONE)(keys=keys, args=[first, 200])
    time.sleep(0.21)
    wait, _ = turn(b, "2", limit=1)
    assert wait == 0
    time.sleep(0.21)
    assert turn(a, "3", limit=1)[0] == -1  # the one place is b's
    die(b)
    assert turn(a, "3", limit=1)[0] == 0  # a dead worker's place is freed at once


def join(redis_server: RedisServer, worker_id: str, crawl_id: str = "") -> Cluster:
    crawler = get_crawler(Sample, {"NEWSARCHIVE_WORKER_ID": worker_id, "NEWSARCHIVE_CRAWL_ID": crawl_id,
                                   "NEWSARCHIVE_REDIS_LEASE": 30, "NEWSARCHIVE_REDIS_RETRY_SECONDS": 0})
    return Cluster.join(crawler, redis_server.url)


def test_workers_join_the_running_crawl_and_a_finished_one_is_followed_by_a_new(redis_server: RedisServer
                                                                                ) -> None:
    first = join(redis_server, "w1", "c1")
    assert join(redis_server, "w2").crawl_id == "c1"  # no id given: the running crawl
    with pytest.raises(DistributedError, match=r"is running crawl c1 .* NEWSARCHIVE_CRAWL_ID=c1"):
        join(redis_server, "w3", "c2")
    first.client.hset(Keys.current("sample"), "state", "done")
    with pytest.raises(DistributedError, match=r"crawl c1 of sample .* is finished"):
        join(redis_server, "w4", "c1")
    assert join(redis_server, "w5").crawl_id not in {"c1", ""}  # the next crawl
