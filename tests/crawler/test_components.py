"""Scrapy components in isolation: Crawl-delay floor under AutoThrottle, retry backoff, drop reasons,
HTML sniffing, crawl-id persistence in JOBDIR. (The crawler package's doctests are collected by pytest
itself: `crawler` is in testpaths.)"""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from crawler_helpers import project_settings
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import MemoryStatsCollector
from twisted.python.failure import Failure

from crawler.extensions.capturestore import CaptureStore
from crawler.extensions.crawldelay import CrawlDelay
from crawler.middlewares.backoff import BackoffRetryMiddleware
from crawler.spiders.portal import drop_reason, header_charset, looks_like_html

URL = "http://127.0.0.1:8000/content/post_1.html"


def fake_crawler(**settings: Any) -> Any:
    slots: dict[str, Slot] = {}
    downloader = SimpleNamespace(slots=slots, get_slot_key=lambda request: "127.0.0.1")
    crawler = SimpleNamespace(settings=project_settings(USER_AGENT="cn-gov-news-archive", **settings),
                              engine=SimpleNamespace(downloader=downloader), signals=SimpleNamespace(
                                  connect=lambda *a, **k: None))
    crawler.stats = MemoryStatsCollector(crawler)
    return crawler


def test_crawl_delay_sets_and_keeps_the_slot_floor_under_autothrottle() -> None:
    crawler = fake_crawler()
    ext = CrawlDelay.from_crawler(crawler)
    slot = crawler.engine.downloader.slots["127.0.0.1"] = Slot(concurrency=2, delay=0.0, jitter=0)
    robots = ProtegoRobotParser(b"User-agent: *\nCrawl-delay: 3\nDisallow: /private/\n", None)
    ext.robots_parsed(robots, Request(URL))
    assert slot.delay == 3.0
    slot.delay = 0.4  # AutoThrottle lowered it after a fast response
    ext.enforce(Request(URL))
    assert slot.delay == 3.0
    assert crawler.stats.get_value("newsarchive/crawl_delay/127.0.0.1") == 3.0


def test_crawl_delay_holds_under_randomised_waits() -> None:
    """Scrapy waits 0.5x to 1.5x the slot delay (jitter 0.5): the shortest wait is still the
    Crawl-delay."""
    crawler = fake_crawler()
    ext = CrawlDelay.from_crawler(crawler)
    slot = crawler.engine.downloader.slots["127.0.0.1"] = Slot(concurrency=2, delay=0.0, jitter=0.5)
    ext.robots_parsed(ProtegoRobotParser(b"User-agent: *\nCrawl-delay: 2\n", None), Request(URL))
    waits = [slot.download_delay() for _ in range(2000)]
    assert min(waits) >= 2.0
    assert max(waits) <= 6.0


def test_crawl_delay_for_another_agent_is_not_ours() -> None:
    crawler = fake_crawler()
    ext = CrawlDelay.from_crawler(crawler)
    slot = crawler.engine.downloader.slots["127.0.0.1"] = Slot(concurrency=2, delay=0.0, jitter=0)
    ext.robots_parsed(ProtegoRobotParser(b"User-agent: Baiduspider\nCrawl-delay: 9\n", None), Request(URL))
    assert slot.delay == 0.0


def test_crawl_delay_capped_and_switchable() -> None:
    crawler = fake_crawler(CRAWL_DELAY_MAX=1.5)
    ext = CrawlDelay.from_crawler(crawler)
    slot = crawler.engine.downloader.slots["127.0.0.1"] = Slot(concurrency=2, delay=0.0, jitter=0)
    ext.robots_parsed(ProtegoRobotParser(b"User-agent: *\nCrawl-delay: 30\n", None), Request(URL))
    assert slot.delay == 1.5
    with pytest.raises(NotConfigured):
        CrawlDelay.from_crawler(fake_crawler(CRAWL_DELAY_ENABLED=False))


def test_retry_backoff_doubles_and_caps() -> None:
    mw = BackoffRetryMiddleware(project_settings(RETRY_BACKOFF_BASE=0.5, RETRY_BACKOFF_MAX=3))
    waits = [mw.backoff(Request(URL, meta={"retry_times": n})) for n in (1, 2, 3, 4, 5)]
    assert waits == [0.5, 1.0, 2.0, 3, 3]


