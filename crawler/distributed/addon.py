"""The add-on that turns a crawl into one worker of a distributed crawl (listed in ``ADDONS`` by
crawler/settings.py; does nothing unless NEWSARCHIVE_REDIS_URL is set):

    scrapy crawl NAME -s NEWSARCHIVE_REDIS_URL=redis://127.0.0.1:6379/0 [-s NEWSARCHIVE_WORKER_ID=w1]

It connects to Redis (one clear error naming the URL and how to start Redis when it cannot), joins the
spider's current crawl or begins one (:meth:`crawler.distributed.cluster.Cluster.join`), points the capture
store at the shared crawl id, this worker's segment names and the shared "recorded" set, and plugs in the
components listed in :mod:`crawler.distributed`. Single-machine mode is untouched and needs no Redis (nor
redis-py: nothing here is imported unless the setting is set).

Settings: those listed in :mod:`crawler.distributed`. Refuses JOBDIR (the Redis frontier is the job
state) and REPLAY_WARC (a replay touches no server: run it on one machine).
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES

URL_SETTING = "NEWSARCHIVE_REDIS_URL"
COMPONENTS = {
    "SCHEDULER": "crawler.distributed.scheduler.LeasedScheduler",
    "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.SharedDupeFilter",
    "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.LeasedQueue",
}
HANDLER = "crawler.distributed.politeness.PoliteHTTP11DownloadHandler"
SEED_MIDDLEWARE = "crawler.distributed.seeding.SeedOnce"
COORDINATOR = "crawler.distributed.coordinator.Coordinator"
RECORDS = ("crawler.pipelines.records.RecordsPipeline", "crawler.distributed.records.SharedRecordsPipeline")


class DistributedCrawl:
    def __init__(self, crawler: Crawler, url: str) -> None:
        self.crawler, self.url = crawler, url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedCrawl:
        url = crawler.settings.get(URL_SETTING) or ""
        if not url:
            raise NotConfigured  # single machine: silently off
        from crawler.distributed.cluster import DistributedError

        addon = cls(crawler, url)
        try:
            check_compatible(crawler.settings)
            addon.join()
        except DistributedError as exc:  # one line naming the URL and the fix, not a traceback
            raise SystemExit(f"scrapy crawl {crawler.spidercls.name}: {exc}") from None
        return addon

    def join(self) -> None:
        from crawler.distributed.cluster import Cluster
        from crawler.distributed.recorded import SharedRecorded
        from crawler.extensions.capturestore import CaptureStore

        cluster = Cluster.join(self.crawler, self.url)
        store = CaptureStore.of(self.crawler)
        recorded = SharedRecorded(cluster, store.archive_dir)
        store.join_distributed(cluster.crawl_id, cluster.worker_id, recorded)

    def update_settings(self, settings: Any) -> None:
        # over the project's own choices too (settings.py may name a JOBDIR-resumable scheduler)
        for name, value in {**COMPONENTS, "SCHEDULER_PERSIST": True}.items():
            priority = max(SETTINGS_PRIORITIES["addon"], settings.getpriority(name) or 0)
            settings.set(name, value, priority=priority)
        for scheme in ("http", "https"):
            settings["DOWNLOAD_HANDLERS"][scheme] = HANDLER
        settings["SPIDER_MIDDLEWARES"][SEED_MIDDLEWARE] = 10
        settings["EXTENSIONS"][COORDINATOR] = 150
        pipelines = settings["ITEM_PIPELINES"]
        old, new = RECORDS
        order = pipelines.get(old)
        if order is not None:
            pipelines[old] = None
            pipelines[new] = order


def check_compatible(settings: Any) -> None:
    """Settings that make no sense with a shared frontier, and a missing scrapy-redis, stop the crawl."""
    from crawler.distributed.cluster import DistributedError

    if settings.get("JOBDIR"):
        raise DistributedError(f"JOBDIR={settings.get('JOBDIR')} and {URL_SETTING} are both set: in a "
                               "distributed crawl the Redis frontier is the job state (resume = start the "
                               "workers again); drop -s JOBDIR")
    if settings.get("REPLAY_WARC"):
        raise DistributedError(f"REPLAY_WARC and {URL_SETTING} are both set: a replay touches no server, "
                               "run it on one machine without NEWSARCHIVE_REDIS_URL")
    try:
        import scrapy_redis  # noqa: F401
    except ImportError:
        raise DistributedError(f"{URL_SETTING} is set but scrapy-redis is not installed; "
                               "run `pip install '.[distributed]'` (or `bash scripts/setup.sh`)") from None
