"""The kill/resume sweep: crawl the sample portal with JOBDIR, SIGKILL it at a kill point, resume, and check
that every article is recorded exactly once, every WARC reads whole, and no clean worker outlives its
crawler (tests/crawler/test_resume.py runs DEFAULT_POINTS; bench/resume.py runs more and times them).

A point is a list of kill specs (crawler.sample_portal.killpoints), one per run: ``["warc-write:3"]`` kills
the first run there, then a clean run resumes; ``["jsonl-epaper:1", "queue-pop:2"]`` also kills the first
resume. Politeness is off (the server is ours, on 127.0.0.1): a run takes a second or two.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
KILLPOINTS = "crawler.sample_portal.killpoints"
FAST = {
    "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CRAWL_DELAY_ENABLED": "False",
    "RETRY_BACKOFF_BASE": "0.05", "CLEAN_WORKERS": "1", "LOG_LEVEL": "INFO",
    "NEWSARCHIVE_FSYNC_INTERVAL": "-1",
    "REMOTE_CONTROL_ENABLED": "False", "TELNETCONSOLE_ENABLED": "False", "CONTACT_CHECK_ENABLED": "False",
    "SCHEDULER": f"{KILLPOINTS}.KillingScheduler",
    "SCHEDULER_DISK_QUEUE": f"{KILLPOINTS}.KillingLifoQueue",
    "SCHEDULER_START_DISK_QUEUE": f"{KILLPOINTS}.KillingFifoQueue",
}
# 20 points spread over a crawl of the sample (16 responses, 9 article pages, 13 articles): every stage
# of a page's way to the archive, torn writes, the queues, the close, and kills during a resume
DEFAULT_POINTS: list[list[str]] = [
    ["scheduled:1"], ["scheduled:6"], ["queue-push:2"], ["queue-push:11"], ["queue-pop:1"],
    ["queue-pop:8"], ["response:1"], ["response:5"], ["warc-write:1"], ["warc-write:6"],
    ["warc-write:13"], ["jsonl-write:1"], ["jsonl-epaper:1"], ["jsonl-write:6"], ["item:3"],
    ["item:9"], ["state-write:1"], ["time:0.3"],
    ["warc-write:4", "queue-pop:3"], ["jsonl-epaper:1", "item:2"],
]


@dataclass
class PointResult:
    specs: list[str]
    killed: list[bool] = field(default_factory=list)  # did each killing run die at its point?
    final_status: int | None = None
    lost: int = 0
    duplicated: int = 0
    orphans: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def crawl_command(base_url: str, archive: Path, jobdir: Path, kill: str | None, log: Path) -> list[str]:
    settings = {**FAST, "NEWSARCHIVE_ARCHIVE_DIR": str(archive), "JOBDIR": str(jobdir), "LOG_FILE": str(log)}
    if kill:
        settings["KILL_AT"] = kill
    else:  # the last, finishing run cleans in its own process: no clean worker to start (saves a second)
        settings["CLEAN_WORKERS"] = "0"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sample", "-a", f"base_url={base_url}"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def session_processes(session: int) -> list[int]:
    """PIDs of the processes in a session (Linux /proc): a crawl started with start_new_session."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 3 and int(fields[3]) == session:
            found.append(int(stat.parent.name))
    return found


