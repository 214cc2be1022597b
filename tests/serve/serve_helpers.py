"""Archives for the serve tests, written into a temporary folder in the archive layout.

- the bundled seeds (``archive/seeds``: captures and their records, copied);
- pages of the bundled sample portal written as one crawl's WARC + JSONL (:func:`write_capture`: the
  crawler's own writer and ``normalize.clean``, as the crawl does) — or a real ``scrapy crawl sample``
  (the browser tests);
- a revisit of one article, a sentence edited and the editor changed (a second version of it);
- a hostile page (:data:`HOSTILE_HTML`): <script> in its title and body, quotes, ``javascript:`` links,
  an inline event handler, a meta refresh and sub-resources pointing at a "beacon" URL (a test's own
  loopback server, which must never be contacted).

A plain module with a unique name rather than conftest.py (see tests/newsarchive/archive_helpers.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newsarchive.captures import Exchange, WarcSegmentWriter
from newsarchive.index import ArchiveIndex
from newsarchive.records import fill_archive_fields
from normalize import clean

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "archive" / "seeds"
SITE = REPO / "crawler" / "sample_portal" / "site"
HEADERS = json.loads((SITE / "_headers.json").read_text(encoding="utf-8"))

REVISITED = "/art/2020/2/20/art_1229_1001.html"  # 朱是西深入高新区调研指导企业复工复产和疫情防控工作
EDIT = ("实地调研指导", "实地察看并调研指导")  # the sentence edited in the revisit
SAMPLE_PAGES = (
    REVISITED,
    "/content/post_3003.html",
    "/xwzx/gzdt/202002/t20200212_2002.html",
    "/big5/xwzx/gzdt/202002/t20200212_2002.html",
    "/szb/html/2020-02/18/content_1227.htm",
)
HOSTILE_URL = "http://evil.example.gov.cn/news/1.html"
HOSTILE_TITLE = "测试<script>alert(\"标题\")</script>“引号”'单引号'"


def hostile_html(beacon: str) -> str:
    """The hostile page; every sub-resource and script would contact ``beacon`` if it ever ran."""
    t = HOSTILE_TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    para = "市政府召开常务会议，研究部署企业复工复产和疫情防控工作。会议强调，要统筹推进各项工作。"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{t}</title>
<meta http-equiv="refresh" content="3;url={beacon}/refresh">
<link rel="stylesheet" href="{beacon}/style.css">
<script>document.title = "SCRIPT-RAN"; new Image().src = "{beacon}/script";</script>
<script src="{beacon}/external.js"></script>
</head><body>
<h1>{t}</h1>
<div class="content" id="content">
<p>{para}</p>
<p>正文里有&lt;script&gt;alert(1)&lt;/script&gt;和“javascript:alert(2)”以及&quot;双引号&quot;与'单引号'。</p>
<p>{para}会议要求各部门狠抓落实，确保各项措施落地见效。</p>
<p><a id="jslink" href="javascript:document.title='LINK-RAN'">点击这里</a>
<img id="badimg" src="x" onerror="document.title='ONERROR-RAN'">
<img src="{beacon}/pixel.gif"></p>
</div>
<iframe src="{beacon}/frame"></iframe>
</body></html>"""


def copy_seeds(archive: Path) -> None:
    dest = archive / "seeds"
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.iterdir()):
        if path.suffix in (".txt", ".json"):
            shutil.copy2(path, dest / path.name)


def write_capture(archive: Path, site: str, crawl_id: str, pages: list[tuple[str, bytes, str]],
                  fetched_at: datetime) -> None:  # fmt: skip
    """Write (url, body, content type) pages as one crawl: WARC segment + records cleaned from it."""
    with WarcSegmentWriter(archive, site, crawl_id, fsync_interval=None) as writer:
        for url, body, content_type in pages:
            exchange = Exchange(url, 200, body, [("Content-Type", content_type)], fetched_at=fetched_at)
            pointer = writer.write_exchange(exchange)
            records = clean(body, url=url, http_charset=content_type, kind="html")
            dicts = []
            for i, rec in enumerate(records):
                d = rec.to_dict()
                capture = {**pointer.to_dict(), "index": i}
                fill_archive_fields(d, url=url, site=site, capture=capture, fetched_at=pointer.fetched_at)
                dicts.append(d)
            writer.append_records(pointer, dicts)


def portal_page(path: str) -> tuple[bytes, str]:
    body = (SITE / path.lstrip("/")).read_bytes()
    return body, HEADERS.get(path, {}).get("headers", {}).get("Content-Type", "text/html")


def revisit(archive: Path, base_url: str, when: datetime | None = None) -> None:
    """A later capture of :data:`REVISITED` (at ``when``, default now) with :data:`EDIT` made and
    another editor."""
    body, content_type = portal_page(REVISITED)
    text = body.decode("utf-8").replace(EDIT[0], EDIT[1], 1).replace("律凯凯", "王小明")
    when = when or datetime.now(UTC) + timedelta(seconds=1)
    write_capture(archive, "sample", "revisit", [(base_url + REVISITED, text.encode("utf-8"), content_type)],
                  when)  # fmt: skip


def add_hostile(archive: Path, beacon: str) -> None:
    when = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    page = hostile_html(beacon).encode("utf-8")
    write_capture(archive, "evil", "evil", [(HOSTILE_URL, page, "text/html; charset=utf-8")], when)


def build_offline_archive(archive: Path, beacon: str = "http://127.0.0.1:9") -> Path:
    """Seeds + sample portal pages written as a crawl + a revisit + the hostile page; indexed."""
    base = "http://127.0.0.1:8731"
    copy_seeds(archive)
    pages = [(base + p, *portal_page(p)) for p in SAMPLE_PAGES]
    write_capture(archive, "sample", "sample-portal", pages, datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    revisit(archive, base, datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    add_hostile(archive, beacon)
    with ArchiveIndex(archive) as index:
        stats = index.update(search=True)
    assert not stats.problems, stats.problems
    return archive


def crawl_sample(archive: Path, base_url: str) -> None:
    """A real `scrapy crawl sample` of the portal at ``base_url`` into ``archive`` (politeness off)."""
    settings = {
        "NEWSARCHIVE_ARCHIVE_DIR": str(archive), "NEWSARCHIVE_CRAWL_ID": "sample-portal",
        "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CRAWL_DELAY_ENABLED": "False",
        "CLEAN_WORKERS": "1", "REMOTE_CONTROL_ENABLED": "False", "TELNETCONSOLE_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sample", "-a", f"base_url={base_url}"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-3000:]


def records_containing(archive: Path, needle: str) -> dict[int, Any]:
    """Brute force: rowid -> title of every indexed record whose title or text contains ``needle``."""
    with ArchiveIndex(archive) as index:
        rows = list(index.rows())
        records = index.load_records(r.rowid for r in rows)
    return {
        rowid: rec.title
        for rowid, rec in records.items()
        if needle.lower() in (rec.title or "").lower() or needle.lower() in rec.text.lower()
    }
