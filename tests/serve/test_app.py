"""The web app in-process (Starlette TestClient): pages, JSON API, downloads, escaping, read-only."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from serve_helpers import EDIT, HOSTILE_TITLE, REVISITED, build_offline_archive, records_containing
from starlette.testclient import TestClient

from newsarchive.index import INDEX_NAME
from newsarchive.serve import create_app
from newsarchive.serve.app import RAW_CSP


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_offline_archive(tmp_path_factory.mktemp("app-archive"))


@pytest.fixture(scope="module")
def client(archive: Path) -> TestClient:
    return TestClient(create_app(archive))


def rowid_of(client: TestClient, q: str, url_part: str) -> int:
    hits = client.get("/api/search", params={"q": q, "per_page": 100}).json()["hits"]
    return next(h["rowid"] for h in hits if url_part in (h["url"] or ""))


def test_search_page_is_chinese_and_highlights(client: TestClient, archive: Path) -> None:
    r = client.get("/", params={"q": "疫情"})
    assert r.status_code == 200 and '<html lang="zh-CN">' in r.text
    assert "<mark>疫情</mark>" in r.text
    assert f'<strong id="total">{len(records_containing(archive, "疫情"))}</strong>' in r.text


def test_api_has_the_page_data_and_downloads_every_hit(client: TestClient, archive: Path) -> None:
    api = client.get("/api/search", params={"q": "复工复产", "per_page": 2}).json()
    expected = records_containing(archive, "复工复产")
    assert api["total"] == len(expected) and len(api["hits"]) == 2
    assert {f["value"] for f in api["facets"]["site"]} >= {"sample", ""}
    hit = api["hits"][0]
    assert hit["snippet"][slice(*hit["highlights"][0])] == "复工复产"
    rows = list(csv.DictReader(io.StringIO(client.get(api["downloads"]["csv"]).text)))
    assert len(rows) == len(expected) and all("复工复产" in (r["title"] + r["text"]) for r in rows)
    lines = client.get(api["downloads"]["jsonl"]).text.splitlines()
    assert sorted(json.loads(x)["id"] for x in lines) == sorted(r["id"] for r in rows)


def test_facet_filter_and_bad_parameters(client: TestClient) -> None:
    all_hits = client.get("/api/search", params={"q": "复工"}).json()
    sample = next(f["count"] for f in all_hits["facets"]["site"] if f["value"] == "sample")
    only = client.get("/api/search", params={"q": "复工", "site": "sample"}).json()
    assert only["total"] == sample
    assert client.get("/", params={"page": "x"}).status_code == 400
    assert client.get("/api/search", params={"sort": "random"}).json()["status"] == 400


def test_article_page_shows_metadata_versions_and_the_diff(client: TestClient) -> None:
    rowid = rowid_of(client, "朱是西", REVISITED)
    page = client.get(f"/article/{rowid}").text
    for shown in ("朱是西深入高新区调研指导企业复工复产和疫情防控工作", "驻马店网", "滑清泉", "2020-02-20"):
        assert shown in page
    api = client.get(f"/api/article/{rowid}").json()
    versions = api["versions"]
    assert len(versions) == 3  # the seed, the crawl, the revisit — in capture order
    assert versions[0]["url"] is None and versions[-1]["fetched_at"].startswith("2026-06")
    last = api["diffs"][-1]["diff"]
    assert last["status"] == "edited" and "察看并" in "".join(last["insertions"])
    assert {"field": "editor", "old": "律凯凯", "new": "王小明"} in last["metadata"]
    assert "<ins>察看并</ins>" in client.get(f"/article/{versions[-1]['rowid']}").text
    assert EDIT[1] in client.get(f"/article/{versions[-1]['rowid']}").text


def test_removed_blocks_and_repairs_are_shown_on_request(client: TestClient) -> None:
    rowid = rowid_of(client, "宿迁", "/big5/")
    page = client.get(f"/article/{rowid}").text
    assert '<details class="repairs"' in page and "convert_to_simplified" in page
    rec = client.get(f"/api/article/{rowid}").json()["record"]
    for block in rec["removed"]:
        assert f"<code>{block['kind']}</code>" in page


def test_reposts_list_the_big5_mirror(client: TestClient) -> None:
    rowid = rowid_of(client, "宿迁", "/xwzx/gzdt/202002/t20200212_2002.html")
    reposts = client.get(f"/api/article/{rowid}").json()["reposts"]
    assert any("/big5/" in (r["url"] or "") for r in reposts)


def test_nothing_from_the_archive_becomes_markup(client: TestClient) -> None:
    rowid = rowid_of(client, "常务会议", "evil.example")
    for path in ("/", f"/article/{rowid}"):
        page = client.get(path, params={"q": "常务会议"} if path == "/" else None).text
        assert "<script" not in page.lower() and "onerror=" not in page
        assert "&lt;script&gt;" in page
    api = client.get(f"/api/article/{rowid}").json()
    title = api["record"]["title"]  # the normaliser's punctuation repair may touch it, the markup stays
    assert title.startswith("测试<script>alert") and title.endswith(HOSTILE_TITLE[-10:])


def test_links_out_only_to_http_urls() -> None:
    from newsarchive.serve.views import safe_href

    assert safe_href("javascript:alert(1)") is None and safe_href("data:text/html,x") is None


def test_raw_capture_is_sandboxed_and_decoded_as_cleaned(client: TestClient) -> None:
    rowid = rowid_of(client, "刘南昌", "/content/post_3003.html")  # header says gbk, body is UTF-8
    r = client.get(f"/raw/{rowid}")
    assert r.headers["content-security-policy"] == RAW_CSP
    assert r.headers["content-type"] == "text/html; charset=utf-8" and "刘南昌" in r.content.decode("utf-8")
    src = client.get(f"/raw/{rowid}", params={"view": "source"})
    assert src.headers["content-type"].startswith("text/plain")
    assert src.headers["x-content-type-options"] == "nosniff"


def test_app_pages_forbid_script_and_the_app_is_read_only(client: TestClient, archive: Path) -> None:
    before = (archive / INDEX_NAME).read_bytes()
    r = client.get("/")
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none': no script
    assert client.post("/", data={"q": "x"}).status_code == 405
    assert client.get("/article/999999").status_code == 404
    assert (archive / INDEX_NAME).read_bytes() == before


def test_record_id_redirects_to_the_newest_capture(client: TestClient) -> None:
    rowid = rowid_of(client, "朱是西", REVISITED)
    rec_id = client.get(f"/api/article/{rowid}").json()["record"]["id"]
    r = client.get(f"/record/{rec_id}", follow_redirects=False)
    newest = client.get(f"/api/article/{rowid}").json()["versions"][-1]["rowid"]
    assert r.status_code == 303 and r.headers["location"] == f"/article/{newest}"


def test_serve_without_an_index_says_how_to_build_it(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "newsarchive", "serve", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2 and "newsarchive index" in proc.stderr


def test_an_index_replaced_by_junk_while_serving_is_a_503_with_the_fix(tmp_path: Path) -> None:
    archive = build_offline_archive(tmp_path / "archive")
    client = TestClient(create_app(archive))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{archive / INDEX_NAME}{suffix}").unlink(missing_ok=True)
    (archive / INDEX_NAME).write_bytes(b"not a database" * 100)
    r = client.get("/api/search", params={"q": "疫情"})
    assert r.status_code == 503 and "newsarchive index" in r.json()["error"]
