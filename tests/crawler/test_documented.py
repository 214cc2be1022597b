"""The crawler commands of README.md and crawler/sites/README.md, run exactly as written: each must appear
verbatim in the docs, and runs in bash from the root of a fresh copy of the repository (the files git
tracks or would track, `.venv` linked), with the venv active as README says (`. .venv/bin/activate`),
relative paths and all. The sample portal is served by the documented command on the documented port
(8731, held with a lock file so test runs of other checkouts wait their turn).

Polite settings as shipped (robots.txt, Crawl-delay, AutoThrottle): the crawls are slow, so the
independent ones run at the same time, each in its own copy.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from crawler_helpers import REPO, by_path, records_of

from crawler.sample_portal.articles import expected_records

pytestmark = pytest.mark.slow

DOCS = "\n".join((REPO / doc).read_text(encoding="utf-8") for doc in ("README.md", "crawler/sites/README.md"))
SERVE = "python -m crawler.sample_portal.server --port 8731 &"
PORT = 8731


def documented(command: str) -> str:
    """``command`` as the docs write it (the test fails when the docs change: update both)."""
    assert command in DOCS, f"not in README.md / crawler/sites/README.md: {command}"
    return command


def fresh_copy(dest: Path) -> Path:
    """The repository's files (tracked, and new ones git would track) under ``dest``, with .venv linked."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to(REPO / ".venv")
    return dest


