"""`newsarchive serve` on a read-only archive (write bits off; as root, the subprocess drops the
capabilities that ignore them — the helpers of tests/newsarchive/test_read_only.py): it serves, and
the archive is byte for byte the same afterwards."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import pytest
from serve_helpers import REPO, build_offline_archive


def _read_only_helpers() -> ModuleType:
    path = REPO / "tests" / "newsarchive" / "test_read_only.py"
    spec = importlib.util.spec_from_file_location("newsarchive_read_only_helpers", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # its own helper imports
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


RO = _read_only_helpers()


@pytest.fixture
def read_only_archive() -> Iterator[Path]:
    place = Path(tempfile.mkdtemp(prefix="serve-ro-"))
    archive = build_offline_archive(place / "archive")
    RO._set_writable(place, False)
    try:
        yield archive
    finally:
        RO._set_writable(place, True)
        subprocess.run(["rm", "-rf", str(place)], check=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_serve_reads_a_read_only_archive(read_only_archive: Path) -> None:
    before = snapshot(read_only_archive)
    drop = RO._drop_overriding_caps if os.geteuid() == 0 else None
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "newsarchive", "serve", "archive", "--port", "0"],
                            cwd=read_only_archive.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=drop, env=env)  # fmt: skip
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert " at http://127.0.0.1:" in line, proc.stderr.read() if proc.stderr else ""
        base = line.split(" at ", 1)[1].split("/ ", 1)[0]
        with urllib.request.urlopen(f"{base}/api/search?q={quote('疫情')}", timeout=10) as r:
            hits = json.load(r)["hits"]
        assert hits
        for path in (f"/article/{hits[0]['rowid']}", f"/raw/{hits[0]['rowid']}"):
            with urllib.request.urlopen(base + path, timeout=10) as r:
                assert r.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert snapshot(read_only_archive) == before
