"""The config-driven portal spider: column list pages -> article pages, nothing else.

Arguments: ``-a base_url=http://host:port/`` (serve the config from another base, e.g. a test server),
``-a since=YYYY-MM-DD`` / ``-a until=YYYY-MM-DD`` (date window; paging stops once a list page only
shows articles older than ``since``), ``-a mode=revisit`` (see below) with ``-a due=all`` (every
archived article, not only those the schedule says are due).

Revisit (``-a mode=revisit``): the site's archived articles that are due by its ``[revisit]`` policy
(crawler.revisit; at most ``max_per_run``, most overdue first) are requested again — conditionally, with
the validators of their last capture (crawler.middlewares.conditional) — and then, unless
``[revisit] discover = false``, the start pages as in a crawl, for new articles. An unchanged page (a
304, or the same payload) becomes a revisit record in the WARC (crawler.middlewares.warc) and no record;
a changed one is cleaned and recorded as usual; a 404, a redirect or a placeholder page is archived as
received, and ``newsarchive index`` classifies them all (newsarchive.history). Every crawl of a site
with archived articles — a revisit or not — first requests one URL of the site that cannot exist
(newsarchive.gone.probe_url), so that the history can tell the site's "not found" page from an article
(setting NOT_FOUND_PROBE_ENABLED). A plain crawl that meets archived articles sends the same
conditional requests. The setting SITE_BASE_URL works like ``-a base_url``. Under replay
(REPLAY_WARC) without a base_url the spider starts where the WARC files captured its start pages.

Every fetch ends in an item or a named, counted drop reason (stats ``newsarchive/drop/<reason>``):
http-<status>, timeout, redirect-loop, maxsize, robots, robots-unreachable, offsite, connection-refused,
dns, not-html, list-page-limit, url-too-long, not-in-replay, download-error. Skips that are not failures
are counted under ``newsarchive/skip/<reason>`` (already-recorded, older-than-since, newer-than-until,
excluded). Start pages and handled pages are counted for crawler.extensions.outcome, which decides
whether the crawl failed.

Duplicates are stopped by the spider's own in-memory sets of list pages and articles, and requests carry
``dont_filter``: Scrapy's dupefilter would silently swallow the far end of a redirect loop, and on resume
it would swallow requests that were popped from the JOBDIR disk queue but never finished at SIGKILL.
Exactly-once across kill and resume: articles already in this crawl's JSONL segments are skipped, list
pages are fetched again, and the records pipeline refuses a second record for the same URL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.extensions.capturestore import CaptureStore
from crawler.extensions.fetchhistory import FetchHistory
from crawler.items import PageItem
from crawler.links import Link, ListPage, all_older, read_list_page
from crawler.middlewares.replay import ReplayIndex
from crawler.pipelines.clean import CleanPipeline
from crawler.revisit import due_urls
from crawler.siteconfig import SiteConfig, SiteConfigError, check_window, parse_day, rebase
from newsarchive.gone import probe_url
from normalize.decoding import charset_from_content_type

log = logging.getLogger(__name__)

LIST_PRIORITY = 10
USER_AGENT_NAME = "cn-gov-news-archive/0.1"
HTML_TYPES = (b"text/html", b"application/xhtml", b"text/xml", b"application/xml", b"text/plain")
BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!")
MODES = ("crawl", "revisit")
DUE = ("schedule", "all")
HOME_NAMES = ("", "index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "default.htm",
              "default.html", "default.aspx")


class PortalSpider(scrapy.Spider):
    site: ClassVar[SiteConfig]

    def __init__(self, *args: Any, base_url: str | None = None, since: str | None = None,
                 until: str | None = None, mode: str = "crawl", due: str = "schedule", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._args = {"base_url": base_url, "since": since, "until": until}
        self.mode, self.due = mode, due
        self.seen_lists: set[str] = set()
        self.seen_articles: set[str] = set()

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """Replaying from WARC touches no server: no politeness delays then. A contact given with
        ``-s NEWSARCHIVE_CONTACT=...`` goes into the User-Agent (unless USER_AGENT is set as well)."""
        super().update_settings(settings)
        contact = settings.get("NEWSARCHIVE_CONTACT")
        if contact and (settings.getpriority("NEWSARCHIVE_CONTACT") or 0) > (
                settings.getpriority("USER_AGENT") or 0):  # the operator's contact into the User-Agent
            settings.set("USER_AGENT", f"{USER_AGENT_NAME} (research archive of government news; +{contact})",
                         priority="spider")
        if settings.get("REPLAY_WARC"):
            for name, value in (("AUTOTHROTTLE_ENABLED", False), ("DOWNLOAD_DELAY", 0),
                                ("CRAWL_DELAY_ENABLED", False), ("CONCURRENT_REQUESTS_PER_DOMAIN", 8)):
                settings.set(name, value, priority="spider")

    @classmethod
    def check_arguments(cls, base_url: str | None = None, since: str | None = None, until: str | None = None,
                        mode: str = "crawl", due: str = "schedule", **kwargs: Any) -> None:
        """Raise SiteConfigError (one line: the argument and the fix) for bad ``-a`` values."""
        if mode not in MODES:
            raise SiteConfigError(f"-a mode={mode}: write -a mode=revisit (or leave it out for a crawl)")
        if due not in DUE:
            raise SiteConfigError(f"-a due={due}: write -a due=all (every archived article) or leave it out "
                                  "(those the site's [revisit] schedule says are due)")
        if base_url:
            rebase(cls.site, base_url)
        check_window(parse_day(since, "-a since") or cls.site.since,
                     parse_day(until, "-a until") or cls.site.until, "-a since/until")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler)
        return spider

    def configure(self, crawler: Crawler) -> None:
        cfg = self.site
        self.explicit_base = self._args["base_url"] or crawler.settings.get("SITE_BASE_URL")
        try:
            self.cfg = rebase(cfg, self.explicit_base) if self.explicit_base else cfg
            self.since = parse_day(self._args["since"], "-a since") or cfg.since
            self.until = parse_day(self._args["until"], "-a until") or cfg.until
            check_window(self.since, self.until, "-a since/until")
        except SiteConfigError as exc:
            raise ValueError(str(exc)) from None
        self.allowed_domains = list(self.cfg.allowed_domains)
        self.store = CaptureStore.of(crawler)
        self.url_limit = crawler.settings.getint("URLLENGTH_LIMIT")

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"newsarchive/{key}")

    # -- requests -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        self.follow_replay_origin()
        history = FetchHistory.of(self.crawler)
        articles = [k for k in history.known.values() if k.article and self.on_site(k.url)] if history else []
        if articles and self.crawler.settings.getbool("NOT_FOUND_PROBE_ENABLED") and not self.replaying:
            probe = self.probe_request(max(articles, key=lambda k: (k.last_date, k.url)).url)
            if history is not None and not history.captured_now(probe.url):  # (a resumed crawl probed)
                yield probe
        if self.mode == "revisit":
            for revisit in self.revisit_requests(articles):
                yield revisit
            if not self.cfg.revisit.discover:
                return
        for url in self.cfg.start_pages:
            request = self.list_request(url, 0)
            if request is not None:
                request.meta["newsarchive_start"] = True
                self.count("start_pages/requested")
                yield request

    @property
    def replaying(self) -> bool:
        return bool(self.crawler.settings.get("REPLAY_WARC"))

    def revisit_requests(self, articles: list[Any]) -> Iterator[scrapy.Request]:
        """The due articles (crawler.revisit), most overdue first; those this crawl already captured
        (before a resume) are not fetched again."""
        from datetime import UTC, datetime

        self.crawler.stats.set_value("newsarchive/revisit/archived", len(articles))
        due = due_urls(articles, self.cfg.revisit, datetime.now(UTC), everything=self.due == "all",
                       skip_crawl=self.store.crawl_id)
        self.crawler.stats.set_value("newsarchive/revisit/due", len(due))
        if not articles:
            log.warning("revisit: the archive holds no article of %s yet (%s); crawl it first with "
                        "`scrapy crawl %s`", self.name, self.store.archive_dir / "captures" / self.name,
                        self.name)
        log.info("revisit: %d of %d archived articles due%s", len(due), len(articles),
                 " (-a due=all)" if self.due == "all" else "")
        for item in due:
            self.seen_articles.add(item.url)
            yield scrapy.Request(item.url, callback=self.parse_article, errback=self.on_error,
                                 dont_filter=True,
                                 meta={"newsarchive_kind": "article", "newsarchive_due": item.reason})

    def probe_request(self, article_url: str) -> scrapy.Request:
        """One URL of the site that cannot exist: its answer is the site's "not found" page."""
        url = probe_url(article_url, self.store.crawl_id)
        return scrapy.Request(url, callback=self.parse_probe, errback=self.probe_failed, dont_filter=True,
                              meta={"newsarchive_kind": "probe", "handle_httpstatus_all": True,
                                    "dont_retry": True})

    def parse_probe(self, response: Response) -> None:
        self.count(f"probe/http-{response.status}")
        log.info("not-found probe %s: HTTP %d%s", response.request.url if response.request else response.url,
                 response.status, "" if response.status in (404, 410) else " (the site has a soft 404)")

    def probe_failed(self, failure: Failure) -> None:
        self.count(f"probe/{drop_reason(failure)}")

    def follow_replay_origin(self) -> None:
        """Under replay, start where the WARC files captured the start pages (their recorded URLs, so
        records keep the ids they had), unless a base_url was given."""
        index = ReplayIndex.of(self.crawler)
        if index is None or self.explicit_base:
            return
        origin = index.origin_for(self.cfg.start_pages)
        if origin and not self.cfg.on_site(origin):
            log.info("replay: the start pages were captured at %s; replaying from there", origin)
            self.cfg = rebase(self.cfg, origin)
            self.allowed_domains = list(self.cfg.allowed_domains)

    def list_request(self, url: str, page: int) -> scrapy.Request | None:
        if url in self.seen_lists or self.too_long(url):
            return None
        if page > self.cfg.max_pages:
            self.count("drop/list-page-limit")
            log.info("not following %s: more than [links] max_pages = %d list pages deep",
                     url, self.cfg.max_pages)
            return None
        self.seen_lists.add(url)
        # list pages first: paging is a chain (page n+1 is found on page n), articles are not
        return scrapy.Request(url, callback=self.parse_list, errback=self.on_error, dont_filter=True,
                              priority=LIST_PRIORITY, meta={"newsarchive_kind": "list", "list_page": page})

    def article_request(self, link: Link) -> scrapy.Request | None:
        skip = self.skip_reason(link)
        if skip:
            self.count(f"skip/{skip}")
            return None
        if link.url in self.seen_articles or self.too_long(link.url):
            return None
        self.seen_articles.add(link.url)
        return scrapy.Request(link.url, callback=self.parse_article, errback=self.on_error,
                              dont_filter=True,
                              meta={"newsarchive_kind": "article",
                                    "list_date": link.date.isoformat() if link.date else None})

    def too_long(self, url: str) -> bool:
        """URLs over URLLENGTH_LIMIT are dropped by name (Scrapy's own filter would drop them silently)."""
        if not self.url_limit or len(url) <= self.url_limit:
            return False
        self.count("drop/url-too-long")
        log.info("dropped %s...: url-too-long (%d characters > URLLENGTH_LIMIT = %d)", url[:120], len(url),
                 self.url_limit)
        return True

    def skip_reason(self, link: Link) -> str | None:
        if link.url in self.store.recorded:
            return "already-recorded"
        history = FetchHistory.of(self.crawler)
        if link.url not in self.seen_articles and history is not None and history.captured_now(link.url):
            return "already-captured"  # a revisit this crawl made before it was resumed
        if self.cfg.exclude_pattern is not None and self.cfg.exclude_pattern.search(link.url):
            return "excluded"
        if self.since and link.date and link.date < self.since:
            return "older-than-since"
        if self.until and link.date and link.date > self.until:
            return "newer-than-until"
        return None

    # -- callbacks ------------------------------------------------------------------------------
    def handled(self, response: Response) -> None:
        self.count("pages_ok")
        if response.meta.get("newsarchive_start"):
            self.count("start_pages/ok")

    def parse_list(self, response: Response) -> Iterator[scrapy.Request] | AsyncIterator[scrapy.Request]:
        """The list page's articles and next pages: read in the clean workers when they run (decoding and
        link extraction are CPU work the crawler process does not need to do), else here."""
        self.handled(response)
        self.count("list_pages")
        pool = CleanPipeline.running(self.crawler)
        if pool is None:
            return self.follow_list(response, self.read_list(response))
        return self.parse_list_in_pool(response, pool)

    async def parse_list_in_pool(self, response: Response, pool: CleanPipeline
                                 ) -> AsyncIterator[scrapy.Request]:
        result = await pool.read_list(response.body, response.url, header_charset(response),
                                      self.cfg.encoding, self.list_options())
        if result["ok"]:
            page: ListPage = result["page"]
        elif result["reason"] == "undecodable":  # normalize's decoder refused it: Scrapy's decoding
            page = read_list_page(scrapy_text(response), response.url, **self.list_options())
        else:  # it hung or killed a worker: not parsed again here, where nothing bounds it
            self.count(f"list/{result['reason']}")
            log.warning("%s: list page not read (%s): %s; its raw capture is in the WARC", response.url,
                        result["reason"], result.get("message", ""))
            return
        for request in self.follow_list(response, page):
            yield request

    def list_options(self) -> dict[str, Any]:
        """The site's link rules, as crawler.links.read_list_page takes them."""
        return {"pattern": self.cfg.article_pattern, "article_css": self.cfg.selectors.get("article_links"),
                "next_css": self.cfg.selectors.get("next_page"), "columns": self.cfg.columns_pattern}

    def read_list(self, response: Response) -> ListPage:
        return read_list_page(self.page_text(response), response.url, **self.list_options())

    def follow_list(self, response: Response, page: ListPage) -> Iterator[scrapy.Request]:
        links = [link for link in page.articles if self.on_site(link.url)]
        if not links:
            self.count("list/no-article-links")
            log.warning("%s: no article links found; add [links] article or [selectors] article_links "
                        "to %s", response.url, self.cfg.path)
        for link in links:
            request = self.article_request(link)
            if request is not None:
                yield request
        if self.since and all_older(links, self.since):
            self.count("list/stopped-by-since")
            return
        number = int(response.meta.get("list_page", 0))
        for url in page.pages:
            request = self.list_request(url, number + 1) if self.on_site(url) else None
            if request is not None:
                yield request

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        self.handled(response)
        url = response.meta.get("newsarchive_target_uri") or response.url  # replay: the captured URL
        revisit = response.meta.get("newsarchive_revisit")
        if revisit or response.status == 304:  # unchanged: a revisit record in the WARC, no record
            self.count(f"revisit/unchanged/{revisit or 'not-modified'}")
            return
        if response.meta.get("redirect_urls") and self.is_list_page(url):
            self.count("drop/redirected-to-list")
            log.info("%s redirects to %s, a list or home page: kept in WARC only",
                     response.meta["redirect_urls"][0], url)
            return
        if url in self.store.recorded:  # a duplicate in flight while the first was written
            self.count("skip/already-recorded")
            return
        if not looks_like_html(response):
            self.count("drop/not-html")
            log.info("%s: not an HTML page (%s); kept in WARC only", url,
                     (response.headers.get(b"Content-Type") or b"?").decode("latin-1"))
            return
        yield PageItem(
            url=url,
            site=self.name,
            body=response.body,
            status=response.status,
            http_charset=header_charset(response),
            encoding_override=self.cfg.encoding,
            capture=dict(response.meta.get("newsarchive_capture") or {}),
            fetched_at=response.meta.get("newsarchive_fetched_at"),
            list_date=response.meta.get("list_date"),
            history_state=self.first_seen(url),
        )

    def first_seen(self, url: str) -> str | None:
        """"new" when the archive holds no article at ``url`` (the state a feed row gets; `newsarchive
        index` classifies the rest, and may find a "new" one was moved)."""
        history = FetchHistory.of(self.crawler)
        return "new" if history is None or history.article(url) is None else None

    def on_error(self, failure: Failure) -> None:
        reason = drop_reason(failure)
        if reason == "already-recorded":  # not a failure: crawler.middlewares.recorded
            self.count(f"skip/{reason}")
            return
        self.count(f"drop/{reason}")
        request = getattr(failure, "request", None)
        url = getattr(request, "url", "?")
        message = " ".join(failure.getErrorMessage().split())[:300]
        if request is not None and request.meta.get("newsarchive_start"):
            self.count("start_pages/failed")
            self.count(f"start_pages/failed/{reason}")
            if not self.crawler.stats.get_value("newsarchive/start_pages/first_failure"):
                self.crawler.stats.set_value("newsarchive/start_pages/first_failure",
                                             f"{url}: {reason} ({message})")
            log.warning("start page %s failed: %s (%s)", url, reason, message)
            return
        log.info("dropped %s: %s (%s)", url, reason, message)

    # -- helpers --------------------------------------------------------------------------------
    def is_list_page(self, url: str) -> bool:
        """The home page, a start page, or a list page of this crawl (where deleted articles redirect)."""
        from urllib.parse import urlsplit

        path = urlsplit(url).path
        home = path.count("/") <= 1 and path.rsplit("/", 1)[-1] in HOME_NAMES
        return home or url in self.cfg.start_pages or url in self.seen_lists

    def on_site(self, url: str) -> bool:
        """Same scheme, host and port as the site (crawler.siteconfig.SiteConfig.on_site)."""
        return self.cfg.on_site(url)

    def page_text(self, response: Response) -> str:
        """List pages decoded like articles (normalize.decoding), so 年/月/日 dates and titles are right."""
        from normalize.decoding import decode

        try:
            return decode(response.body, header_charset(response), override=self.cfg.encoding).text
        except ValueError as exc:  # normalize.errors.DecodeError is a ValueError
            log.info("%s: %s; using Scrapy's decoding for link extraction", response.url, exc)
        return scrapy_text(response)


