"""End-to-end crawls in subprocesses (`python -m scrapy crawl ...`) against the session's local servers.

- the sample portal: every article page recorded once, every article of it (e-paper items each) with
  the reference's title, decks, bylines and text, dates right, WARC and JSONL agree,
  `warcio check` passes, nothing fetched outside 127.0.0.1, robots.txt Crawl-delay honoured;
- replay of that archive with no server at all;
- the bad cases: each ends in a record or a named, counted drop reason.
Kill and resume: tests/crawler/test_resume.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from crawler_helpers import (
    REPO,
    by_path,
    crawl,
    crawl_command,
    drops,
    records_of,
    run_crawl,
    warc_files,
    warcs_read_whole,
)

from crawler.sample_portal.articles import Page, expected_records, load_articles
from crawler.sample_portal.badcases import BADCASES, ENDLESS_PATH, RARE_CHARS_TEXT
from newsarchive.captures import iter_responses, read_response

pytestmark = pytest.mark.slow

def simplified_original(page: Page, pages: list[Page]) -> Page:
    """The Big5 mirror's records are converted to simplified: compare with its simplified original."""
    if page.script == "traditional":
        return next(p for p in pages if p.url == page.url.removeprefix("/big5"))
    return page


def simplified_titles(page: Page, pages: list[Page]) -> list[str | None]:
    """The titles of the page's articles in page order (one per e-paper item)."""
    return [item.title for item in simplified_original(page, pages).items]


# -- the sample portal ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample(portal_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    archive = tmp_path_factory.mktemp("sample-archive")
    # Crawl-delay honoured (robots.txt asks 0.5 s), capped at 0.2 s to keep the test short
    stats = run_crawl("sample", portal_url, archive, CRAWL_DELAY_ENABLED="True", CRAWL_DELAY_MAX="0.2",
                      CONCURRENT_REQUESTS_PER_DOMAIN="2")
    return {"archive": archive, "stats": stats, "records": records_of(archive, "sample")}


def test_sample_crawl_records_every_article_page_once(sample: dict[str, Any]) -> None:
    grouped = by_path(sample["records"])
    pages = load_articles()
    assert set(grouped) == {p.url for p in pages}
    for page in pages:
        captures = {(r["capture"]["file"], r["capture"]["offset"]) for r in grouped[page.url]}
        assert len(captures) == 1, f"{page.url} recorded from {len(captures)} captures"
    assert sample["stats"]["newsarchive/records_written"] == len(sample["records"])
    assert not drops(sample["stats"]), drops(sample["stats"])


def test_sample_crawl_titles_and_dates(sample: dict[str, Any]) -> None:
    grouped = by_path(sample["records"])
    pages = load_articles()
    for page in pages:
        assert [r["title"] for r in grouped[page.url]] == simplified_titles(page, pages), page.url
        for record in grouped[page.url]:
            assert record["published"][:10] == page.date, (page.url, record["published"])
            assert record["site"] == "sample" and record["fetched_at"]


ARTICLE_FIELDS = ("title", "kicker", "subtitle", "authors", "photographers", "text")


def test_sample_crawl_yields_every_expected_article(sample: dict[str, Any]) -> None:
    """One record per article, e-paper items included (13 articles on 9 pages), in page order, each
    with the reference's headline, decks, bylines and paragraphs (the Big5 mirror: its simplified
    original's). ``source`` is left out: an e-paper page names its paper only in the masthead."""
    expected = expected_records()
    assert len(sample["records"]) == len(expected)
    grouped = by_path(sample["records"])
    pages = load_articles()
    for page in pages:
        want = expected_records([simplified_original(page, pages)])
        got = sorted(grouped[page.url], key=lambda r: int(r["id"].rsplit("-", 1)[1]))
        assert len(got) == len(want), f"{page.url}: {len(got)} records for {len(want)} articles"
        for record, article in zip(got, want, strict=True):
            for name in ARTICLE_FIELDS:
                assert record[name] == article[name], (page.url, record["id"], name)
            assert record["published"][:10] == page.date, (page.url, record["id"])