def failure(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        return Failure()


@pytest.mark.parametrize(("exc", "reason"), [
    (HttpError(Response(URL, status=404), "Ignoring non-200 response"), "http-404"),
    (IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (IgnoreRequest("max redirections reached"), "redirect-loop"),
    (IgnoreRequest("not-in-replay: x is not in the replayed WARC files"), "not-in-replay"),
    (DownloadTimeoutError("Getting x took longer than 1 seconds."), "timeout"),
    (DownloadCancelledError("Cancelling download of x: expected response size larger than download max size"),
     "maxsize"),
    (RuntimeError("something new"), "download-error"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_failed_requests_get_a_named_reason(exc: Exception, reason: str) -> None:
    assert drop_reason(failure(exc)) == reason


@pytest.mark.parametrize(("body", "ctype", "html"), [
    (b"%PDF-1.4\n...", b"text/html", False),
    (b"\x89PNG\r\n\x1a\n", b"text/html", False),
    (b"<html><body>\xd5\xfe\xce\xf1</body></html>", b"text/html; charset=gb2312", True),
    (b"<html></html>", b"application/octet-stream", False),
])
def test_html_sniffing(body: bytes, ctype: bytes, html: bool) -> None:
    response = Response(URL, body=body, headers={"Content-Type": ctype})
    assert looks_like_html(response) is html


def test_header_charset_is_the_header_not_the_meta() -> None:
    headers = {"Content-Type": "text/html; charset=GBK"}
    response = HtmlResponse(URL, body=b'<meta charset="utf-8">', headers=headers)
    assert header_charset(response) == "gbk"  # lower-cased by normalize.decoding.charset_from_content_type
    assert header_charset(HtmlResponse(URL, body=b"", headers={"Content-Type": "text/html"})) is None


def test_crawl_id_is_kept_in_jobdir_for_resume(tmp_path: Path) -> None:
    crawl_id, resuming = CaptureStore._crawl_id("", str(tmp_path / "job"))
    assert not resuming
    assert CaptureStore._crawl_id("", str(tmp_path / "job")) == (crawl_id, True)
    assert CaptureStore._crawl_id("mine", None) == ("mine", False)


# -- the spider on saved list pages (no server) ----------------------------------------------------
def spider_for(tmp_path: Path, toml: str, **kwargs: str) -> Any:
    from scrapy.utils.test import get_crawler

    from crawler.siteconfig import parse_site
    from crawler.spiders.sites import spider_class

    cls = spider_class(parse_site(tomllib.loads(toml)))
    crawler = get_crawler(cls, {"NEWSARCHIVE_ARCHIVE_DIR": str(tmp_path)})
    spider = cls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


def list_response(fixture: str, url: str) -> HtmlResponse:
    body = (Path(__file__).parent / "fixtures" / "lists" / fixture).read_bytes()
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8"},
                        request=Request(url, meta={"list_page": 0}))


SITE = 'name = "example"\nbase_url = "http://www.example.gov.cn/"\nstart_pages = ["/xwzx/gzdt/index.html"]\n'


def test_spider_follows_articles_and_pages_of_a_list(tmp_path: Path) -> None:
    spider = spider_for(tmp_path, SITE)
    out = list(spider.parse_list(list_response("trs-createpagehtml-no-anchor.html",
                                               "http://www.example.gov.cn/xwzx/gzdt/index.html")))
    articles = [r for r in out if r.meta["newsarchive_kind"] == "article"]
    pages = [r for r in out if r.meta["newsarchive_kind"] == "list"]
    assert [r.meta["list_date"] for r in articles] == ["2020-02-20", "2020-02-19", "2020-02-18"]
    assert [r.url for r in pages] == ["http://www.example.gov.cn/xwzx/gzdt/index_1.html"]
    assert pages[0].priority > articles[0].priority and pages[0].meta["list_page"] == 1
    assert all("gov.cn/xinwen" not in r.url for r in out)  # the footer's offsite link


def test_spider_since_skips_old_articles_and_stops_paging(tmp_path: Path) -> None:
    spider = spider_for(tmp_path, SITE, since="2020-01-01")
    out = list(spider.parse_list(list_response("old-articles-chinese-dates.html",
                                               "http://www.example.gov.cn/gzdt/index_2.html")))
    assert out == []
    stats = spider.crawler.stats
    assert stats.get_value("newsarchive/skip/older-than-since") == 2
    assert stats.get_value("newsarchive/list/stopped-by-since") == 1


class FailingListPool:
    """A clean pool whose worker fails on the list page the way ``reason`` says."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def read_list(self, *args: Any) -> dict[str, Any]:
        return {"ok": False, "reason": self.reason, "message": "stand-in", "cpu": 0.0}


@pytest.mark.parametrize(("reason", "followed"), [("undecodable", True), ("normalizer-timeout", False),
                                                  ("normalizer-crashed", False)])
def test_a_list_page_that_failed_in_a_worker_is_read_again_only_when_undecodable(
    tmp_path: Path, reason: str, followed: bool
) -> None:
    """Undecodable by normalize: read with Scrapy's decoding. Hung or killed a worker: counted and not
    parsed again in the crawler process, where nothing bounds it."""
    import asyncio

    spider = spider_for(tmp_path, SITE)
    response = list_response("trs-createpagehtml-no-anchor.html", "http://www.example.gov.cn/xwzx/gzdt/index.html")

    async def collect() -> list[Any]:
        return [r async for r in spider.parse_list_in_pool(response, FailingListPool(reason))]

    out = asyncio.run(collect())
    assert bool(out) is followed
    assert spider.crawler.stats.get_value(f"newsarchive/list/{reason}") == (None if followed else 1)


def test_spider_rejects_a_bad_since_argument(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        spider_for(tmp_path, SITE, since="last week")


def test_contact_goes_into_the_user_agent() -> None:
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.portal import PortalSpider

    settings = get_project_settings()
    assert "cn-gov-news-archive" in settings["USER_AGENT"] and "NEWSARCHIVE_CONTACT" in settings["USER_AGENT"]
    settings.set("NEWSARCHIVE_CONTACT", "archive@example.org", priority="cmdline")
    PortalSpider.update_settings(settings)
    assert settings["USER_AGENT"].endswith("+archive@example.org)")


def test_offsite_redirect_is_refused_even_with_dont_filter(tmp_path: Path) -> None:
    """Off-site means another scheme, host or port: a redirect to another port of the same host too."""
    from crawler.middlewares.onsite import OnSiteMiddleware

    site = SITE.replace('start_pages', 'allowed_domains = ["127.0.0.1", "example.gov.cn"]\nstart_pages')
    spider = spider_for(tmp_path, site.replace("http://www.example.gov.cn/", "http://127.0.0.1:8000/"))
    crawler = fake_crawler()
    crawler.spider = spider
    mw = OnSiteMiddleware.from_crawler(crawler)
    mw.process_request(Request(URL, dont_filter=True))
    mw.process_request(Request("http://www.example.gov.cn:8000/x.html", dont_filter=True))
    for elsewhere in ("http://www.gov.cn/xinwen/a.html", "http://127.0.0.1:8001/content/post_1.html",
                      "https://127.0.0.1:8000/content/post_1.html"):
        with pytest.raises(IgnoreRequest) as err:
            mw.process_request(Request(elsewhere, dont_filter=True, meta={"redirect_times": 1}))
        assert drop_reason(failure(err.value)) == "offsite"


def test_too_long_links_are_a_named_drop(tmp_path: Path) -> None:
    spider = spider_for(tmp_path, SITE)
    from crawler.links import Link

    long_url = "http://www.example.gov.cn/content/post_1.html?q=" + "x" * 3000
    assert spider.article_request(Link(long_url, "t")) is None
    assert spider.crawler.stats.get_value("newsarchive/drop/url-too-long") == 1


def test_retry_after_waits_as_asked_capped_and_counted() -> None:
    crawler = fake_crawler(RETRY_AFTER_MAX=5)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    for asked, waited in (("2", 2.0), ("3600", 5.0), ("soon", 0.0)):
        response = Response(URL, status=503, headers={"Retry-After": asked})
        assert mw.retry_after(Request(URL), response) == waited
    assert crawler.stats.get_value("newsarchive/retry_after/count") == 2
    assert crawler.stats.get_value("newsarchive/retry_after/capped") == 1
    assert mw.retry_after(Request(URL), Response(URL, status=500, headers={"Retry-After": "9"})) == 0.0


def test_a_host_that_never_answered_is_not_retried_for_long() -> None:
    import asyncio

    from scrapy.exceptions import DownloadConnectionRefusedError

    crawler = fake_crawler(RETRY_TIMES=3, RETRY_UNREACHABLE_TIMES=1, RETRY_BACKOFF_BASE=0)
    crawler.spider = SimpleNamespace(name="x", crawler=crawler, settings=crawler.settings)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request(URL)
    retries = 0
    while isinstance(request, Request):
        result = asyncio.run(mw.process_exception(request, DownloadConnectionRefusedError("refused")))
        retries += result is not None
        request = result
    assert retries == 1


# -- JOBDIR state that survives a SIGKILL ----------------------------------------------------------
def queue(tmp_path: Path, name: str = "0") -> Any:
    from crawler.diskqueue import LifoSQLiteQueue

    crawler = SimpleNamespace(spider=spider_for(tmp_path, SITE))
    return LifoSQLiteQueue.from_crawler(crawler, str(tmp_path / "requests.queue" / name))


def test_sqlite_queue_is_lifo_and_reopens_with_its_requests(tmp_path: Path) -> None:
    q = queue(tmp_path)
    for i in range(3):
        q.push(Request(f"{URL}?{i}", callback=q.spider.parse_list))
    assert q.pop().url.endswith("?2") and len(q) == 2
    q.db.close()  # as a SIGKILL leaves it: no close()
    again = queue(tmp_path)
    assert len(again) == 2 and again.pop().url.endswith("?1")
    assert again.pop().callback == again.spider.parse_list


@pytest.mark.parametrize("content", [b"", b"\x00\x01 not a database" * 40], ids=["0-byte", "garbage"])
def test_a_queue_file_left_empty_or_damaged_by_a_crash_does_not_stop_the_crawl(tmp_path: Path,
                                                                               content: bytes) -> None:
    """Scrapy's LifoDiskQueue left a 0-byte file after a SIGKILL; every later run died on it."""
    path = tmp_path / "requests.queue" / "0"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    q = queue(tmp_path)
    q.push(Request(URL))
    assert len(q) == 1 and q.pop().url == URL


def test_scheduler_state_torn_by_a_crash_is_read_from_the_queue_files(tmp_path: Path) -> None:
    from crawler.scheduler import ResumableScheduler

    dqdir = tmp_path / "requests.queue"
    dqdir.mkdir()
    for name in ("-10", "0", "-10s", "0-wal", "0-shm"):
        (dqdir / name).write_bytes(b"")
    (dqdir / "active.json").write_text("[-10, ", encoding="utf-8")  # killed while writing it
    scheduler = ResumableScheduler.__new__(ResumableScheduler)
    assert scheduler._read_dqs_state(str(dqdir)) == [-10, 0]
    scheduler._write_dqs_state(str(dqdir), [-10])
    assert (dqdir / "active.json").read_text(encoding="utf-8") == "[-10]"


def test_per_host_queues_of_a_killed_crawl_are_found_on_disk(tmp_path: Path) -> None:
    """DownloaderAwarePriorityQueue keeps one folder per host; a crawl killed before it wrote active.json
    must still resume every host's queues (and a state naming a host whose folder is gone is harmless)."""
    from scrapy.pqueues import DownloaderAwarePriorityQueue, _path_safe

    from crawler.scheduler import ResumableScheduler

    dqdir = tmp_path / "requests.queue"
    for host, names in {"www.gz.gov.cn": ("0", "-10s"), "wjw.gz.gov.cn": ("-10",)}.items():
        (dqdir / _path_safe(host)).mkdir(parents=True)
        for name in names:
            (dqdir / _path_safe(host) / name).write_bytes(b"")
    (dqdir / "not-a-slot").mkdir()
    scheduler = ResumableScheduler.__new__(ResumableScheduler)
    scheduler.pqclass = DownloaderAwarePriorityQueue
    assert scheduler._read_dqs_state(str(dqdir)) == {"www.gz.gov.cn": [-10, 0], "wjw.gz.gov.cn": [-10]}
    (dqdir / "active.json").write_text('{"www.gz.gov.cn": [0], "old.host": [5]}', encoding="utf-8")
    state = scheduler._read_dqs_state(str(dqdir))
    assert state["www.gz.gov.cn"] == [-10, 0] and state["wjw.gz.gov.cn"] == [-10]


def test_replay_serves_the_body_as_received_and_decompression_still_works(tmp_path: Path) -> None:
    import gzip

    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    from scrapy.utils.test import get_crawler

    from crawler.middlewares.replay import ReplayMiddleware
    from newsarchive.captures import Exchange, WarcSegmentWriter

    html = "<html><body><p>复工复产。</p></body></html>".encode("gbk")
    with WarcSegmentWriter(tmp_path, "sample", "c1", fsync_interval=None) as writer:
        writer.write_exchange(Exchange(url=URL, status=200, body=gzip.compress(html), response_headers=[
            ("Content-Type", "text/html; charset=gbk"), ("Content-Encoding", "gzip")]))
    crawler = get_crawler(settings_dict={"REPLAY_WARC": str(tmp_path / "captures"),
                                         "NEWSARCHIVE_ARCHIVE_DIR": str(tmp_path)})
    replay = ReplayMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:9999/content/post_1.html")  # another port: matched by path
    response = replay.process_request(request)
    assert "replay" in response.flags and response.headers[b"Content-Encoding"] == b"gzip"
    assert request.meta["newsarchive_capture"]["file"] == "captures/sample/c1-00000.warc.gz"
    decoded = HttpCompressionMiddleware.from_crawler(crawler).process_response(request, response)
    assert decoded.body == html
    with pytest.raises(IgnoreRequest, match="not-in-replay"):
        replay.process_request(Request("http://127.0.0.1:9999/content/post_2.html"))


# -- did the crawl work? (crawler.extensions.outcome) ----------------------------------------------
OUTCOME_CASES = [
    ("good", {"newsarchive/start_pages/requested": 2, "newsarchive/start_pages/ok": 2,
              "newsarchive/pages_ok": 9, "newsarchive/list_pages": 2}, "finished", []),
    ("one-start-page-failed", {"newsarchive/start_pages/requested": 2, "newsarchive/start_pages/ok": 1,
                               "newsarchive/start_pages/failed": 1, "newsarchive/pages_ok": 5,
                               "newsarchive/list_pages": 1}, "finished", []),
    ("all-refused", {"newsarchive/start_pages/requested": 2, "newsarchive/start_pages/failed": 2,
                     "newsarchive/start_pages/failed/connection-refused": 2}, "finished",
     ["every start page failed (2 of 2: connection-refused 2", "start the portal"]),
    ("robots-unreachable", {"newsarchive/start_pages/requested": 1, "newsarchive/start_pages/failed": 1,
                            "newsarchive/start_pages/failed/robots-unreachable": 1,
                            "newsarchive/robots/unreachable": 3}, "finished",
     ["RFC 9309", "try again later"]),
    ("interrupted-before-any-page", {"newsarchive/start_pages/requested": 2}, "shutdown", []),
    ("other-spider-fetched-something", {"downloader/response_count": 3}, "finished", []),
    ("other-spider-fetched-nothing", {}, "finished", ["no page was fetched"]),
    ("spider-exception", {"newsarchive/start_pages/requested": 1, "newsarchive/start_pages/ok": 1,
                          "newsarchive/pages_ok": 1, "spider_exceptions/KeyError": 1}, "finished",
     ["1 exception(s) in spider callbacks (KeyError)"]),
    ("closed-for-errors", {"downloader/response_count": 3}, "closespider_errorcount",
     ["closed the crawl early"]),
]


@pytest.mark.parametrize(("stats", "reason", "says"), [c[1:] for c in OUTCOME_CASES],
                         ids=[c[0] for c in OUTCOME_CASES])
def test_crawl_outcome(stats: dict[str, Any], reason: str, says: list[str]) -> None:
    from crawler.extensions.outcome import ErrorLines, problems

    cfg = SimpleNamespace(base_url="http://127.0.0.1:8731/", offline_help="start the portal", name="sample",
                          path="crawler/sites/sample.toml")
    found = problems(stats, reason, ErrorLines(), cfg)
    assert bool(found) == bool(says), found
    for words in says:
        assert any(words in line for line in found), (words, found)


@pytest.mark.parametrize(("body", "redirected"), [
    (b'<html><head><meta http-equiv="REFRESH" content="0; url=/new/post_1.html"></head></html>', True),
    ('<html><head><meta http-equiv="refresh" content="0;url=/new/post_1.html"></head>'.encode("utf-16"),
     True),
    (b"<html><head><title>x</title></head><body>" + b"<p>refresh</p>" * 10 + b"</body></html>", False),
    (b"<html><body><p>no redirect here</p></body></html>", False),
])
def test_meta_refresh_redirects_as_scrapy_does_and_plain_pages_stay_undecoded(body: bytes,
                                                                                redirected: bool) -> None:
    from crawler.middlewares.metarefresh import CheapMetaRefreshMiddleware

    crawler = fake_crawler()
    crawler.spider = None
    mw = CheapMetaRefreshMiddleware.from_crawler(crawler)
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html"})
    result = mw.process_response(Request(URL), response)
    if redirected:
        assert isinstance(result, Request) and result.url == "http://127.0.0.1:8000/new/post_1.html"
    else:
        assert result is response
    if b"refresh" not in body.lower() and not body.startswith(b"\xff\xfe"):
        assert response._cached_ubody is None  # not decoded in the crawler process
