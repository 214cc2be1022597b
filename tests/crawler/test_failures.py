"""A failed crawl says what went wrong and how to fix it, and exits non-zero (crawler.commands.crawl):

    1  fetched nothing / every start page failed / errors in the crawl
    2  no such spider, a broken site config, a bad -a or -s value (one line, no traceback)
(130, interrupted, is tested with the documented JOBDIR pause in test_documented.py.)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crawler_helpers import REPO, crawl

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scrapy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def test_nothing_listening_fails_fast_and_says_how_to_serve_the_sample(tmp_path: Path) -> None:
    """Polite defaults and all: no 57 s of retries against a refused connection."""
    started = time.monotonic()
    proc = scrapy("crawl", "sample", "-a", f"base_url=http://127.0.0.1:{free_port()}/",
                  "-s", f"NEWSARCHIVE_ARCHIVE_DIR={tmp_path}")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert time.monotonic() - started < 20
    for words in ("crawl failed: every start page failed (4 of 4: connection-refused 4",
                  "python -m crawler.sample_portal.server --port 8731", "bash scripts/run-sample.sh",
                  "-a base_url=http://HOST:PORT/"):
        assert words in proc.stderr, words
    assert "Traceback" not in proc.stderr


def test_a_failure_is_printed_even_when_the_log_goes_to_a_file(tmp_path: Path) -> None:
    proc = scrapy("crawl", "sample", "-a", f"base_url=http://127.0.0.1:{free_port()}/",
                  "-s", f"NEWSARCHIVE_ARCHIVE_DIR={tmp_path}", "-s", f"LOG_FILE={tmp_path / 'crawl.log'}")
    assert proc.returncode == 1
    assert "scrapy crawl sample: the crawl FAILED" in proc.stderr
    assert "every start page failed" in proc.stderr and "crawl.log" not in proc.stderr


def test_start_pages_that_answer_404_fail_the_crawl(portal_url: str, tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "moved.toml").write_text('name = "moved"\nbase_url = "http://127.0.0.1:8000/"\n'
                                      'start_pages = ["/xwzx/old-column/index.html"]\n', encoding="utf-8")
    proc = crawl("moved", portal_url, tmp_path / "archive", env={"NEWSARCHIVE_EXTRA_SITES": str(sites)})
    assert proc.returncode == 1
    assert "every start page failed (1 of 1: http-404 1" in proc.stderr
    assert "update start_pages in" in proc.stderr and "moved.toml" in proc.stderr


def test_list_pages_without_a_single_article_link_fail_the_crawl(tmp_path: Path) -> None:
    """The config does not fit the portal (a layout the heuristics do not know): say which keys to add."""
    from crawler.sample_portal.server import Reply, serve

    links = "".join(f'<p><a href="/view.jsp?doc={n}">第{n}号文件</a></p>' for n in range(5))
    page = Reply(headers={"Content-Type": "text/html; charset=utf-8"},
                 body=f'<html><head><meta charset="utf-8"></head><body>{links}</body></html>'.encode())
    server, base = serve(tmp_path, routes={"/list.jsp": page})
    try:
        sites = tmp_path / "sites"
        sites.mkdir()
        (sites / "odd.toml").write_text(f'name = "odd"\nbase_url = "{base}/"\nstart_pages = ["/list.jsp"]\n',
                                        encoding="utf-8")
        proc = crawl("odd", None, tmp_path / "archive", env={"NEWSARCHIVE_EXTRA_SITES": str(sites)})
    finally:
        server.shutdown()
    assert proc.returncode == 1
    assert "no article links were found on any of the 1 list page(s)" in proc.stderr
    assert "[links] article" in proc.stderr and "odd.toml" in proc.stderr


BUGGY_SPIDER = '''
import scrapy

class Buggy(scrapy.Spider):
    name = "buggy"

    def __init__(self, base_url="", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [base_url + "xwzx/zwyw/index.html"]

    def parse(self, response):
        raise RuntimeError("a bug in a callback")
'''


def test_a_crawl_with_spider_errors_fails(portal_url: str, tmp_path: Path) -> None:
    (tmp_path / "buggyspiders.py").write_text(BUGGY_SPIDER, encoding="utf-8")
    proc = crawl("buggy", portal_url + "/", tmp_path / "archive", env={"PYTHONPATH": str(tmp_path)},
                 SPIDER_MODULES="crawler.spiders,buggyspiders")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "exception(s) in spider callbacks (RuntimeError)" in proc.stderr


def test_a_warc_that_cannot_be_written_fails_the_crawl(portal_url: str, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    proc = crawl("sample", portal_url, tmp_path / "a-file" / "archive",
                 NEWSARCHIVE_STATS_FILE=str(tmp_path / "stats.json"))
    assert proc.returncode == 1
    assert "error line(s) in the log, first: [crawler.middlewares.warc] cannot write" in proc.stderr


def broken_sites(tmp_path: Path) -> Path:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "newslist.toml").write_text('name = "newslist"\nbase_url = "http://www.example.gov.cn/"\n'
                                         'start_pages = ["/gzdt/index.html"]\n[selectors]\n'
                                         'article_links = "ul.newslist li a[["\n', encoding="utf-8")
    (sites / "fine.toml").write_text('name = "fine"\nbase_url = "http://www.example.gov.cn/"\n'
                                     'start_pages = ["/gzdt/index.html"]\n', encoding="utf-8")
    return sites


def test_a_broken_config_is_skipped_for_the_others_and_named_in_one_line(tmp_path: Path) -> None:
    env = {"NEWSARCHIVE_EXTRA_SITES": str(broken_sites(tmp_path))}
    listed = scrapy("list", env=env)
    assert listed.returncode == 0 and sorted(listed.stdout.split()) == ["fine", "sample"]
    [line] = listed.stderr.strip().splitlines()
    assert line.startswith("site config skipped: ") and "newslist.toml: [selectors] article_links" in line
    assert "'ul.newslist li a[['" in line and "not a CSS selector" in line
    crawled = scrapy("crawl", "newslist", env=env)
    assert crawled.returncode == 2 and "Traceback" not in crawled.stderr
    assert "scrapy crawl newslist: " in crawled.stderr and "not a CSS selector" in crawled.stderr


def test_checksite_validates_without_crawling(tmp_path: Path) -> None:
    sites = broken_sites(tmp_path)
    env = {"NEWSARCHIVE_EXTRA_SITES": str(sites)}
    bad = scrapy("checksite", str(sites / "newslist.toml"), env=env)
    assert bad.returncode == 1 and "[selectors] article_links" in bad.stderr and not bad.stdout
    good = scrapy("checksite", "fine", "sample", env=env)
    assert good.returncode == 0 and good.stdout.count("\nok ") + good.stdout.startswith("ok ") == 2
    everything = scrapy("checksite", env=env)
    assert everything.returncode == 1 and everything.stdout.count("ok ") == 2


@pytest.mark.parametrize(("args", "says"), [
    (["-a", "since=2020-13-01"], "-a since = '2020-13-01' is not a date; write YYYY-MM-DD"),
    (["-a", "since=2020-03-01", "-a", "until=2020-02-01"], "since = 2020-03-01 is after until = 2020-02-01"),
    (["-s", "REPLAY_WARC=no/such/folder"], "no/such/folder: no *.warc.gz files here"),
    (["-a", "base_url=127.0.0.1:8731"], "is not an http(s) URL with a host"),
], ids=["bad-date", "since-after-until", "replay-nothing", "base-url-without-scheme"])
def test_bad_arguments_are_one_line_and_exit_2(args: list[str], says: str) -> None:
    proc = scrapy("crawl", "sample", *args)
    assert proc.returncode == 2
    assert says in proc.stderr and "Traceback" not in proc.stderr


def test_no_such_spider_lists_the_spiders() -> None:
    proc = scrapy("crawl", "zhuhai")
    assert proc.returncode == 2
    assert "Spider not found: zhuhai (spiders: sample; a spider is a crawler/sites/zhuhai.toml" in proc.stderr
