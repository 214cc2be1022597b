"""A read-only archive (issue 10 #11): export, diff --against, dups and verify work without writing,
through a temporary copy of the index, and say so; `newsarchive index` says what to do; no traceback.

Read-only for real: the archive's write bits are removed and the commands run in a subprocess; as root
(CI), whom permission bits do not stop, that subprocess first drops the capabilities that override them
(CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: ``prctl(PR_CAPBSET_DROP)``), as ``setpriv`` does."""

from __future__ import annotations

import ctypes
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import article, build_sample_archive, write_archive

PR_CAPBSET_DROP = 24
OVERRIDING_CAPS = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


def _drop_overriding_caps() -> None:  # runs in the child, before exec
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in OVERRIDING_CAPS:
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _set_writable(root: Path, writable: bool) -> None:
    for path in [*root.rglob("*"), root]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture
def place() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="newsarchive-ro-"))
    try:
        yield root
    finally:
        _set_writable(root, True)
        shutil.rmtree(root, ignore_errors=True)


def run(place: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(place)}
    command = [sys.executable, "-m", "newsarchive", *args]
    drop = _drop_overriding_caps if os.geteuid() == 0 else None
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=place, env=env, timeout=120,
                              check=False, preexec_fn=drop)
    except subprocess.SubprocessError as exc:
        pytest.skip(f"cannot run a command without the root capabilities that ignore permissions: {exc}")


@pytest.fixture
def read_only(place: Path) -> Path:
    archive = build_sample_archive(place / "archive")
    write_archive(place / "new", {"n-00000.jsonl": [article("zhumadian", id="new-0")]})
    (place / "out").mkdir()
    _set_writable(archive, False)
    return archive


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert all(line.startswith("newsarchive ") for line in result.stderr.splitlines()), result.stderr


def test_export_diff_dups_verify_read_a_read_only_archive(read_only: Path, place: Path) -> None:
    before = sorted((p.name, p.stat().st_mtime_ns) for p in read_only.rglob("*"))
    export = run(place, "export", "archive", "-o", "out/all.jsonl")
    _no_traceback(export)
    assert export.returncode == 0, export.stderr
    assert "4 articles written" in export.stdout and "temporary copy" in export.stderr
    assert len((place / "out/all.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    for args in (("diff", "new/n-00000.jsonl", "--against", "archive", "--format", "json"),
                 ("dups", "archive"), ("verify", "archive")):
        result = run(place, *args)
        _no_traceback(result)
        assert result.returncode == 0, (args, result.stderr)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in read_only.rglob("*")) == before  # nothing written


def test_index_on_a_read_only_archive_says_what_to_do(read_only: Path, place: Path) -> None:
    result = run(place, "index", "archive")
    _no_traceback(result)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "index.sqlite" in line and "write access" in line and "export, diff and dups" in line


def test_a_damaged_index_in_a_read_only_archive_is_replaced_by_a_temporary_one(place: Path) -> None:
    archive = build_sample_archive(place / "archive")
    (archive / "index.sqlite").write_bytes(b"not an index" * 100)
    for name in ("index.sqlite-wal", "index.sqlite-shm"):
        (archive / name).unlink(missing_ok=True)
    (place / "out").mkdir()
    _set_writable(archive, False)
    result = run(place, "export", "archive", "-o", "out/all.jsonl")
    _no_traceback(result)
    assert result.returncode == 0 and "is damaged" in result.stderr and "temporary index" in result.stderr
    assert (archive / "index.sqlite").read_bytes() == b"not an index" * 100  # left alone