def scrapy_text(response: Response) -> str:
    """The page as Scrapy decodes it (the fallback when normalize's decoder refuses a list page)."""
    if isinstance(response, TextResponse):
        return response.text
    return response.body.decode("utf-8", "replace")


def header_charset(response: Response) -> str | None:
    """The charset parameter of the Content-Type header (not the meta tag), lower-cased: parsed by
    ``normalize.decoding.charset_from_content_type``, the parser ``decode`` itself uses."""
    value = response.headers.get(b"Content-Type") or b""
    return charset_from_content_type(value.decode("latin-1"))


def looks_like_html(response: Response) -> bool:
    """False for binary bodies (whatever the header says) and for non-text content types."""
    head = response.body[:1024].lstrip()
    if head.startswith(BINARY_MAGIC) or b"\x00" in head:
        return False
    ctype = (response.headers.get(b"Content-Type") or b"text/html").split(b";")[0].strip().lower()
    return ctype.startswith(HTML_TYPES)


def drop_reason(failure: Failure) -> str:
    """A short kebab-case reason for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http-{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        return _ignore_reason(str(exc))
    name = type(exc).__name__
    if isinstance(exc, TimeoutError | TCPTimedOutError) or name == "DownloadTimeoutError":
        return "timeout"
    if name == "DownloadCancelledError" and "max" in str(exc).lower():
        return "maxsize"
    if isinstance(exc, ConnectionRefusedError) or name == "DownloadConnectionRefusedError":
        return "connection-refused"
    if isinstance(exc, DNSLookupError) or name == "CannotResolveHostError":
        return "dns"
    if name == "ResponseDataLossError":
        return "data-loss"
    if name in ("ConnectionLost", "ResponseNeverReceived", "DownloadFailedError"):
        return "connection-lost"
    return "download-error"


def _ignore_reason(message: str) -> str:
    """Our own IgnoreRequests start with their reason (``offsite: ...``); Scrapy's are recognised by text.

    >>> _ignore_reason("Forbidden by robots.txt"), _ignore_reason("max redirections reached")
    ('robots', 'redirect-loop')
    >>> _ignore_reason("offsite: http://a.cn/redirect/x.html is not on 127.0.0.1")
    'offsite'
    """
    head = message.split(":", 1)[0]
    if ":" in message and re.fullmatch(r"[a-z]+(?:-[a-z]+)*", head):
        return head
    text = message.lower()
    if "robots" in text:
        return "robots"
    if "redirect" in text:
        return "redirect-loop"
    return "ignored"
