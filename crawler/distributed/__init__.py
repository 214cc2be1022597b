"""Distributed crawling: N ``scrapy crawl NAME`` processes (workers), on any machines, share one frontier
in Redis through scrapy-redis. Off unless ``NEWSARCHIVE_REDIS_URL`` is set; then the add-on
:class:`crawler.distributed.addon.DistributedCrawl` (listed in ``ADDONS``) plugs in:

- ``scheduler.LeasedScheduler`` (scrapy-redis ``Scheduler``) with ``queue.LeasedQueue`` (scrapy-redis
  ``PriorityQueue``) and ``dupefilter.SharedDupeFilter`` (scrapy-redis ``RFPDupeFilter``): each request is
  queued once per crawl and fetched by one worker; a popped request is *leased* to its worker (see
  ``leases``) and requeued when that worker stops renewing its lease (SIGKILL, power loss);
- ``seeding.SeedOnce`` (spider middleware ``process_start``): the spider's async ``start()`` seeds the
  shared frontier once per crawl, from the worker that wins a Redis ``HSETNX``;
- ``politeness.PoliteHTTP11DownloadHandler``: per-domain delay (DOWNLOAD_DELAY, robots.txt Crawl-delay,
  AutoThrottle) and per-domain concurrency held across all workers together;
- ``records.SharedRecordsPipeline`` + ``recorded.SharedRecorded``: "already recorded" shared in Redis, with
  a claim per article so a page fetched twice (after a requeue) is recorded once;
- ``coordinator.Coordinator``: worker heartbeat, lease acknowledgement, requeue of dead workers' requests,
  and the end of the crawl (a worker stops only when the whole crawl is done).

Each worker writes its own WARC/JSONL segments, ``<crawl-id>-<worker-id>-NNNNN.warc.gz``; all workers'
segments together are one crawl (``newsarchive index`` reads them as one archive).

Settings (all ``-s NAME=VALUE``; defaults in crawler/settings.py):
    NEWSARCHIVE_REDIS_URL            redis://host:port/db of the shared Redis; empty = single machine
    NEWSARCHIVE_WORKER_ID            this worker's name in segment names and Redis (default host-pid)
    NEWSARCHIVE_REDIS_LEASE          seconds a worker's lease lasts without a heartbeat (default 30)
    NEWSARCHIVE_REDIS_RETRY_SECONDS  how long to wait for Redis to come back after a connection error
                                     before the worker stops, resumably (default 30)
    NEWSARCHIVE_REDIS_IDLE_POLL      seconds between looks at the shared frontier while idle (default 0.5)
    NEWSARCHIVE_CRAWL_ID             as in single-machine mode; here it names the shared crawl
"""
