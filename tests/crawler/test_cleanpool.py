"""crawler.pipelines.clean with a real process pool and stand-in clean functions (CLEAN_FUNCTION):
a page that hangs the normaliser or kills its worker is dropped under a named reason, the pool is
replaced, and the next pages are cleaned again."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from types import SimpleNamespace
from typing import Any

import pytest
from crawler_helpers import project_settings
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector

from crawler.items import PageItem
from crawler.pipelines.clean import CleanPipeline
from normalize.errors import CleanError
from normalize.record import Record


def stand_in_clean(data: bytes, *, url: str, **kwargs: Any) -> list[Record]:
    """Runs in the worker: behaves according to the page's URL."""
    if url.endswith("/hang.html"):
        time.sleep(60)
    if url.endswith("/die.html"):
        os._exit(1)  # the worker process dies (as under the OOM killer)
    if url.endswith("/empty.html"):
        raise CleanError("no-main-content", "no article text found")
    return [Record(id=url, text=data.decode("utf-8"), url=url)]


def started(pipe: CleanPipeline) -> CleanPipeline:
    """Open the pipeline and wait for its worker to be up (CLEAN_TIMEOUT is short here, startup is not)."""
    pipe.open_spider()
    if pipe.pool is not None:
        assert pipe.pool.wait_ready(60), "the clean worker did not start within 60 s"
    return pipe


def pipeline(**settings: Any) -> CleanPipeline:
    given = {"CLEAN_WORKERS": 1, "CLEAN_TIMEOUT": 5, "CLEAN_FUNCTION": f"{__name__}:stand_in_clean",
             **settings}
    crawler = SimpleNamespace(settings=project_settings(**given))
    crawler.stats = MemoryStatsCollector(crawler)
    return CleanPipeline.from_crawler(crawler)


def page(name: str) -> PageItem:
    return PageItem(url=f"http://127.0.0.1:1/{name}", site="t", body="正文".encode())


async def outcome(pipe: CleanPipeline, name: str) -> str:
    try:
        item = await pipe.process_item(page(name))
    except DropItem as exc:
        return str(exc).split(":")[0]
    return item.records[0]["text"]


async def scenario(pipe: CleanPipeline, bad: str) -> tuple[list[str], str]:
    """A good page and a bad one at the same time, then another good page."""
    results = await asyncio.gather(outcome(pipe, "a.html"), outcome(pipe, bad))
    return list(results), await outcome(pipe, "b.html")


@pytest.mark.parametrize(("bad", "reason"), [("hang.html", "normalizer-timeout"),
                                             ("die.html", "normalizer-crashed"),
                                             ("empty.html", "no-main-content")])
def test_bad_page_is_dropped_by_name_and_the_pool_recovers(bad: str, reason: str) -> None:
    pipe = started(pipeline())
    try:
        results, after = asyncio.run(asyncio.wait_for(scenario(pipe, bad), 30))
    finally:
        pipe.close_spider()
    assert results == ["正文", reason]
    assert after == "正文"
    assert pipe.stats.get_value(f"newsarchive/drop/{reason}") == 1


def test_a_normaliser_that_cannot_load_costs_records_not_the_crawl() -> None:
    pipe = started(pipeline(CLEAN_FUNCTION="no_such_module_anywhere:clean"))
    try:
        result = asyncio.run(asyncio.wait_for(outcome(pipe, "a.html"), 30))
    finally:
        pipe.close_spider()
    assert result == "normalizer-error"
    assert pipe.stats.get_value("newsarchive/drop/normalizer-error") == 1


def html_page(name: str, body_html: str) -> PageItem:
    html = (f"<html><head><title>县政府召开常务会议</title></head>"
            f"<body><article>{body_html}</article></body></html>")
    return PageItem(url=f"http://127.0.0.1:1/{name}", site="t", body=html.encode("utf-8"))


def test_clean_max_html_chars_drops_a_larger_page_by_name_and_cleans_the_rest(
        caplog: pytest.LogCaptureFixture) -> None:
    """CLEAN_MAX_HTML_CHARS reaches normalize.clean in the worker: a page over it is a counted
    ``too-large`` drop whose log line names the setting, a page under it is cleaned."""
    para = "<p>县政府召开常务会议，研究部署近期重点工作。会议强调，要抓好安全生产，确保群众安全。</p>"
    small = "<h1>县政府召开常务会议</h1>" + para * 4
    big = "<table>" + "<tr><td>县政府</td><td>召开会议。</td></tr>" * 400 + "</table>"

    async def both(pipe: CleanPipeline) -> list[str]:
        out = []
        for item in (html_page("big.html", small + big), html_page("small.html", small)):
            try:
                await pipe.process_item(item)
                out.append("recorded")
            except DropItem as exc:
                out.append(str(exc).split(":")[0])
        return out

    caplog.set_level(logging.INFO, logger="crawler.pipelines.clean")
    pipe = started(pipeline(CLEAN_FUNCTION="normalize:clean", CLEAN_MAX_HTML_CHARS=5_000))
    try:
        results = asyncio.run(asyncio.wait_for(both(pipe), 60))
    finally:
        pipe.close_spider()
    assert results == ["too-large", "recorded"]
    assert pipe.stats.get_value("newsarchive/drop/too-large") == 1
    assert any("big.html: no record (too-large)" in r.getMessage() and "-s CLEAN_MAX_HTML_CHARS=N" in
               r.getMessage() for r in caplog.records)


def test_a_page_waiting_behind_a_crashing_one_is_cleaned_and_the_workers_exit_at_close() -> None:
    """One worker holds two pages: the first kills it; the one waiting behind it is cleaned by the
    replacement (it never ran, so it used no attempt), and no worker outlives the pipeline."""
    pipe = started(pipeline())

    async def both() -> list[str]:
        return list(await asyncio.gather(outcome(pipe, "die.html"), outcome(pipe, "a.html")))

    try:
        results = asyncio.run(asyncio.wait_for(both(), 60))
        assert pipe.pool is not None
        processes = [w.process for w in pipe.pool.workers]
    finally:
        pipe.close_spider()
    assert results == ["normalizer-crashed", "正文"]
    assert not any(p.is_alive() for p in processes)


def test_a_page_larger_than_the_socket_buffer_goes_both_ways_whole() -> None:
    """A 3 MB page and its 3 MB record: many socket buffers each way, the reactor never blocked."""
    pipe = started(pipeline())
    body = ("正文" * 500_000).encode()

    async def big() -> Any:
        return await pipe.process_item(PageItem(url="http://127.0.0.1:1/big.html", site="t", body=body))

    try:
        item = asyncio.run(asyncio.wait_for(big(), 60))
    finally:
        pipe.close_spider()
    assert item.records[0]["text"] == body.decode()