def activated(copy: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment after `. .venv/bin/activate` in ``copy``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    venv = copy / ".venv"
    env.update(VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    env.update(extra or {})
    return env


def bash(copy: Path, command: str, timeout: float = 240, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=copy, capture_output=True, text=True, timeout=timeout,
                          env=activated(copy, env))


@pytest.fixture(scope="module")
def port_lock() -> Iterator[None]:
    """Hold port 8731 for this module: test runs of other checkouts on this machine wait."""
    with open(Path(tempfile.gettempdir()) / f"cn-gov-news-archive-port-{PORT}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="module")
def served(port_lock: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample portal, started by the documented command in a fresh copy."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            pytest.fail(f"port {PORT} is taken by another program; the documented sample portal needs it: "
                        "stop that program (a leftover `python -m crawler.sample_portal.server`?)")
    copy = fresh_copy(tmp_path_factory.mktemp("serve"))
    server = subprocess.Popen(["bash", "-c", "exec " + documented(SERVE).removesuffix(" &")], cwd=copy,
                              stdout=subprocess.PIPE, text=True, env=activated(copy))
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        assert base == f"http://127.0.0.1:{PORT}", base
        urllib.request.urlopen(base + "/robots.txt", timeout=10).read()
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def count_records(copy: Path) -> int:
    return sum(1 for r in records_of(copy / "archive", "sample"))


def crawl_and_replay(copy: Path) -> dict[str, Any]:
    crawled = bash(copy, documented("scrapy crawl sample -s NEWSARCHIVE_CONTACT=you@example.org"))
    originals = records_of(copy / "archive", "sample")
    replayed = bash(copy, documented("scrapy crawl sample -s REPLAY_WARC=archive/captures/sample"))
    return {"crawl": crawled, "records": originals, "replay": replayed,
            "replayed": records_of(copy / "archive", "sample", "*-replay.jsonl")}


def pause_and_resume(copy: Path) -> dict[str, Any]:
    """Ctrl-C once (SIGINT to the crawl) after some articles, then the same command again."""
    command = documented("scrapy crawl sample -s JOBDIR=jobs/sample")
    first = subprocess.Popen(["bash", "-c", "exec " + command], cwd=copy, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=activated(copy))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None and count_records(copy) < 3:
        time.sleep(0.2)
    at_pause = count_records(copy)
    first.send_signal(signal.SIGINT)
    _, first_err = first.communicate(timeout=120)
    resumed = bash(copy, command)
    return {"paused_status": first.returncode, "paused_log": first_err, "at_pause": at_pause,
            "resume": resumed, "records": records_of(copy / "archive", "sample")}


SINCE_AND_STATS = " ".join(("scrapy crawl sample", documented("-a since=2020-02-01"),
                            documented("-s NEWSARCHIVE_STATS_FILE=stats.json")))
SCENARIOS: dict[str, Callable[[Path], Any]] = {
    "crawl-and-replay": crawl_and_replay,
    "pause-and-resume": pause_and_resume,
    "feed": lambda copy: bash(copy, documented("scrapy crawl sample -O articles.jsonl")),
    "since-and-stats": lambda copy: bash(copy, SINCE_AND_STATS),
    "main-job": lambda copy: bash(copy, documented("bash scripts/run-sample.sh"), timeout=400),
}


@pytest.fixture(scope="module")
def runs(served: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    copies = {name: fresh_copy(tmp_path_factory.mktemp(name)) for name in SCENARIOS}
    with ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        futures = {name: pool.submit(SCENARIOS[name], copies[name]) for name in SCENARIOS}
        return {name: (copies[name], future.result()) for name, future in futures.items()}


def assert_every_article_once(records: list[dict[str, Any]]) -> None:
    pages = by_path(records)
    want = by_path([{**r, "url": "http://x" + r["url"]} for r in expected_records()])
    assert {p: len(rs) for p, rs in pages.items()} == {p: len(rs) for p, rs in want.items()}
    assert len({r["id"] for r in records}) == len(records)


def test_scrapy_crawl_sample_as_documented(runs: dict[str, tuple[Path, Any]]) -> None:
    _, result = runs["crawl-and-replay"]
    assert result["crawl"].returncode == 0, result["crawl"].stderr[-3000:]
    assert_every_article_once(result["records"])
    assert "The User-Agent gives webmasters no way to reach you" in result["crawl"].stderr  # example.org


def test_replay_with_the_documented_relative_path(runs: dict[str, tuple[Path, Any]]) -> None:
    _, result = runs["crawl-and-replay"]
    assert result["replay"].returncode == 0, result["replay"].stderr[-3000:]
    assert sorted(r["id"] for r in result["replayed"]) == sorted(r["id"] for r in result["records"])


def test_pause_with_ctrl_c_then_resume_as_documented(runs: dict[str, tuple[Path, Any]]) -> None:
    _, result = runs["pause-and-resume"]
    assert result["paused_status"] == 130, result["paused_log"][-3000:]  # interrupted, not failed
    assert 3 <= result["at_pause"] < len(expected_records()), "the pause did not come mid-crawl"
    assert result["resume"].returncode == 0, result["resume"].stderr[-3000:]
    assert "resuming crawl" in result["resume"].stderr
    assert_every_article_once(result["records"])


def test_feed_as_documented(runs: dict[str, tuple[Path, Any]]) -> None:
    copy, proc = runs["feed"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for line in (copy / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(expected_records())
    segments = (copy / "archive" / "captures" / "sample").glob("*.jsonl")
    assert {r["record_file"] for r in rows} <= {p.relative_to(copy / "archive").as_posix() for p in segments}


def test_since_window_and_stats_file_as_documented(runs: dict[str, tuple[Path, Any]]) -> None:
    copy, proc = runs["since-and-stats"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads((copy / "stats.json").read_text(encoding="utf-8"))
    assert stats["newsarchive/skip/older-than-since"] >= 1
    records = records_of(copy / "archive", "sample")
    assert records and all(r["published"][:10] >= "2020-02-01" for r in records)


def test_main_job_as_documented(runs: dict[str, tuple[Path, Any]]) -> None:
    _, proc = runs["main-job"]
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert f"articles written   {len(expected_records())} records" in proc.stdout
    # the revisit of edition 2: every case classified as crawler/sample_portal/edition2.toml says
    from crawler.sample_portal.editions import load_edition

    cases = load_edition().cases
    checked = len(cases) + sum(1 for c in cases if c.new_url)
    assert f"{checked} of {checked} as the reference data says" in proc.stdout, proc.stdout[-3000:]
    assert "5 changes: 3 deleted (http-404 1, placeholder 1, redirect-home 1), 1 moved, 1 edited" \
        in proc.stdout


def test_list_and_checksite_as_documented(served: str, tmp_path: Path) -> None:
    copy = fresh_copy(tmp_path / "copy")
    listed = bash(copy, documented("scrapy list"))
    assert listed.returncode == 0 and listed.stdout.split() == ["sample"]
    for command in ("scrapy checksite sample", "scrapy checksite crawler/sites/sample.toml"):
        proc = bash(copy, documented(command))
        assert proc.returncode == 0 and proc.stdout.startswith("ok "), proc.stderr
    extra = tmp_path / "try"
    extra.mkdir()
    (extra / "trial.toml").write_text('name = "trial"\nbase_url = "http://www.example.gov.cn/"\n'
                                      'start_pages = ["/gzdt/index.html"]\n', encoding="utf-8")
    assert "NEWSARCHIVE_EXTRA_SITES=/path/to/dir" in DOCS
    proc = bash(copy, f"NEWSARCHIVE_EXTRA_SITES={extra} scrapy list")
    assert proc.returncode == 0 and proc.stdout.split() == ["sample", "trial"]
