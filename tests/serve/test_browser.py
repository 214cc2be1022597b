"""`newsarchive serve` in real headless Chromium, on the bundled seeds + a real crawl of the sample portal.

The archive: archive/seeds, `scrapy crawl sample` of the bundled portal (served on 127.0.0.1), a revisit
of one article with an edit, and a hostile page whose scripts, event handler, javascript: link, meta
refresh and sub-resources would all contact a loopback "beacon" server if anything ran. The app runs as
the README starts it (`newsarchive index`, then `newsarchive serve ARCHIVE --port 0`). Screenshots go to
reports/screenshots/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from browser import chromium, new_context, require_browser, screenshot
from serve_helpers import REVISITED, add_hostile, copy_seeds, crawl_sample, records_containing, revisit

from crawler.sample_portal.server import serve as serve_portal

pytestmark = pytest.mark.slow


class Beacon(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Beacon.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def beacon() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Beacon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


NEWSARCHIVE = str(Path(sys.executable).with_name("newsarchive"))  # the installed command, as documented


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, beacon: str) -> Path:
    require_browser()
    root = tmp_path_factory.mktemp("browser") / "archive"
    copy_seeds(root)
    portal, base = serve_portal()
    try:
        crawl_sample(root, base)
    finally:
        portal.shutdown()
    revisit(root, base)
    add_hostile(root, beacon)
    # as the README says, from the folder holding archive/: `newsarchive index archive`
    done = subprocess.run([NEWSARCHIVE, "index", "archive"], cwd=root.parent, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def app(archive: Path) -> Iterator[str]:
    # `newsarchive serve archive` with the README's --port flag (0: any free port, so runs never collide)
    log = archive.parent / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen([NEWSARCHIVE, "serve", "archive", "--port", "0"], cwd=archive.parent,
                                stdout=subprocess.PIPE, stderr=err, text=True)  # fmt: skip
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert " at http://127.0.0.1:" in line, (line, log.read_text())
        yield line.split(" at ", 1)[1].split("/ ", 1)[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def chromium_browser(app: str) -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def browser(chromium_browser: Any) -> Iterator[Any]:
    """A browser context with JavaScript on: the archive's scripts would run if anything let them."""
    context = new_context(chromium_browser)
    yield context
    context.close()


def api(app: str, path: str) -> Any:
    with urllib.request.urlopen(app + path, timeout=10) as r:
        return json.load(r)


def search_in_browser(page: Any, app: str, word: str) -> tuple[int, list[str]]:
    page.goto(app + "/")
    page.fill("input[name=q]", word)
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("#total")
    titles = [t.strip() for t in page.locator("li.hit h3").all_inner_texts()]
    return int(page.inner_text("#total")), titles


@pytest.mark.parametrize("word", ["疫情", "复工复产"], ids=["2-characters", "4-characters"])
def test_search_finds_the_expected_articles(browser: Any, app: str, archive: Path, word: str) -> None:
    expected = records_containing(archive, word)
    page = browser.new_page()
    total, titles = search_in_browser(page, app, word)
    assert total == len(expected) > 10
    assert set(titles) <= {t or "（无标题）" for t in expected.values()} and len(titles) == min(20, total)
    assert page.locator("li.hit mark").first.inner_text() == word
    screenshot(page, f"search-{len(word)}-characters")
    page.close()


def test_traditional_query_and_a_facet_in_the_browser(browser: Any, app: str, archive: Path) -> None:
    page = browser.new_page()
    total, _ = search_in_browser(page, app, "復工復產")
    assert total == len(records_containing(archive, "复工复产"))
    site = page.locator("#facet-site li", has_text="sample")
    count = int(site.locator(".count").inner_text())
    site.locator("a").click()
    page.wait_for_selector("#total")
    assert int(page.inner_text("#total")) == count < total
    page.close()


def test_article_page_shows_metadata_and_versions(browser: Any, app: str) -> None:
    hits = api(app, "/api/search?q=" + quote("朱是西") + "&per_page=50")["hits"]
    some = next(h["rowid"] for h in hits if (h["url"] or "").endswith(REVISITED))
    versions = api(app, f"/api/article/{some}")["versions"]
    rowid = next(v["rowid"] for v in versions if "sample-portal" in v["file"])  # the crawl's capture
    page = browser.new_page()
    page.goto(f"{app}/article/{rowid}")
    assert page.inner_text("#title") == "朱是西深入高新区调研指导企业复工复产和疫情防控工作"
    assert page.inner_text("#published") == "2020-02-20" and page.inner_text("#source") == "驻马店网"
    assert "滑清泉" in page.inner_text("#authors")
    rows = page.locator("#versions table.version-list tr")
    assert rows.count() == 1 + 3  # header + seed, crawl, revisit
    assert "（本页）" in rows.nth(2).inner_text()  # the crawl, between the seed and the revisit
    last = page.locator("#versions details").last
    last.locator("summary").click()
    assert last.locator("ins", has_text="察看并").count() == 1  # crawl -> revisit: the edit
    assert last.locator("td", has_text="王小明").count() == 1  # and the new editor
    screenshot(page, "article", full_page=True)
    page.close()


def test_raw_capture_view_runs_no_script_and_requests_nothing_outside(browser: Any, app: str) -> None:
    Beacon.hits.clear()
    rowid = api(app, "/api/search?q=" + quote("常务会议"))["hits"][0]["rowid"]
    page = browser.new_page()
    answered: list[str] = []  # requests that got a response (CSP-blocked ones never leave the browser)
    console: list[str] = []
    page.on("response", lambda r: answered.append(r.url))
    page.on("console", lambda m: console.append(m.text))
    page.goto(f"{app}/raw/{rowid}")
    page.wait_for_timeout(500)
    page.click("#jslink")  # a javascript: link
    page.wait_for_timeout(3500)  # past the page's meta refresh
    assert page.url == f"{app}/raw/{rowid}"
    assert "RAN" not in page.title()
    screenshot(page, "raw-capture")
    page.goto(f"{app}/article/{rowid}")  # the same page in the article's sandboxed iframe
    page.wait_for_timeout(1500)
    frame = next(f for f in page.frames if f.url.endswith(f"/raw/{rowid}"))
    assert "RAN" not in frame.title() and "RAN" not in page.title()
    assert "<script" not in page.inner_html("#title")
    screenshot(page, "article-hostile", full_page=True)
    page.close()
    assert Beacon.hits == []
    assert answered and all(u.startswith(app) for u in answered), answered
    assert not any("RAN" in m for m in console)


def test_pages_work_without_javascript(chromium_browser: Any, app: str) -> None:
    context = new_context(chromium_browser, javascript=False)
    try:
        page = context.new_page()
        total, _ = search_in_browser(page, app, "市")
        page.goto(f"{app}/?q={quote('市')}&per_page=5")
        assert int(page.inner_text("#total")) == total > 5 and page.locator("li.hit").count() == 5
        page.click("a[rel=next]")
        page.wait_for_selector("#total")
        assert "第 2 /" in page.inner_text("#summary")
        page.select_option("select[name=sort]", "newest")
        page.click(".sort button")
        page.wait_for_selector("#total")
        assert "sort=newest" in page.url and int(page.inner_text("#total")) == total
        page.locator("li.hit h3 a").first.click()
        page.wait_for_selector("#title")
        assert page.locator("#versions").count() == 1
    finally:
        context.close()
