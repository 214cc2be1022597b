"""Helpers shared by the crawler tests (not tests themselves): project settings, crawls in subprocesses
(`python -m scrapy crawl ...` from the repository root), reading what they wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import Settings

REPO = Path(__file__).resolve().parents[2]
WARCIO = Path(sys.executable).with_name("warcio")
FAST = {  # politeness off: the servers are ours, on 127.0.0.1
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CRAWL_DELAY_ENABLED": "False",
    "CLEAN_WORKERS": "1",
    "REMOTE_CONTROL_ENABLED": "False",
    "TELNETCONSOLE_ENABLED": "False",
    "RETRY_BACKOFF_BASE": "0.05",
    "LOG_LEVEL": "INFO",
}


def project_settings(**overrides: Any) -> Settings:
    """The project's settings (crawler/settings.py: every component's default) with ``overrides``."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    return settings


def crawl_command(spider: str, base_url: str | None, archive: Path, settings: dict[str, str]) -> list[str]:
    merged = {**FAST, "NEWSARCHIVE_ARCHIVE_DIR": str(archive),
              "NEWSARCHIVE_STATS_FILE": str(archive / "stats.json"), **settings}
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    if base_url:
        cmd += ["-a", f"base_url={base_url}"]
    for name, value in merged.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def crawl(spider: str, base_url: str | None, archive: Path, env: dict[str, str] | None = None,
          timeout: float = 90, cwd: Path = REPO, **settings: str) -> subprocess.CompletedProcess[str]:
    """Run a crawl to its end, whatever its outcome."""
    return subprocess.run(crawl_command(spider, base_url, archive, settings), cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def run_crawl(spider: str, base_url: str, archive: Path, env: dict[str, str] | None = None,
              **settings: str) -> dict[str, Any]:
    """Run a crawl that must succeed; return its final stats (NEWSARCHIVE_STATS_FILE)."""
    proc = crawl(spider, base_url, archive, env, **settings)
    log = proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    stats_file = Path(settings.get("NEWSARCHIVE_STATS_FILE", archive / "stats.json"))
    stats_file.with_suffix(".log").write_text(log, encoding="utf-8")
    stats: dict[str, Any] = json.loads(stats_file.read_text(encoding="utf-8"))
    return stats


def records_of(archive: Path, site: str, pattern: str = "*.jsonl") -> list[dict[str, Any]]:
    out = []
    for path in sorted((archive / "captures" / site).glob(pattern)):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def warc_files(archive: Path, site: str) -> list[Path]:
    return sorted((archive / "captures" / site).glob("*.warc.gz"))


def by_path(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        grouped[urlsplit(r["url"]).path].append(r)
    return grouped


def drops(stats: dict[str, Any]) -> dict[str, int]:
    prefix = "newsarchive/drop/"
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}


def warcs_read_whole(paths: list[Path]) -> None:
    """Every WARC passes `warcio check` and reads to its end through newsarchive.captures (bodies decoded)."""
    from newsarchive.captures import iter_records

    assert paths, "no WARC written"
    check = subprocess.run([str(WARCIO), "check", *map(str, paths)], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    for path in paths:
        for _ in iter_records(path, content=True):
            pass
