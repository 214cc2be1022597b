"""Scrapy settings of the archive crawler: polite by default, every response kept in WARC.

The defaults of the project's own components live here, and only here (each component's module docstring
lists its settings). All are overridable with ``-s NAME=VALUE``:

    NEWSARCHIVE_CONTACT         how a webmaster reaches the operator; goes into the User-Agent. Set it
                                (crawler.extensions.contact warns at start while it is a placeholder)
    NEWSARCHIVE_ARCHIVE_DIR     archive root (default ``archive``); captures go to captures/<site>/
    NEWSARCHIVE_CRAWL_ID        crawl id (default: UTC start time; kept in JOBDIR so a resume continues it)
    NEWSARCHIVE_WARC_MAX_SIZE   rotate WARC segments at this many bytes (default 100 MB)
    NEWSARCHIVE_FSYNC_INTERVAL  seconds between fsyncs of WARC/JSONL (default 2; 0 = each write; -1 = close)
    NEWSARCHIVE_STATS_FILE      write the final crawl stats to this JSON file
    NEWSARCHIVE_SITES_DIRS      extra folders of site configs (also env NEWSARCHIVE_EXTRA_SITES)
    CRAWL_DELAY_ENABLED / CRAWL_DELAY_MAX   honour robots.txt Crawl-delay, capped (default True, 60 s)
    ROBOTS_RETRY_TIMES / ROBOTS_RETRY_DELAY / ROBOTS_REDIRECT_MAX   RFC 9309 robots.txt handling
    RETRY_BACKOFF_BASE / RETRY_BACKOFF_MAX   retry n waits BASE * 2**(n-1) seconds, at most MAX
    RETRY_AFTER_MAX             cap on a server's Retry-After (503/429), seconds (default 600)
    RETRY_UNREACHABLE_TIMES     retries of a connection error on a host that never answered (default 1)
    CLEAN_WORKERS               processes running normalize.clean (default 2; 0 = in the reactor thread)
    CLEAN_TIMEOUT               seconds per page before its clean worker is killed (default 120)
    CLEAN_MAX_HTML_CHARS        larger HTML pages are dropped as too-large, raw capture kept (default 0 =
                                normalize.pipeline.MAX_HTML_CHARS, 2M characters)
    REPLAY_WARC                 serve responses from these WARC files instead of the network
    FETCH_HISTORY_ENABLED       read what the archive holds of the site: conditional requests, revisit
                                records for unchanged pages, `-a mode=revisit` (default True)
    CONDITIONAL_REQUESTS_ENABLED  If-None-Match / If-Modified-Since for archived articles (default True)
    NOT_FOUND_PROBE_ENABLED     request one URL that cannot exist when the site has archived articles, to
                                learn its "not found" page (default True)
    DROP_PLACEHOLDERS_ENABLED   no record for a page that only says the article is gone (default True)
    SITE_BASE_URL               like ``-a base_url=...``: serve the site config from another base URL
    OUTCOME_ENABLED             decide whether the crawl failed and set the exit status (default True)
    LOG_RECORDS_FLOOR_ENABLED   build log records only at levels a log handler shows (default True)
    NEWSARCHIVE_REDIS_URL       redis://host:port/db: one worker of a distributed crawl (crawler.distributed);
                                with NEWSARCHIVE_WORKER_ID, NEWSARCHIVE_REDIS_LEASE (30 s), ..._RETRY_SECONDS
                                (30 s), ..._IDLE_POLL (0.5 s): see crawler/distributed/__init__.py
"""

from __future__ import annotations

