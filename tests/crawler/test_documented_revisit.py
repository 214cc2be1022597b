"""README's revisit, changes and history commands, run exactly as written (test_documented's rules: each
command verbatim in the docs, bash in a fresh copy with the venv active, relative paths, port 8731).

A user's session: the sample portal (edition 1) served and crawled, then the portal as it stood later
(edition 2) served on the same port by the documented command, revisited by the site's policy (nothing is
due yet, so only the start pages are walked: the archived articles they still list are asked
conditionally, the new ones recorded) and then with ``-a due=all``; the documented checks and commands
then show each edition-2 case as the reference data says.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_documented import PORT, SERVE, activated, bash, documented, fresh_copy, port_lock  # noqa: F401

pytestmark = pytest.mark.slow

EDITION2 = "python -m crawler.sample_portal.server --port 8731 --edition 2 &"
STATS = documented("-s NEWSARCHIVE_STATS_FILE=stats.json")


@contextmanager
def serving(copy: Path, command: str) -> Iterator[None]:
    server = subprocess.Popen(["bash", "-c", "exec " + documented(command).removesuffix(" &")], cwd=copy,
                              stdout=subprocess.PIPE, text=True, env=activated(copy))
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        assert base == f"http://127.0.0.1:{PORT}", base
        urllib.request.urlopen(base + "/robots.txt", timeout=10).read()
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def stats_of(copy: Path) -> dict[str, Any]:
    return dict(json.loads((copy / "stats.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def session(port_lock: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    copy = fresh_copy(tmp_path_factory.mktemp("revisit-session"))
    out: dict[str, Any] = {"copy": copy}
    with serving(copy, SERVE):
        out["crawl"] = bash(copy, documented("scrapy crawl sample -s NEWSARCHIVE_CONTACT=you@example.org"))
    with serving(copy, EDITION2):
        out["due"] = bash(copy, documented("scrapy crawl sample -a mode=revisit") + " " + STATS)
        out["due_stats"] = stats_of(copy)
        out["all"] = bash(copy, documented("scrapy crawl sample -a mode=revisit -a due=all") + " " + STATS)
        out["all_stats"] = stats_of(copy)
        out["editions"] = bash(copy, documented("python -m crawler.sample_portal.editions archive "
                                                "http://127.0.0.1:8731/"))
    return out


def test_revisit_by_policy_asks_what_the_lists_show_and_records_new_articles(session: dict[str, Any]) -> None:
    assert session["crawl"].returncode == 0, session["crawl"].stderr[-3000:]
    assert session["due"].returncode == 0, session["due"].stderr[-3000:]
    stats = session["due_stats"]
    assert stats["newsarchive/revisit/archived"] == 9 and stats["newsarchive/revisit/due"] == 0  # all young
    assert stats["newsarchive/revisit/conditional"] >= 4  # the archived articles edition 2 still lists
    assert stats["newsarchive/records_written"] == 4  # corrected, moved (new URL), two new


def test_revisit_of_every_article_then_every_case_as_the_reference_says(session: dict[str, Any]) -> None:
    assert session["all"].returncode == 0, session["all"].stderr[-3000:]
    stats = session["all_stats"]
    assert stats["newsarchive/revisit/due"] == stats["newsarchive/revisit/conditional"] == 12
    assert stats.get("newsarchive/records_written", 0) == 0  # nothing changed since the first revisit
    editions = session["editions"]
    assert editions.returncode == 0, editions.stdout + editions.stderr
    assert "10 of 10 as the reference data says" in editions.stdout


def test_changes_and_history_as_documented(session: dict[str, Any]) -> None:
    copy = session["copy"]
    changes = bash(copy, documented("newsarchive changes archive --site sample --state edited,deleted,moved "
                                    "--color never"))
    assert changes.returncode == 0, changes.stderr
    assert "5 changes: 3 deleted (http-404 1, placeholder 1, redirect-home 1), 1 moved, 1 edited" \
        in changes.stdout
    history = bash(copy, documented("newsarchive history http://127.0.0.1:8731/xwzx/gzdt/202002/"
                                    "t20200210_2001.html --color never"))
    assert history.returncode == 0, history.stderr
    assert "v2   edited" in history.stdout and "metadata authors: 王晓 -> 王骁" in history.stdout
    report = bash(copy, "newsarchive changes archive " + documented("--format html -o reports/changes.html"))
    assert report.returncode == 0, report.stderr  # reports/ is made
    assert "unchanged articles" in (copy / "reports" / "changes.html").read_text(encoding="utf-8")
    feed = bash(copy, "newsarchive changes archive " + documented("--since 2026-12-01") + " "
                + documented("--format atom"))  # every capture here is from today or later
    assert feed.returncode == 0 and feed.stdout.count("<entry>") >= 6, feed.stderr
    lines = bash(copy, "newsarchive changes archive " + documented("--format jsonl") + " --state edited")
    [edit] = [json.loads(line) for line in lines.stdout.splitlines()]
    assert edit["version"] == 2 and [m["field"] for m in edit["diff"]["metadata"]] == ["authors"]
