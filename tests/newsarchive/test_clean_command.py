"""`newsarchive clean [ARCHIVE_DIR]`: records next to every loose capture, atomic, idempotent byte for
byte, a summary line, and a clear error for unreadable input while the rest is still processed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from newsarchive.cli import main
from newsarchive.records import read_record_file

SEEDS = Path(__file__).resolve().parents[2] / "archive" / "seeds"
ARTICLE = "市委召开会议部署复工复产\n市委书记到企业调研复工复产情况，强调统筹推进疫情防控和经济社会发展。"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "seeds").mkdir(parents=True)
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(p, root / "seeds" / p.name)
    (root / "extra").mkdir()
    (root / "extra" / "page.html").write_text(
        f"<html><head><title>复工复产</title></head><body><h1>复工复产</h1><p>{ARTICLE * 2}</p>"
        "</body></html>", encoding="utf-8")
    (root / "extra" / "gbk.txt").write_bytes(ARTICLE.encode("gbk"))
    (root / ".hidden.txt").write_text("not a capture", encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*.json"))}


def test_writes_records_next_to_every_capture(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(archive)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "files 7, records 11, changed 7, errors 0"
    extra = archive / "extra"
    for capture in [*archive.glob("seeds/*.txt"), extra / "page.html", extra / "gbk.txt"]:
        assert capture.with_suffix(".json").is_file(), capture
    assert not (archive / ".hidden.json").exists()
    epaper = list(read_record_file(next(archive.glob("seeds/004_*.json"))))
    assert len(epaper) == 5
    assert epaper[3].capture == {"file": "seeds/004_45874e38bd59b7c1.txt", "index": 3}
    doc = json.loads((archive / "extra" / "gbk.json").read_text(encoding="utf-8"))
    assert doc["capture"]["file"] == "extra/gbk.txt" and doc["capture"]["bytes"] == len(ARTICLE.encode("gbk"))
    assert doc["records"][0]["title"] == "市委召开会议部署复工复产"


def test_rerun_changes_nothing_byte_for_byte(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["clean", str(archive)])
    before = snapshot(archive)
    assert main(["clean", str(archive)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "files 7, records 11, changed 0, errors 0"
    assert snapshot(archive) == before


def test_output_does_not_depend_on_the_working_directory(archive: Path, tmp_path: Path) -> None:
    main(["clean", str(archive)])
    before = snapshot(archive)
    cwd = os.getcwd()
    try:
        os.chdir(archive.parent)
        assert main(["clean", "archive"]) == 0
    finally:
        os.chdir(cwd)
    assert snapshot(archive) == before


def test_the_committed_seed_records_are_what_it_writes(archive: Path) -> None:
    main(["clean", str(archive)])
    for p in SEEDS.glob("*.json"):
        fresh = (archive / "seeds" / p.name).read_bytes()
        assert fresh == p.read_bytes(), f"{p} is stale: run newsarchive clean"


def test_unreadable_capture_is_reported_and_the_rest_written(archive: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (archive / "extra" / "empty.txt").write_bytes(b"  \n")
    (archive / "extra" / "image.htm").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert main(["clean", str(archive)]) == 1
    captured = capsys.readouterr()
    assert "extra/empty.txt: empty:" in captured.err
    assert "extra/image.htm:" in captured.err
    assert captured.out.splitlines()[-1] == "files 9, records 11, changed 7, errors 2"
    assert not (archive / "extra" / "empty.json").exists()
    assert (archive / "extra" / "gbk.json").is_file()


def test_missing_archive_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_no_temp_files_left_behind(archive: Path) -> None:
    main(["clean", str(archive)])
    assert not [p for p in archive.rglob("*") if p.name.endswith(".tmp")]


def test_two_captures_with_one_record_file_name_are_not_mixed(archive: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (archive / "extra" / "gbk.html").write_text("<html><body><p>另一个页面的正文内容。</p></body></html>",
                                                encoding="utf-8")
    assert main(["clean", str(archive)]) == 1
    err = capsys.readouterr().err
    assert "gbk.txt: skipped: gbk.html already writes gbk.json" in err
    doc = json.loads((archive / "extra" / "gbk.json").read_text(encoding="utf-8"))
    assert doc["capture"]["file"] == "extra/gbk.html"


def test_a_crawls_robots_txt_is_not_cleaned_as_an_article(archive: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Side files are not captures (newsarchive.records.NOT_CAPTURES, as `newsarchive diff` skips them)."""
    (archive / "extra" / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    assert main(["clean", str(archive)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "files 7, records 11, changed 7, errors 0"
    assert not (archive / "extra" / "robots.json").exists()