def wait_for_orphans(session: int, timeout: float = 10.0) -> int:
    """How many processes of a killed crawl's session are still alive after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = session_processes(session)
        if not alive:
            return 0
        time.sleep(0.1)
    left = session_processes(session)
    for pid in left:  # do not leave them behind the test
        os.kill(pid, signal.SIGKILL)
    return len(left)


def run(cmd: list[str], output: Path, timeout: float = 90.0) -> tuple[int, int]:
    """Run one crawl in its own session; (exit status, session id)."""
    with output.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        status = proc.wait()
    return status, proc.pid


def run_point(specs: list[str], base_url: str, work: Path) -> PointResult:
    started = time.monotonic()
    result = PointResult(list(specs))
    archive, jobdir = work / "archive", work / "job"
    work.mkdir(parents=True, exist_ok=True)
    killed_sessions = []
    for i, kill in enumerate([*specs, None]):
        cmd = crawl_command(base_url, archive, jobdir, kill, work / f"run{i}.log")
        status, session = run(cmd, work / f"run{i}.out")
        if kill is None:
            result.final_status = status
        else:
            result.killed.append(status == -signal.SIGKILL)
            killed_sessions.append(session)
    result.lost, result.duplicated, found = check_archive(archive)
    result.problems += found
    # the killed crawlers' clean workers had the resumed run and the checks to notice; then they must be gone
    result.orphans = sum(wait_for_orphans(session) for session in killed_sessions)
    missed = [spec for spec, killed in zip(specs, result.killed, strict=True) if not killed]
    if missed:
        result.problems.append(f"kill point(s) not reached: {missed}")
    if result.final_status != 0:
        result.problems.append(f"the resumed crawl exited {result.final_status} "
                               f"(see {work}/run{len(specs)}.log)")
    if result.orphans:
        result.problems.append(f"{result.orphans} clean worker(s) outlived their killed crawler")
    result.seconds = time.monotonic() - started
    return result


def check_archive(archive: Path) -> tuple[int, int, list[str]]:
    """(articles lost, articles duplicated, problems) of the sample crawl in ``archive``."""
    from crawler.sample_portal.articles import expected_records
    from newsarchive.captures import CaptureError, iter_records, read_response
    from newsarchive.records import RecordFileError, read_record_file

    site = archive / "captures" / "sample"
    problems: list[str] = []
    got: Counter[tuple[str, int]] = Counter()
    for jsonl in sorted(site.glob("*.jsonl")):
        try:
            records = list(read_record_file(jsonl))
        except RecordFileError as exc:  # what `newsarchive` would refuse to read
            problems.append(str(exc))
            continue
        for record in records:
            capture = record.capture or {}
            got[(urlsplit(record.url or "").path, int(capture.get("index", 0)))] += 1
            try:
                read_response(archive / capture["file"], capture["offset"], archive)
            except CaptureError as exc:
                problems.append(f"record {record.id} points at no WARC record: {exc}")
    want = Counter((r["url"], i) for r in _numbered(expected_records()) for i in [r["index"]])
    lost = sum((want - got).values())
    duplicated = sum((got - want).values())
    if lost or duplicated:
        problems.append(f"{lost} article(s) lost, {duplicated} duplicated")
    warcs = sorted(site.glob("*.warc.gz"))
    for warc in warcs:
        try:
            for _ in iter_records(warc, content=True):
                pass
        except CaptureError as exc:
            problems.append(str(exc))
    problems += warcio_check(warcs)
    return lost, duplicated, problems


def _numbered(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reference records with their index on their page (e-paper items 0..n-1)."""
    seen: Counter[str] = Counter()
    out = []
    for record in records:
        out.append({**record, "index": seen[record["url"]]})
        seen[record["url"]] += 1
    return out


def warcio_check(paths: list[Path]) -> list[str]:
    if not paths:
        return ["no WARC written"]
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run([str(warcio), "check", *map(str, paths)], capture_output=True, text=True,
                           timeout=120)
    if check.returncode == 0:
        return []
    return [f"warcio check failed: {check.stdout[-500:]}{check.stderr[-500:]}"]


def sweep(points: list[list[str]], base_url: str, work: Path, parallel: int = 2) -> list[PointResult]:
    """Run every point (each in its own folder under ``work``), ``parallel`` at a time."""
    work.mkdir(parents=True, exist_ok=True)
    folders = [work / f"point{i:02d}" for i in range(len(points))]
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return list(pool.map(lambda args: run_point(args[0], base_url, args[1]),
                             zip(points, folders, strict=True)))
