"""The add-on: off (and Redis-free) without NEWSARCHIVE_REDIS_URL; with it, settings that cannot work
with a shared frontier stop the crawl with one line naming the fix."""

from __future__ import annotations

import subprocess
import sys

import pytest
from distributed_helpers import REPO

from crawler.distributed.addon import DistributedCrawl

pytest.importorskip("scrapy_redis")


def crawler_with(**settings: object):  # type: ignore[no-untyped-def]
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    class Sample(Spider):
        name = "sample"

    return get_crawler(Sample, settings)


def test_single_machine_mode_needs_no_redis_and_changes_nothing() -> None:
    code = ("import sys\nfrom scrapy.exceptions import NotConfigured\n"
            "from scrapy.utils.test import get_crawler\n"
            "from scrapy import Spider\nfrom crawler.distributed.addon import DistributedCrawl\n"
            "class S(Spider):\n    name = 's'\n"
            "try:\n    DistributedCrawl.from_crawler(get_crawler(S, {}))\nexcept NotConfigured:\n    pass\n"
            "else:\n    raise SystemExit('the add-on switched on without NEWSARCHIVE_REDIS_URL')\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'redis', 'scrapy_redis'})\n"
            "raise SystemExit(f'imported {loaded}' if loaded else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("settings", "message"), [
    ({"JOBDIR": "jobs/x"}, "drop -s JOBDIR"),
    ({"REPLAY_WARC": "archive/captures/sample"}, "run it on one machine"),
])
def test_settings_that_cannot_share_a_frontier_are_refused(settings: dict[str, str], message: str) -> None:
    crawler = crawler_with(NEWSARCHIVE_REDIS_URL="redis://127.0.0.1:1/0", **settings)
    with pytest.raises(SystemExit, match=message):
        DistributedCrawl.from_crawler(crawler)


def test_a_url_that_is_not_redis_is_refused() -> None:
    crawler = crawler_with(NEWSARCHIVE_REDIS_URL="127.0.0.1:6379")
    with pytest.raises(SystemExit, match=r"is not a Redis URL; write redis://HOST:PORT/DB"):
        DistributedCrawl.from_crawler(crawler)
