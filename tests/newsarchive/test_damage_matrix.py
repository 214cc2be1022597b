"""The damage matrix: every kind of archive damage (damage_cases.toml) x every archive command.

Each case damages a fresh copy of the sample archive (archive_helpers.build_sample_archive) and runs
index, diff (NEW --against ARCHIVE), dups, export, clean and verify on it, in process. For every run:
no exception escapes; the exit status is the documented one (0 done, 1 done but damage named, 2 nothing
done); every stderr line is ``newsarchive COMMAND: ...`` with no raw control character; every problem line
names the damaged file and says what to do; and the rest of the archive is still processed (``export``
writes every readable record).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import shutil
import sqlite3
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import HERE, LIST_PAGE, SAMPLE_URL, article, build_sample_archive, write_archive

from newsarchive.cli import main

CASES = tomllib.loads((HERE / "damage_cases.toml").read_text(encoding="utf-8"))["case"]
COMMANDS = ("index", "diff", "dups", "export", "clean", "verify")
REMEDY = re.compile(r"rerun|restore|re-fetch|re-create|fix|delete|rename|run `|check|replay|give this user|"
                    r"choose|crawl again|move it")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# ---------------------------------------------------------------------------------------- damages


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _expand(data: str) -> str:
    m = re.fullmatch(r"\[\[(\d+)", data)
    return "[" * int(m.group(1)) if m else data


def append_line(path: Path, data: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(_expand(data) + "\n")


def append_bytes(path: Path, data: str) -> None:
    with path.open("ab") as fh:
        fh.write(data.encode("utf-8"))


def write(path: Path, data: str) -> None:
    path.write_text(_expand(data), encoding="utf-8")


def empty(path: Path, data: str) -> None:
    path.write_bytes(b"")


def garbage(path: Path, data: str) -> None:
    path.write_bytes(random.Random(0).randbytes(600))


def delete(path: Path, data: str) -> None:
    path.unlink()


def offset_digits(path: Path, data: str) -> None:
    first, *rest = _lines(path)
    first = re.sub(rb'"offset": \d+', b'"offset": ' + b"9" * int(data), first)
    path.write_bytes(b"".join([first, *rest]))


def tear_last_line(path: Path, data: str) -> None:
    path.write_bytes(path.read_bytes()[:-30])


def gbk_title(path: Path, data: str) -> None:
    first, *rest = _lines(path)
    title = json.loads(first)["title"]
    path.write_bytes(b"".join([first.replace(title.encode("utf-8"), title.encode("gbk")), *rest]))


def field(path: Path, data: str) -> None:
    """Set one field of the first record: ``name=JSON`` or ``capture.key=JSON``."""
    first, *rest = _lines(path)
    record = json.loads(first)
    key, _, value = data.partition("=")
    target = record
    *parents, leaf = key.split(".")
    for name in parents:
        target = target[name]
    if leaf in target or leaf != "summary":
        target[leaf] = json.loads(value)
    else:
        record[leaf] = json.loads(value)
    line = json.dumps(record).encode("ascii") + b"\n"  # \u escapes: a lone surrogate can be written
    path.write_bytes(b"".join([line, *rest]))


def _pointers(archive: Path) -> list[dict[str, Any]]:
    lines = (archive / "captures/sample/c-00000.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["capture"] for line in lines]


def cut_inside_last_article(path: Path, data: str) -> None:
    last = _pointers(path.parents[2])[-1]
    with path.open("r+b") as fh:
        fh.truncate(last["offset"] + last["length"] // 2)


def cut_last_bytes(path: Path, data: str) -> None:
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size - int(data))


def overwrite_inside_first_article(path: Path, data: str) -> None:
    first = _pointers(path.parents[2])[0]
    with path.open("r+b") as fh:
        fh.seek(first["offset"] + first["length"] // 2)
        fh.write(b"\xff" * 16)


def list_only_segment(path: Path, data: str) -> None:
    """What a resumed crawl leaves: a new segment holding the list pages again, no article, no JSONL."""
    from newsarchive.captures import Exchange, WarcSegmentWriter

    html = [("Content-Type", "text/html; charset=utf-8")]
    with WarcSegmentWriter(path.parents[2], "sample", "c", fsync_interval=None) as writer:
        writer.write_exchange(Exchange(f"{SAMPLE_URL}/robots.txt", 200, b"User-agent: *\n",
                                       [("Content-Type", "text/plain")]))
        writer.write_exchange(Exchange(f"{SAMPLE_URL}/xwzx/index.html", 200, LIST_PAGE, html))
    assert writer.segments == [path]


def long_name_capture(path: Path, data: str) -> None:
    name = "LONG" + "a" * (int(data) - 8) + ".txt"
    (path.parent / name).write_text(article("zhumadian").text, encoding="utf-8")


def gbk_name(path: Path, data: str) -> None:
    bad = path.parent / os.fsdecode("新闻".encode("gbk") + path.suffix.encode())
    if path.suffix == ".txt":
        bad.write_text(article("zhumadian").text, encoding="utf-8")
    else:
        shutil.copyfile(path.parent / "c-00000.jsonl", bad)


def escape_name(path: Path, data: str) -> None:
    (path.parent / "evil\x1b]0;pwned\x07.jsonl").write_text("{broken\n", encoding="utf-8")


def cut_half(path: Path, data: str) -> None:
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def index_version(path: Path, data: str) -> None:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={int(data)}")
    db.commit()
    db.close()


def make_folder(path: Path, data: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.mkdir()


DAMAGES: dict[str, Callable[[Path, str], None]] = {
    f.__name__: f
    for f in (append_line, append_bytes, write, empty, garbage, delete, offset_digits, tear_last_line,
              gbk_title, field, cut_inside_last_article, cut_last_bytes, overwrite_inside_first_article,
              list_only_segment, long_name_capture, gbk_name, escape_name, cut_half, index_version,
              make_folder)
}  # fmt: skip


# ------------------------------------------------------------------------------------------ running


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_archive(tmp_path_factory.mktemp("template") / "archive")


@pytest.fixture(scope="module")
def new_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    edited = article("zhumadian", id="new-0")
    edited = article("zhumadian", id="new-0", text=edited.text.replace("调研", "深入调研", 1))
    return write_archive(tmp_path_factory.mktemp("new"), {"n-00000.jsonl": [edited]}) / "n-00000.jsonl"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def argv_of(command: str, archive: Path, new_file: Path, tmp: Path, rebuild: bool = False) -> list[str]:
    return {
        "index": ["index", str(archive), *(["--rebuild"] if rebuild else [])],
        "diff": ["diff", str(new_file), "--against", str(archive), "--format", "json"],
        "dups": ["dups", str(archive)],
        "export": ["export", str(archive), "-o", str(tmp / "out.jsonl")],
        "clean": ["clean", str(archive)],
        "verify": ["verify", str(archive)],
    }[command]


def expected_status(case: dict[str, Any], command: str) -> int:
    if command in case.get("failed_by", []):
        return 2
    return 1 if command in case["reported_by"] else 0


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_damage(case: dict[str, Any], command: str, template: Path, new_file: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(template, archive)
    DAMAGES[case["damage"]](archive / case["file"], case.get("data", ""))
    status, out, err = run(argv_of(command, archive, new_file, tmp_path, case.get("rebuild", False)))
    assert status == expected_status(case, command), err
    lines = err.splitlines()
    assert all(line.startswith(f"newsarchive {command}: ") for line in lines), err
    assert not CONTROL.search(out.replace("\n", "").replace("\t", "")), out
    assert not CONTROL.search(err.replace("\n", "")), err
    problems = [line for line in lines if not line.startswith(f"newsarchive {command}: note: ")]
    if status:
        assert problems, "a failing command says why"
        name = case.get("names") or Path(case["file"]).name
        assert any(name in line for line in problems), err
        assert all(REMEDY.search(line) for line in problems), f"no remedy in: {err}"
    else:
        assert problems == [], err
    if command == "export" and status != 2:
        rows = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(rows) == case.get("rows", 4)
    if case["damage"] == "list_only_segment":  # issue 10 #12: no nag about a segment without articles
        assert "no record file" not in out + err


def test_every_damage_kind_has_a_case() -> None:
    assert {c["damage"] for c in CASES} == set(DAMAGES)
