"""Scrapy settings of the archive crawler: polite by default, every response kept in WARC.

Project settings (all overridable with ``-s NAME=VALUE``):
    NEWSARCHIVE_CONTACT         how a webmaster reaches the operator; goes into the User-Agent. Set it.
    NEWSARCHIVE_ARCHIVE_DIR     archive root (default ``archive``); captures go to captures/<site>/
    NEWSARCHIVE_CRAWL_ID        crawl id (default: UTC start time; kept in JOBDIR so a resume continues it)
    NEWSARCHIVE_WARC_MAX_SIZE   rotate WARC segments at this many bytes (default 100 MB)
    NEWSARCHIVE_FSYNC_INTERVAL  seconds between fsyncs of WARC/JSONL (default 2; 0 = each write; -1 = close)
    CRAWL_DELAY_ENABLED         honour robots.txt Crawl-delay (default True)
    CLEAN_WORKERS               processes running normalize.clean (default 2; 0 = in the reactor thread)
    REPLAY_WARC                 serve responses from these WARC files instead of the network
    NEWSARCHIVE_STATS_FILE      write the final crawl stats to this JSON file
    RETRY_BACKOFF_BASE / RETRY_BACKOFF_MAX   retry n waits BASE * 2**(n-1) seconds, at most MAX
    SITE_BASE_URL               like ``-a base_url=...``: serve the site config from another base URL
    NEWSARCHIVE_REDIS_URL       redis://host:port/db: one worker of a distributed crawl (crawler.distributed)
"""

from __future__ import annotations

BOT_NAME = "cn-gov-news-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

NEWSARCHIVE_CONTACT = "https://github.com/ (set NEWSARCHIVE_CONTACT to your e-mail or project page)"
USER_AGENT = f"cn-gov-news-archive/0.1 (research archive of government news; +{NEWSARCHIVE_CONTACT})"
ROBOTSTXT_USER_AGENT = "cn-gov-news-archive"

# Politeness
ROBOTSTXT_OBEY = True
CRAWL_DELAY_ENABLED = True
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
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 0  # list pages are bounded by each site's [links] max_pages instead

# Scrapy runs CONCURRENT_ITEMS asyncio tasks per response (default 100); an article page yields one item
# and a list page a few dozen requests, so 16 is plenty and saves ~100 task creations per page.
CONCURRENT_ITEMS = 16
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.onsite.OnSiteMiddleware": 40,
    "crawler.middlewares.recorded.SkipRecordedMiddleware": 50,
    "crawler.middlewares.backoff.BackoffRetryMiddleware": 550,
    "crawler.middlewares.warc.WarcCaptureMiddleware": 950,
    "crawler.middlewares.replay.ReplayMiddleware": 960,
}
ITEM_PIPELINES = {
    "crawler.pipelines.clean.CleanPipeline": 300,
    "crawler.pipelines.records.RecordsPipeline": 800,
}
# Distributed crawl (crawler/distributed): off unless NEWSARCHIVE_REDIS_URL is set.
ADDONS = {"crawler.distributed.addon.DistributedCrawl": 0}
NEWSARCHIVE_REDIS_URL = ""

EXTENSIONS = {
    "crawler.extensions.capturestore.CaptureStore": 100,
    "crawler.extensions.crawldelay.CrawlDelay": 500,
    "crawler.extensions.statsfile.StatsFile": 900,
}

NEWSARCHIVE_ARCHIVE_DIR = "archive"
NEWSARCHIVE_CRAWL_ID = ""
NEWSARCHIVE_WARC_MAX_SIZE = 100 * 1024 * 1024
NEWSARCHIVE_FSYNC_INTERVAL = 2.0
CLEAN_WORKERS = 2
REPLAY_WARC = ""
NEWSARCHIVE_STATS_FILE = ""
SITE_BASE_URL = ""