BOT_NAME = "cn-gov-news-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
SPIDER_LOADER_CLASS = "crawler.spiderloader.SiteSpiderLoader"  # one spider per crawler/sites/*.toml
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` with exit statuses, `scrapy checksite`

PLACEHOLDER_CONTACT = "https://github.com/ (set NEWSARCHIVE_CONTACT to your e-mail or project page)"
NEWSARCHIVE_CONTACT = PLACEHOLDER_CONTACT
USER_AGENT = f"cn-gov-news-archive/0.1 (research archive of government news; +{NEWSARCHIVE_CONTACT})"
ROBOTSTXT_USER_AGENT = "cn-gov-news-archive"

# Politeness
ROBOTSTXT_OBEY = True
ROBOTS_RETRY_TIMES = 3  # robots.txt 5xx / timeout / redirect loop: fetch nothing, ask again this often ...
ROBOTS_RETRY_DELAY = 30.0  # ... after 30 s, 60 s, 120 s (then the site's pages are dropped)
ROBOTS_REDIRECT_MAX = 5  # RFC 9309: follow at least five redirects for robots.txt
ROBOTS_CACHE_SECONDS = 86400.0  # RFC 9309: use a fetched robots.txt for at most 24 hours
CRAWL_DELAY_ENABLED = True
CRAWL_DELAY_MAX = 60.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # the drop is counted under newsarchive/drop/<reason>
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
RETRY_AFTER_MAX = 600.0
RETRY_UNREACHABLE_TIMES = 1
REDIRECT_MAX_TIMES = 10
URLLENGTH_LIMIT = 2083  # longer links are dropped as newsarchive/drop/url-too-long by the spider
# Only content codings that standard WARC tools decode (warcio check / pywb): a br or zstd body in a WARC
# fails `warcio check`. HttpCompressionMiddleware keeps a header that is already set.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}

# Scrapy starts CONCURRENT_ITEMS + 1 asyncio tasks (and a queue) for every response (default 100). An
# article page yields one item and a list page a few dozen requests that only need scheduling, so one at a
# time loses nothing; pages are still cleaned concurrently (one task per response).
CONCURRENT_ITEMS = 1
COOKIES_ENABLED = False
STATS_CLASS = "crawler.stats.CrawlStatsCollector"  # Scrapy's, minus a shim on every stats call
# Scrapy parses a callback's source (inspect + ast) on every call to warn about `return value` in a
# generator: the spider's callbacks are bound methods, which its cache never keeps.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"

# Pause / resume (JOBDIR): crash-safe queues (crawler.diskqueue) under a scheduler whose state survives a
# SIGKILL (crawler.scheduler). A site may span several hosts (departments' sites): per-host queues let the
# hosts take turns, so one host's Crawl-delay does not fill the downloader and stall the others.
SCHEDULER = "crawler.scheduler.ResumableScheduler"
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
SCHEDULER_DISK_QUEUE = "crawler.diskqueue.LifoSQLiteQueue"
SCHEDULER_START_DISK_QUEUE = "crawler.diskqueue.FifoSQLiteQueue"

# Scrapy's feeds (-o / -O / FEEDS) export one row per article, as `newsarchive export` (crawler.feeds)
FEED_EXPORTERS = {
    "json": "crawler.feeds.JsonArticlesExporter",
    "jsonlines": "crawler.feeds.JsonLinesArticlesExporter",
    "jsonl": "crawler.feeds.JsonLinesArticlesExporter",
    "jl": "crawler.feeds.JsonLinesArticlesExporter",
    "csv": "crawler.feeds.CsvArticlesExporter",
    "xml": "crawler.feeds.XmlArticlesExporter",
    "marshal": "crawler.feeds.MarshalArticlesExporter",
    "pickle": "crawler.feeds.PickleArticlesExporter",
}

# Components off because the project's own do their job (each one costs every request or every spider
# output a call): OnSiteMiddleware is stricter than OffsiteMiddleware (scheme, host and port, redirects
# included), the spider drops over-long URLs by name (UrlLength drops them silently) and bounds list
# paging itself ([links] max_pages; no depth limit), no crawl needs HTTP auth, and the spider never copies
# response.meta into requests (what MetaCopyDetection warns about). Scrapy's MetaRefreshMiddleware is
# replaced by crawler.middlewares.metarefresh (the same, without decoding pages that hold no refresh).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.metarefresh.CheapMetaRefreshMiddleware": 580,  # Scrapy's, decoding only when needed
    "crawler.middlewares.onsite.OnSiteMiddleware": 40,
    "crawler.middlewares.recorded.SkipRecordedMiddleware": 50,
    "crawler.middlewares.conditional.ConditionalRequestMiddleware": 60,
    "crawler.middlewares.robots.RobotsPolicyMiddleware": 100,
    "crawler.middlewares.backoff.BackoffRetryMiddleware": 550,
    "crawler.middlewares.warc.WarcCaptureMiddleware": 950,
    "crawler.middlewares.replay.ReplayMiddleware": 960,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
ITEM_PIPELINES = {
    "crawler.pipelines.clean.CleanPipeline": 300,
    "crawler.pipelines.placeholder.PlaceholderPipeline": 700,
    "crawler.pipelines.records.RecordsPipeline": 800,
}
# Distributed crawl (crawler/distributed): off unless NEWSARCHIVE_REDIS_URL is set.
ADDONS = {"crawler.distributed.addon.DistributedCrawl": 0}
NEWSARCHIVE_REDIS_URL = ""
NEWSARCHIVE_WORKER_ID = ""  # default <host>-<pid>
NEWSARCHIVE_REDIS_LEASE = 30.0
NEWSARCHIVE_REDIS_RETRY_SECONDS = 30.0
NEWSARCHIVE_REDIS_IDLE_POLL = 0.5

EXTENSIONS = {
    "scrapy.extensions.spiderstate.SpiderState": None,  # unused; a torn spider.state would stop resumes
    "crawler.extensions.capturestore.CaptureStore": 100,
    "crawler.extensions.contact.ContactCheck": 200,
    "crawler.extensions.crawldelay.CrawlDelay": 500,
    "crawler.extensions.outcome.CrawlOutcome": 800,
    "crawler.extensions.statsfile.StatsFile": 900,
    "crawler.extensions.loglevel.LogRecordsFloor": 950,
}

NEWSARCHIVE_ARCHIVE_DIR = "archive"
NEWSARCHIVE_CRAWL_ID = ""
NEWSARCHIVE_WARC_MAX_SIZE = 100 * 1024 * 1024
NEWSARCHIVE_FSYNC_INTERVAL = 2.0
NEWSARCHIVE_STATS_FILE = ""
NEWSARCHIVE_SITES_DIRS: list[str] = []
NEWSARCHIVE_WARC = True
NEWSARCHIVE_RECORDS = True
CLEAN_ENABLED = True
CLEAN_WORKERS = 2
CLEAN_TIMEOUT = 120.0
CLEAN_FUNCTION = "normalize:clean"
CLEAN_MAX_HTML_CHARS = 0  # 0: normalize's own limit (normalize.pipeline.MAX_HTML_CHARS)
ONSITE_ENABLED = True
OUTCOME_ENABLED = True
LOG_RECORDS_FLOOR_ENABLED = True
CONTACT_CHECK_ENABLED = True
REPLAY_WARC = ""
FETCH_HISTORY_ENABLED = True
CONDITIONAL_REQUESTS_ENABLED = True
NOT_FOUND_PROBE_ENABLED = True
DROP_PLACEHOLDERS_ENABLED = True
SITE_BASE_URL = ""
