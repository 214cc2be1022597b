"""The sample portal: the server sends the bytes and headers as designed, the build is reproducible, and
the reference articles are what the issue asks for (simplified, full-width punctuation, no annotations)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import opencc
import pytest

from crawler.sample_portal import build
from crawler.sample_portal.articles import expected_records, load_articles
from crawler.sample_portal.badcases import BADCASES, BIG_BODY_BYTES
from crawler.sample_portal.server import PortalServer, Reply, serve

SITE = Path(build.__file__).resolve().parent / "site"
REPO = Path(__file__).resolve().parents[2]


def fetch(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# ------------------------------------------------------------------ encodings as designed

ENCODING_CASES = [
    # (id, path, Content-Type header, how the body decodes, what must be in the text)
    ("utf8-header-and-meta", "/art/2020/2/20/art_1229_1001.html", "text/html; charset=utf-8", "utf-8",
     "朱是西深入高新区调研指导企业复工复产和疫情防控工作"),
    ("gbk-declared-gb2312", "/xwzx/gzdt/202002/t20200212_2002.html", "text/html; charset=gb2312", "gbk",
     "宿迁市召开服务企业复工复产工作专题会商会"),
    ("header-gbk-body-utf8", "/content/post_3003.html", "text/html; charset=gbk", "utf-8",
     "毫不放松 统筹推进 抓实抓细各项工作"),
    ("utf8-bom-no-header-charset", "/art/2022/11/7/art_1229_4004.html", "text/html", "utf-8-sig",
     "卢东亮深入企业督导调研疫情防控和复工复产工作"),
    ("big5-traditional", "/big5/xwzx/gzdt/202002/t20200212_2002.html", "text/html; charset=big5", "big5",
     "宿遷市召開服務企業復工復產工作專題會商會"),
]


@pytest.mark.parametrize(("path", "content_type", "codec", "needle"),
                         [case[1:] for case in ENCODING_CASES], ids=[case[0] for case in ENCODING_CASES])
def test_served_bytes_and_headers(portal_url: str, path: str, content_type: str, codec: str,
                                  needle: str) -> None:
    status, headers, body = fetch(portal_url + path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert body == (SITE / path.lstrip("/")).read_bytes(), "server must send the stored bytes unchanged"
    assert needle in body.decode(codec)


def test_bom_page_starts_with_bom_and_others_do_not(portal_url: str) -> None:
    assert fetch(portal_url + "/art/2022/11/7/art_1229_4004.html")[2].startswith(b"\xef\xbb\xbf")
    assert not fetch(portal_url + "/art/2020/2/20/art_1229_1001.html")[2].startswith(b"\xef\xbb\xbf")


def test_header_contradicts_meta_on_purpose(portal_url: str) -> None:
    _, headers, body = fetch(portal_url + "/content/post_3003.html")
    assert "charset=gbk" in headers["Content-Type"]
    assert b'charset=utf-8"' in body[:400]
    with pytest.raises(UnicodeDecodeError):
        body.decode("gbk")  # trusting the header would produce mojibake; the body is UTF-8


def test_gbk_page_is_not_valid_utf8_and_declares_gb2312(portal_url: str) -> None:
    _, _, body = fetch(portal_url + "/xwzx/gzdt/202002/t20200212_2002.html")
    assert b"charset=gb2312" in body[:400]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_robots_txt_has_crawl_delay_and_disallow(portal_url: str) -> None:
    status, headers, body = fetch(portal_url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert re.search(rb"^Crawl-delay: 0\.5$", body, re.M)
    assert re.search(rb"^Disallow: /search/$", body, re.M)


def test_missing_path_and_manifest_are_404(portal_url: str) -> None:
    assert fetch(portal_url + "/content/post_0.html")[0] == 404
    assert fetch(portal_url + "/_headers.json")[0] == 404
    assert fetch(portal_url + "/../../../etc/passwd")[0] == 404


def test_server_records_requests(portal_server: PortalServer, portal_url: str) -> None:
    request = urllib.request.Request(portal_url + "/index.html", headers={"User-Agent": "probe/1.0"})
    urllib.request.urlopen(request, timeout=5).read()
    assert portal_server.hits["/index.html"] >= 1
    assert ("GET", "/index.html", "probe/1.0") in portal_server.log


def test_routes_win_over_static_files(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"static")
    server, base = serve(tmp_path, routes={"/a.html": lambda request: build_reply(request.hit)})
    try:
        assert fetch(base + "/a.html")[2] == b"hit 1"
        assert fetch(base + "/a.html")[2] == b"hit 2"
    finally:
        server.shutdown()


def build_reply(hit: int) -> Reply:
    return Reply(headers={"Content-Type": "text/plain"}, body=f"hit {hit}".encode())


def test_cli_prints_base_url_and_serves(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_bytes(b"<p>ok</p>")
    proc = subprocess.Popen([sys.executable, "-m", "crawler.sample_portal.server", "--root", str(tmp_path)],
                            stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        assert fetch(base + "/")[2] == b"<p>ok</p>"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


# ------------------------------------------------------------------ page kinds


def test_list_pages_paginate_both_ways(portal_url: str) -> None:
    zwyw = fetch(portal_url + "/xwzx/zwyw/index.html")[2].decode()
    assert '<a href="index_1.html">下一页</a>' in zwyw
    gzdt = fetch(portal_url + "/xwzx/gzdt/index.html")[2].decode()
    assert 'createPageHTML(2, 0, "index", "html");' in gzdt and "下一页" not in gzdt
    assert fetch(portal_url + "/xwzx/gzdt/index_1.html")[0] == 200
    assert fetch(portal_url + "/xwzx/zwyw/index_1.html")[0] == 200


def test_every_article_is_linked_from_a_list_page(portal_url: str) -> None:
    lists = ["/xwzx/zwyw/index.html", "/xwzx/zwyw/index_1.html", "/xwzx/gzdt/index.html",
             "/xwzx/gzdt/index_1.html", "/szb/html/2020-02/18/node_7.htm", "/big5/index.html"]
    linked = set()
    for path in lists:
        body = fetch(portal_url + path)[2]
        linked |= {m.decode() for m in re.findall(rb'href="([^"]+)"', body)}
    base = "/szb/html/2020-02/18/"
    resolved = {base + link if not link.startswith(("/", "http", "javascript")) else link for link in linked}
    assert {page.url for page in load_articles()} <= resolved


def test_article_templates_carry_portal_furniture(portal_url: str) -> None:
    table = fetch(portal_url + "/art/2020/2/20/art_1229_1001.html")[2].decode()
    for marker in ("现在位置", "【打印本页】", "【关闭窗口】", "责任编辑：律凯凯", "摘要：", "版权声明",
                   "公网安备", "ICP备"):
        assert marker in table, marker
    div = fetch(portal_url + "/xwzx/gzdt/202002/t20200210_2001.html")[2].decode()
    for marker in ("来源：市工业和信息化局", "作者：王晓", "责任编辑：张丽", "发布时间：2020-02-10",
                   "扫一扫", "分享到"):
        assert marker in div, marker
    epaper = fetch(portal_url + "/szb/html/2020-02/18/content_1227.htm")[2].decode()
    assert epaper.count('class="byline"') == 5 and "第7期（总第1227期）" in epaper and "方韋" in epaper


# ------------------------------------------------------------------ reference data

FULLWIDTH_ONLY = re.compile(r"[\u4e00-\u9fff][,:;?!()]|[,:;?!()][\u4e00-\u9fff]")
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def test_reference_texts_are_clean_simplified_with_fullwidth_punctuation() -> None:
    t2s = opencc.OpenCC("t2s")
    for record in expected_records():
        parts = [record["kicker"], record["title"], record["subtitle"], record["text"]]
        text = "\n".join(part for part in parts if part)
        assert not FULLWIDTH_ONLY.search(text), (record["page"], FULLWIDTH_ONLY.search(text))
        assert not PINYIN.search(text), record["page"]
        assert "锚点" not in text and "錨點" not in text
        if record["script"] == "simplified":
            leftover = {c for c in text if t2s.convert(c) != c} - set("韋")  # 方韋 is a name, kept as written
            assert not leftover, (record["page"], leftover)
            assert "著" not in text and "陜" not in text, record["page"]


def test_expected_records_match_the_issue() -> None:
    records = expected_records()
    assert len(records) == 13
    epaper = [r for r in records if r["url"].endswith("content_1227.htm")]
    assert [r["authors"] or r["photographers"] for r in epaper] == [
        ["言武旭"], ["许应田"], ["尹天"], ["方韋"], ["许丛军"]]
    first = next(r for r in records if r["url"] == "/art/2020/2/20/art_1229_1001.html")
    assert (first["authors"], first["photographers"], first["editor"]) == (["滑清泉"], ["谭啸"], "律凯凯")
    dates = {r["url"]: r["published"] for r in records}
    assert dates["/xwzx/gzdt/202002/t20200212_2002.html"] == "2020-02-12T08:28"
    assert dates["/art/2022/11/7/art_1229_4004.html"] == "2022-11-07"
    # sentences are not broken across lines: every paragraph of a seed article ends a sentence
    for record in records:
        for paragraph in record["text"].split("\n"):
            assert paragraph[-1] in "。！？”）…" or record["page"].startswith("9"), paragraph[-20:]


# ------------------------------------------------------------------ reproducible build


def test_build_output_equals_committed_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build.build(out)
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    committed = {p.relative_to(SITE).as_posix(): p.read_bytes() for p in SITE.rglob("*") if p.is_file()}
    assert sorted(built) == sorted(committed), "run `python -m crawler.sample_portal.build` and commit site/"
    changed = [name for name in built if built[name] != committed[name]]
    assert not changed, f"site/ is stale for {changed}: rebuild with `python -m crawler.sample_portal.build`"


def test_large_copy_for_the_benchmark(tmp_path: Path) -> None:
    files = build.build(tmp_path / "big", copies=50)
    articles = [path for path in files if path.startswith("/content/post_1000")]
    assert len(articles) == 50
    manifest = json.loads((tmp_path / "big" / "_headers.json").read_text(encoding="utf-8"))
    assert all(path in manifest for path in files)


# ------------------------------------------------------------------ bad cases


def test_badcase_index_links_every_case(badcase_url: str) -> None:
    body = fetch(badcase_url + "/index.html")[2].decode()
    for case in BADCASES:
        assert f'href="{case.href}"' in body, case.id


def test_badcase_replies(badcase_url: str, badcase_server: PortalServer) -> None:
    _, headers, body = fetch(badcase_url + "/content/post_1001.html")
    assert headers["Content-Type"] == "text/html; charset=gbk" and "县委书记" in body.decode("utf-8")
    _, headers, body = fetch(badcase_url + "/content/post_1002.html")
    assert headers["Content-Type"] == "text/html" and b"charset" not in body
    assert "春耕备耕" in body.decode("gbk")
    _, headers, body = fetch(badcase_url + "/content/post_1003.html")
    with pytest.raises(UnicodeEncodeError):
        "堃喆镕".encode("gb2312")  # the point of the case: rare characters outside GB2312
    assert all(c in body.decode("gb18030") for c in "堃喆镕")
    assert fetch(badcase_url + "/content/post_1004.html")[0] == 404
    statuses = [fetch(badcase_url + "/content/post_1005.html")[0] for _ in range(2)]
    assert sorted(statuses) == [200, 500]
    _, headers, body = fetch(badcase_url + "/content/post_1008.html")
    assert len(body) > BIG_BODY_BYTES and int(headers["Content-Length"]) == len(body)
    _, headers, body = fetch(badcase_url + "/content/post_1009.html")
    assert headers["Content-Type"] == "text/html" and body.startswith(b"%PDF-")
    assert b"Disallow: /private/" in fetch(badcase_url + "/robots.txt")[2]
    page = fetch(badcase_url + "/list/endless.html?page=7")[2].decode()
    assert 'href="/list/endless.html?page=8">下一页' in page


def test_badcase_redirect_loop(badcase_url: str) -> None:
    opener = urllib.request.build_opener(NoRedirect)
    locations = []
    url = badcase_url + "/content/post_1007.html"
    for _ in range(3):
        try:
            opener.open(url, timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 302
            url = badcase_url + error.headers["Location"]
            locations.append(error.headers["Location"])
    assert locations == ["/redirect/loop-b.html", "/content/post_1007.html", "/redirect/loop-b.html"]


def test_badcase_slow_reply_times_out(badcase_url: str) -> None:
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(badcase_url + "/content/post_1006.html", timeout=0.3).read()


# ------------------------------------------------------------------ main-job summary


def write_tiny_capture(folder: Path, crawl_id: str) -> None:
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder.mkdir(parents=True)
    with (folder / f"{crawl_id}-00000.warc.gz").open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for n in range(3):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"http://127.0.0.1/content/post_{n}.html", "response",
                                               payload=BytesIO(b"<p>x</p>"), http_headers=headers)
            writer.write_record(record)
    lines = [json.dumps({"title": f"标题{n}", "url": f"http://127.0.0.1/content/post_{n}.html"})
             for n in (0, 1)]
    (folder / f"{crawl_id}-00000.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_summary_counts_files_and_reads_drops_from_the_log(tmp_path: Path) -> None:
    from crawler.sample_portal.summary import load_stats, summary_lines

    write_tiny_capture(tmp_path / "captures" / "sample", "run")
    log = tmp_path / "crawl.log"
    log.write_text("2026-01-01 00:00:00 [scrapy.statscollectors] INFO: Dumping Scrapy stats:\n"
                   "{'downloader/response_count': 4,\n 'newsarchive/drop/http-404': 1,\n"
                   " 'start_time': datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)}\n"
                   "2026-01-01 00:00:01 [scrapy.core.engine] INFO: Spider closed (finished)\n",
                   encoding="utf-8")
    stats = load_stats(tmp_path / "missing.json", log)
    text = "\n".join(summary_lines(tmp_path, "sample", "run", stats))
    assert "pages fetched      3 responses in WARC (stats: 4 downloaded" in text
    assert "articles written   2 records" in text
    assert "drops by reason    http-404 1" in text
    assert "run-00000.warc.gz" in text and "run-00000.jsonl" in text


def test_summary_says_when_stats_are_missing(tmp_path: Path) -> None:
    from crawler.sample_portal.summary import load_stats, summary_lines

    write_tiny_capture(tmp_path / "captures" / "sample", "run")
    text = "\n".join(summary_lines(tmp_path, "sample", "run", load_stats(None, None)))
    assert "no crawl stats found" in text
