"""Revisit: edition 1 of the sample portal is crawled, the server moves to edition 2 (same address), and
``scrapy crawl sample -a mode=revisit -a due=all`` revisits it; ``newsarchive index`` then classifies every
capture. One test per edition-2 case (crawler/sample_portal/edition2.toml says what each must be), and:
revisit records in the WARC (server-not-modified / identical-payload-digest; `warcio check` clean),
nothing archived before is rewritten, the commands (history, changes as text / JSON lines / Atom / HTML,
export with state and version), a revisit killed with SIGKILL and resumed records each capture once.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crawler_helpers import REPO, crawl_command, run_crawl, warc_files, warcs_read_whole

from crawler.sample_portal.editions import Case, check_cases, load_edition
from crawler.sample_portal.server import PortalServer, edition_root, serve
from newsarchive import capturelog, history
from newsarchive.cli import main as newsarchive
from newsarchive.export import iter_export
from newsarchive.index import ArchiveIndex

pytestmark = pytest.mark.slow
CASES = load_edition().cases
REVISIT = ["-a", "mode=revisit", "-a", "due=all"]


def revisit(base: str, archive: Path, crawl_id: str, **settings: str) -> subprocess.CompletedProcess[str]:
    merged = {"NEWSARCHIVE_CRAWL_ID": crawl_id, "NEWSARCHIVE_STATS_FILE": str(archive / f"{crawl_id}.json"),
              **settings}
    cmd = crawl_command("sample", base, archive, merged) + REVISIT
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120, env=dict(os.environ))


def hashes(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def edition2_server() -> Iterator[PortalServer]:
    server, _ = serve()  # its own server: it is moved to edition 2 halfway
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def revisited(edition2_server: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    server, base = edition2_server, edition2_server.base_url
    archive = tmp_path_factory.mktemp("revisit") / "archive"
    run_crawl("sample", base, archive, NEWSARCHIVE_CRAWL_ID="edition1")
    first = hashes(archive / "captures" / "sample")
    server.switch(edition_root(2))
    proc = revisit(base, archive, "edition2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    stats = json.loads((archive / "edition2.json").read_text(encoding="utf-8"))
    verdicts = check_cases(archive, base)
    return {"archive": archive, "base": base, "first": first, "stats": stats, "verdicts": verdicts,
            "server": server, "log": proc.stderr}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.change}:{c.page}" for c in CASES])
def test_edition2_case_is_classified_as_the_reference_says(case: Case, revisited: dict[str, Any]) -> None:
    found = [v for v in revisited["verdicts"] if v.case == case]
    assert found and all(v.ok for v in found), [(v.url, v.case.expect, v.case.how, v.got) for v in found]


def test_unchanged_pages_cost_a_revisit_record_not_a_copy(revisited: dict[str, Any]) -> None:
    archive, base = revisited["archive"], revisited["base"]
    segments = [p for p in warc_files(archive, "sample") if p.name.startswith("edition2-")]
    warcs_read_whole(warc_files(archive, "sample"))
    with ArchiveIndex(archive) as index:
        index.update()
        caps = [c for c in capturelog.captures(index.db, "sample") if c.crawl == "edition2"]
    unchanged = [c for c in CASES if c.expect == "unchanged"]
    for case in unchanged:
        [cap] = [c for c in caps if c.url == base + case.url]
        assert cap.rec_type == "revisit" and cap.profile == case.revisit
        assert cap.refers_to and cap.refers_to_uri == base + case.url and cap.payload_digest
        assert cap.length < 700, f"{case.url}: a {cap.length}-byte revisit record"
    stats = revisited["stats"]
    assert stats["newsarchive/warc_revisits/server-not-modified"] >= 3  # 304s: the e-paper, Big5 mirror ...
    assert stats["newsarchive/revisit/conditional"] == 9  # every archived article asked conditionally
    assert len(segments) == 1 and stats.get("newsarchive/records_written") == 4  # corrected, moved, 2 new


def test_nothing_archived_before_is_rewritten(revisited: dict[str, Any]) -> None:
    now = hashes(revisited["archive"] / "captures" / "sample")
    assert {name: now[name] for name in revisited["first"]} == revisited["first"]


def test_the_site_not_found_page_was_probed_once(revisited: dict[str, Any]) -> None:
    assert revisited["stats"]["newsarchive/probe/http-404"] == 1
    probes = [line for line in revisited["server"].log if "newsarchive-not-found-" in line[1]]
    assert len(probes) == 1


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = newsarchive(list(args))
    return code, capsys.readouterr().out


def test_changes_command_text_jsonl_atom_html(revisited: dict[str, Any], capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    archive, base = str(revisited["archive"]), revisited["base"]
    code, text = run_cli(capsys, "changes", archive, "--state", "edited,deleted,moved", "--color", "never")
    assert code == 0
    assert "5 changes: 3 deleted (http-404 1, placeholder 1, redirect-home 1), 1 moved, 1 edited" in text
    code, lines = run_cli(capsys, "changes", archive, "--format", "jsonl", "--state", "edited")
    [edit] = [json.loads(line) for line in lines.splitlines()]
    assert edit["url"] == base + "/xwzx/gzdt/202002/t20200210_2001.html" and edit["version"] == 2
    assert [c["field"] for c in edit["diff"]["metadata"]] == ["authors"]
    assert any("163" in c["new"] for c in edit["diff"]["changes"])
    code, atom = run_cli(capsys, "changes", archive, "--format", "atom")
    feed = ET.fromstring(atom)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == len({e.findtext("a:id", namespaces=ns) for e in entries}) > 10
    assert any("[edited]" in (e.findtext("a:title", namespaces=ns) or "") for e in entries)
    report = tmp_path / "changes.html"
    assert newsarchive(["changes", archive, "--format", "html", "-o", str(report)]) == 0
    page = report.read_text(encoding="utf-8")
    assert "<ins>6</ins>" in page or "<ins>163</ins>" in page or "<ins>" in page
    assert "<details><summary>" in page and "unchanged articles" in page
    assert page.index("edited") < page.index("unchanged articles")


def test_history_command_shows_every_capture_and_the_tombstone(
        revisited: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    archive, base = str(revisited["archive"]), revisited["base"]
    code, text = run_cli(capsys, "history", base + "/xwzx/gzdt/202002/t20200205_2000.html", archive,
                         "--color", "never")
    assert code == 0 and "new" in text and "deleted (http-404)" in text
    assert "last text (tombstone): 疫情防控期间，市政务服务中心全面推行" in text
    code, doc = run_cli(capsys, "history", base + "/xwzx/gzdt/202002/t20200210_2001.html", archive,
                        "--format", "json")
    [article] = json.loads(doc)["articles"]
    assert [c["state"] for c in article["captures"]] == ["new", "edited"]
    assert article["captures"][1]["diff"]["sentences"]["changed"] == 1
    assert newsarchive(["history", "http://nowhere.example/x.html", archive]) == 2


def test_export_gains_state_and_version_with_ids_unique(revisited: dict[str, Any]) -> None:
    rows = [item.to_row() for item in iter_export(revisited["archive"])]
    assert len({r["id"] for r in rows}) == len(rows)
    edited = sorted((r["version"], r["state"]) for r in rows if r["url"].endswith("t20200210_2001.html"))
    assert edited == [(1, "new"), (2, "edited")]
    assert Counter(r["state"] for r in rows)["moved"] == 1


@pytest.mark.parametrize("point", ["revisit-write:3", "response:6"])
def test_revisit_killed_and_resumed_records_each_article_once(
        point: str, revisited: dict[str, Any], tmp_path: Path) -> None:
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(revisited["archive"] / "captures", archive / "captures",
                    ignore=shutil.ignore_patterns("edition2-*"))
    jobdir = tmp_path / "job"
    kill = {"JOBDIR": str(jobdir), "KILL_AT": point,
            "SCHEDULER": "crawler.sample_portal.killpoints.KillingScheduler",
            "SCHEDULER_DISK_QUEUE": "crawler.sample_portal.killpoints.KillingLifoQueue",
            "SCHEDULER_START_DISK_QUEUE": "crawler.sample_portal.killpoints.KillingFifoQueue"}
    killed = revisit(revisited["base"], archive, "again", **kill)
    assert killed.returncode == -9, killed.stderr[-2000:]
    resumed = revisit(revisited["base"], archive, "again", JOBDIR=str(jobdir))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    warcs_read_whole(warc_files(archive, "sample"))
    with ArchiveIndex(archive) as index:
        index.update()
        again = [c for c in capturelog.captures(index.db, "sample") if c.crawl == "again"]
        recorded = Counter(url for (url,) in index.db.execute(
            "SELECT r.url FROM capture_records r JOIN capture_log c ON c.file = r.capture_file "
            "AND c.offset = r.capture_offset WHERE c.crawl = 'again'"))
        rows = [r for r in history.rows(index.db) if r.date >= min(c.date for c in again)]
    articles = {revisited["base"] + c.url for c in CASES} | {revisited["base"] + c.new_url for c in CASES
                                                           if c.new_url}
    # each article recorded exactly once by the crawl; a page captured just before the kill, whose
    # record was not written yet, is fetched again by the resume (a second capture, never a second record)
    changed = {revisited["base"] + (c.new_url or c.url) for c in CASES if c.expect in ("edited", "moved")}
    assert all(recorded[url] == 1 for url in changed) and all(recorded[url] <= 1 for url in articles), \
        recorded
    caps = Counter(c.url for c in again)
    refetched = [url for url in articles if caps[url] > 1]
    assert all(caps[url] == 2 and recorded[url] == 1 for url in refetched), (caps, recorded)
    assert {r.url for r in rows} >= {revisited["base"] + c.url for c in CASES if c.expect == "unchanged"}


PYWB = REPO / ".venv-pywb" / "bin"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_pywb_replays_revisit_records_with_the_original_payload(revisited: dict[str, Any],
                                                                tmp_path: Path) -> None:
    """pywb (started here on 127.0.0.1) serves each unchanged page at its revisit's time with the payload
    of the original capture: the revisit records resolve."""
    import time
    import urllib.request

    if not (PYWB / "wayback").exists():
        pytest.skip("pywb is not installed: run `bash scripts/install-pywb.sh` (a venv of its own, "
                    ".venv-pywb/; .ci/run does it)")
    archive, base = revisited["archive"], revisited["base"]
    manager = str(PYWB / "wb-manager")
    for args in (["init", "coll"], ["add", "coll", *map(str, warc_files(archive, "sample"))]):
        done = subprocess.run([manager, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    port = free_port()
    server = subprocess.Popen([str(PYWB / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with ArchiveIndex(archive) as index:
            index.update()
            caps = {c.url: c for c in capturelog.captures(index.db, "sample") if c.crawl == "edition2"}
        for case in [c for c in CASES if c.expect == "unchanged"]:
            url = base + case.url
            stamp = "".join(ch for ch in caps[url].date if ch.isdigit())[:14]
            body = fetch(f"http://127.0.0.1:{port}/coll/{stamp}id_/{url}", server, time, urllib.request)
            original = (REPO / "crawler" / "sample_portal" / "site" / case.url.lstrip("/")).read_bytes()
            assert body == original, f"{case.url}: pywb served {len(body)} bytes, not the original"
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url: str, server: subprocess.Popen[bytes], time: Any, request: Any) -> bytes:
    """GET from the pywb server, waiting (up to 30 s) for it to start listening."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with request.urlopen(url, timeout=10) as response:
                assert response.headers.get("Memento-Datetime"), "not a memento"
                return bytes(response.read())
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_a_plain_crawl_also_notices_archived_articles(revisited: dict[str, Any], tmp_path: Path) -> None:
    """`scrapy crawl sample` (no revisit mode) over an archive holding edition 1: conditional requests,
    revisit records for what did not change, records only for the changed and new articles."""
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(revisited["archive"] / "captures", archive / "captures",
                    ignore=shutil.ignore_patterns("edition2-*"))
    stats = run_crawl("sample", revisited["base"], archive, NEWSARCHIVE_CRAWL_ID="plain")
    assert stats["newsarchive/revisit/conditional"] >= 4  # the archived articles still listed
    assert stats["newsarchive/warc_revisits/server-not-modified"] >= 3
    assert stats["newsarchive/records_written"] == 4  # corrected, moved, two new
    with ArchiveIndex(archive) as index:
        index.update()
        plain = {c.id for c in capturelog.captures(index.db, "sample") if c.crawl == "plain"}
        states = Counter(r.state for r in history.rows(index.db) if r.capture in plain)
    # the lists no longer link the deleted and moved articles, so a plain crawl does not see them go (a
    # revisit does): the moved article's new URL is new until then
    assert (states["edited"], states["new"], states["deleted"]) == (1, 3, 0) and states["unchanged"] >= 3