def test_sample_records_follow_the_schema_and_read_back(sample: dict[str, Any]) -> None:
    import jsonschema

    from newsarchive.records import find_record_files, read_record_file

    schema = json.loads((REPO / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    for record in sample["records"]:
        jsonschema.validate(record, schema)
    files = [p for p in find_record_files(sample["archive"] / "captures") if p.suffix == ".jsonl"]
    assert sum(1 for f in files for _ in read_record_file(f)) == len(sample["records"])


def test_sample_records_point_at_their_warc_responses(sample: dict[str, Any]) -> None:
    archive = sample["archive"]
    for record in sample["records"]:
        capture = record["capture"]
        response = read_response(archive / capture["file"], capture["offset"], archive)
        assert response.url == record["url"] and response.status == 200
        assert response.pointer["record_id"] == capture["record_id"]
    for jsonl in (archive / "captures" / "sample").glob("*.jsonl"):
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            warc_name = Path(json.loads(line)["capture"]["file"]).name
            assert warc_name == jsonl.name.removesuffix(".jsonl") + ".warc.gz"  # same base name


def test_sample_warc_passes_warcio_check_and_stays_on_localhost(sample: dict[str, Any]) -> None:
    files = warc_files(sample["archive"], "sample")
    warcs_read_whole(files)
    for path in files:
        hosts = {urlsplit(url).hostname for url, _, _ in iter_responses(path)}
        assert hosts == {"127.0.0.1"}
    assert sample["stats"]["newsarchive/warc_responses"] == sample["stats"]["downloader/response_count"]


def test_robots_crawl_delay_is_honoured(sample: dict[str, Any], portal_server: Any) -> None:
    stats = sample["stats"]
    assert stats["newsarchive/crawl_delay_asked/127.0.0.1"] == 0.5
    assert stats["newsarchive/crawl_delay/127.0.0.1"] == 0.2  # capped by CRAWL_DELAY_MAX in this test
    responses = stats["downloader/response_count"]
    assert stats["elapsed_time_seconds"] >= 0.2 * (responses - 3)
    assert portal_server.hits["/robots.txt"] >= 1


def test_replay_reprocesses_the_archive_without_any_server(sample: dict[str, Any]) -> None:
    """As documented: a relative REPLAY_WARC, no server, no base_url (the config's own port has nothing);
    replay starts where the start pages were captured, and the records keep their URLs and ids."""
    archive = sample["archive"]
    before = set(warc_files(archive, "sample"))
    proc = crawl("sample", None, Path(archive.name), cwd=archive.parent,
                 env={"SCRAPY_SETTINGS_MODULE": "crawler.settings"}, NEWSARCHIVE_CRAWL_ID="replay1",
                 REPLAY_WARC=f"{archive.name}/captures/sample", NEWSARCHIVE_STATS_FILE="replay-stats.json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads((archive.parent / "replay-stats.json").read_text(encoding="utf-8"))
    assert set(warc_files(archive, "sample")) == before  # nothing re-written
    replayed = records_of(archive, "sample", "replay1-replay.jsonl")
    assert sorted(r["id"] for r in replayed) == sorted(r["id"] for r in sample["records"])
    assert sorted(r["url"] for r in replayed) == sorted(r["url"] for r in sample["records"])
    assert stats["newsarchive/replayed"] >= len(by_path(replayed))
    assert not drops(stats), drops(stats)
    originals = {(r["capture"]["file"], r["capture"]["offset"]) for r in sample["records"]}
    assert {(r["capture"]["file"], r["capture"]["offset"]) for r in replayed} <= originals


# -- Scrapy's own feeds ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def feeds(sample: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`-O out.jsonl -O out.csv -O out.json -O out.xml` on a replay of the sample, and `newsarchive export`
    of the same archive (the reference: feeds give the same rows)."""
    archive = sample["archive"]
    out = tmp_path_factory.mktemp("feeds")
    outputs = [out / f"out.{ext}" for ext in ("jsonl", "csv", "json", "xml")]
    args = [a for path in outputs for a in ("-O", str(path))]
    settings = {"REPLAY_WARC": str(archive / "captures" / "sample"), "NEWSARCHIVE_CRAWL_ID": "feeds1",
                "NEWSARCHIVE_STATS_FILE": str(out / "stats.json")}
    cmd = [*crawl_command("sample", None, archive, settings), *args]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    export = out / "export.jsonl"
    newsarchive = str(Path(sys.executable).with_name("newsarchive"))
    subprocess.run([newsarchive, "export", str(archive), "-o", str(export)], check=True, capture_output=True,
                   timeout=120)
    rows = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    wanted = {r["id"]: r for r in rows if r["record_file"] == "captures/sample/feeds1-replay.jsonl"}
    assert {(r["state"], r["version"]) for r in wanted.values()} == {("new", 1)}  # (newsarchive.history)
    # a feed row knows the history only as far as the crawl does: a replay's URLs are all archived, so
    # their state waits for `newsarchive index` (tests/crawler/test_revisit.py checks export's states)
    return {"out": out, "export": {k: {**r, "state": None, "version": None} for k, r in wanted.items()}}


def test_feed_jsonl_is_one_row_per_article_as_newsarchive_export(feeds: dict[str, Any]) -> None:
    text = (feeds["out"] / "out.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == len(expected_records()) == len(feeds["export"])  # 13 articles on 9 pages
    assert {r["id"]: r for r in rows} == feeds["export"]
    assert "\\u" not in text and "复工复产" in text  # UTF-8 as it is


def test_feed_json_gives_the_same_rows(feeds: dict[str, Any]) -> None:
    rows = json.loads((feeds["out"] / "out.json").read_text(encoding="utf-8"))
    assert {r["id"]: r for r in rows} == feeds["export"]


def test_feed_csv_has_the_same_columns_and_json_cells(feeds: dict[str, Any]) -> None:
    import csv

    from crawler.feeds import flat_value

    with (feeds["out"] / "out.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(feeds["export"])
    for row in rows:
        want = feeds["export"][row["id"]]
        assert list(row) == list(want)
        assert row == {k: str(flat_value(v)) for k, v in want.items()}
        assert json.loads(row["authors"]) == want["authors"]


def test_feed_xml_has_one_item_per_article(feeds: dict[str, Any]) -> None:
    from xml.etree import ElementTree

    items = ElementTree.parse(feeds["out"] / "out.xml").getroot().findall("item")
    assert sorted(item.findtext("id") or "" for item in items) == sorted(feeds["export"])
    for item in items:
        assert item.findtext("title") == feeds["export"][item.findtext("id")]["title"]


# -- the bad cases --------------------------------------------------------------------------------
BADCASE_SITE = """
name = "badcases"
base_url = "http://127.0.0.1:9/"
start_pages = ["/index.html"]
[links]
max_pages = 4
"""


@pytest.fixture(scope="module")
def badcase_crawl(badcase_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    sites = tmp_path_factory.mktemp("sites")
    (sites / "badcases.toml").write_text(BADCASE_SITE, encoding="utf-8")
    archive = tmp_path_factory.mktemp("badcase-archive")
    stats = run_crawl("badcases", badcase_url, archive, env={"NEWSARCHIVE_EXTRA_SITES": str(sites)},
                      DOWNLOAD_TIMEOUT="1", DOWNLOAD_MAXSIZE=str(2 * 1024 * 1024), RETRY_TIMES="1")
    return {"archive": archive, "stats": stats, "records": records_of(archive, "badcases")}


@pytest.mark.parametrize("case", BADCASES, ids=[c.id for c in BADCASES])
def test_badcase_ends_in_record_or_named_drop(case: Any, badcase_crawl: dict[str, Any]) -> None:
    grouped = by_path(badcase_crawl["records"])
    if case.expect == "record":
        assert [r["title"] for r in grouped[case.path]] == [case.title]
        assert "\ufffd" not in grouped[case.path][0]["text"]
    else:
        reason = case.expect.removeprefix("drop:")
        assert drops(badcase_crawl["stats"]).get(reason, 0) >= 1, drops(badcase_crawl["stats"])
        assert case.path not in grouped


def test_badcase_rare_gbk_characters_survive(badcase_crawl: dict[str, Any]) -> None:
    text = by_path(badcase_crawl["records"])["/content/post_1003.html"][0]["text"]
    assert text.split("\n") == list(RARE_CHARS_TEXT)


def test_badcase_endless_list_stops_at_max_pages(badcase_crawl: dict[str, Any], badcase_server: Any) -> None:
    assert drops(badcase_crawl["stats"])["list-page-limit"] >= 1
    assert badcase_server.hits[ENDLESS_PATH] <= 4 + 1


def test_badcase_robots_disallowed_page_never_requested(badcase_crawl: dict[str, Any],
                                                        badcase_server: Any) -> None:
    assert badcase_server.hits["/robots.txt"] >= 1
    assert not [p for p in badcase_server.hits if p.startswith("/private/")]
    assert all("cn-gov-news-archive" in ua for _, _, ua in badcase_server.log)


def test_badcase_warcs_pass_warcio_check_and_read_whole(badcase_crawl: dict[str, Any]) -> None:
    warcs_read_whole(warc_files(badcase_crawl["archive"], "badcases"))


def test_badcase_server_offering_br_gets_asked_for_gzip_only(badcase_crawl: dict[str, Any]) -> None:
    """A server that sends br when asked (warcio cannot read br) sends gzip: we ask only gzip, deflate."""
    for path in warc_files(badcase_crawl["archive"], "badcases"):
        for url, offset, _ in iter_responses(path):
            if url.endswith("/content/post_1011.html"):
                response = read_response(path, offset)
                assert dict((k.lower(), v) for k, v in response.headers)["content-encoding"] == "gzip"
                return
    raise AssertionError("post_1011 is not in the WARC")


def test_badcase_retry_after_is_honoured_and_counted(badcase_crawl: dict[str, Any]) -> None:
    stats = badcase_crawl["stats"]
    assert stats["newsarchive/retry_after/count"] >= 1
    assert stats["newsarchive/retry_after/seconds"] >= 1.0
    assert "/content/post_1013.html" in by_path(badcase_crawl["records"])


def test_badcase_redirect_to_another_port_is_never_followed(badcase_crawl: dict[str, Any],
                                                            badcase_server: Any) -> None:
    assert badcase_server.hits["/content/post_1012.html"] >= 1
    assert drops(badcase_crawl["stats"])["offsite"] >= 1  # the other port was not even tried


def test_badcase_failures_are_still_in_the_warc(badcase_crawl: dict[str, Any]) -> None:
    urls = {urlsplit(u).path for p in warc_files(badcase_crawl["archive"], "badcases")
            for u, _, _ in iter_responses(p)}
    kept = {"/robots.txt", "/content/post_1004.html", "/content/post_1009.html", "/redirect/loop-b.html"}
    assert kept <= urls


# -- the project ----------------------------------------------------------------------------------
def test_scrapy_list_shows_one_spider_per_site_config() -> None:
    proc = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    configs = sorted((REPO / "crawler" / "sites").glob("*.toml"))
    names = [tomllib.loads(p.read_text(encoding="utf-8"))["name"] for p in configs]
    assert sorted(proc.stdout.split()) == sorted(names)
