"""Workers as the user runs them (``python -m scrapy crawl NAME -s NEWSARCHIVE_REDIS_URL=...``), and
what to read back from the archive they wrote together."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
NICE = ["nice", "-n", "10"] if shutil.which("nice") else []
WARCIO = Path(sys.executable).with_name("warcio")
BASE_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CLEAN_WORKERS": "1",
    "CONCURRENT_REQUESTS": "2",  # small prefetch per worker: the work spreads over the workers
    "REMOTE_CONTROL_ENABLED": "False",
    "TELNETCONSOLE_ENABLED": "False",
    "RETRY_BACKOFF_BASE": "0.05",
    "LOG_LEVEL": "INFO",
    "NEWSARCHIVE_REDIS_LEASE": "2",
    "NEWSARCHIVE_REDIS_IDLE_POLL": "0.2",
    "NEWSARCHIVE_FSYNC_INTERVAL": "-1",
}


@dataclass
class Worker:
    worker_id: str
    process: subprocess.Popen[str]
    log: Path

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"worker {self.worker_id} did not finish in {timeout} s; log:\n"
                                 + self.log.read_text(encoding="utf-8", errors="replace")[-3000:]) from None

    def kill(self) -> None:
        self.process.kill()  # SIGKILL
        self.process.wait(timeout=10)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_worker(worker_id: str, spider: str, redis_url: str, archive: Path, sites: Path,
                 **settings: str) -> Worker:
    merged = {**BASE_SETTINGS, "NEWSARCHIVE_REDIS_URL": redis_url, "NEWSARCHIVE_WORKER_ID": worker_id,
              "NEWSARCHIVE_ARCHIVE_DIR": str(archive),
              "NEWSARCHIVE_STATS_FILE": str(archive / f"stats-{worker_id}.json"), **settings}
    # niced: the portals (threads of this process) time every request; a starved server thread would
    # stamp a request late and make two requests look closer than they were
    cmd = [*NICE, sys.executable, "-m", "scrapy", "crawl", spider]
    for name, value in merged.items():
        cmd += ["-s", f"{name}={value}"]
    log = archive / f"{worker_id}.log"
    archive.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NEWSARCHIVE_EXTRA_SITES": str(sites)}
    handle = log.open("w", encoding="utf-8")
    process = subprocess.Popen(cmd, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, text=True, env=env)
    handle.close()
    return Worker(worker_id, process, log)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def records_of(archive: Path, site: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted((archive / "captures" / site).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def record_pages(archive: Path, site: str) -> Counter[str]:
    """How many captures each article page was recorded from (1 everywhere = exactly once)."""
    captures = {(r["url"], r["capture"]["file"], r["capture"]["offset"]) for r in records_of(archive, site)}
    return Counter(url for url, _, _ in captures)


def warcs_of(archive: Path, site: str) -> list[Path]:
    return sorted((archive / "captures" / site).glob("*.warc.gz"))


def warcio_check(paths: list[Path]) -> None:
    for path in paths:
        check = subprocess.run([str(WARCIO), "check", str(path)], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, f"{path}: {check.stdout}{check.stderr}"


def stats_of(archive: Path, worker_id: str) -> dict[str, Any]:
    path = archive / f"stats-{worker_id}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def expected_pages(hosts: list[str]) -> set[str]:
    """Every article page URL the portals hold (each host serves the whole sample portal)."""
    from crawler.sample_portal.articles import load_articles

    return {f"{host}{page.url}" for host in hosts for page in load_articles()}


def host_path(url: str) -> str:
    """
    >>> host_path("http://127.0.0.2:4123/a/b.html")
    '127.0.0.2/a/b.html'
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}"
