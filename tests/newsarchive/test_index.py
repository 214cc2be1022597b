"""The SQLite index: contents, incremental updates (counted), deleted and corrupt files, rebuild."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from archive_helpers import article, interrupted_after_files, write_archive

from newsarchive import index as index_module
from newsarchive import index_rows, similarity
from newsarchive.index import INDEX_NAME, ArchiveIndex
from newsarchive.progress import Progress


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    crawled = article(
        "zhumadian",
        id="zmd-1",
        url="http://www.zhumadian.gov.cn/a/1.html",
        capture={"file": "captures/zmd/c-00000.warc.gz", "offset": 1234},
        fetched_at="2026-11-20T08:00:00+00:00",
    )
    return write_archive(
        tmp_path / "archive",
        {
            "seeds/000_a.json": [article("suqian")],
            "seeds/001_b.json": [article("gangzha"), article("unrelated")],
            "captures/zmd/c-00000.jsonl": [crawled],
        },
    )


def test_index_holds_every_record_with_location_and_signature(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        stats = index.update()
        rows = list(index.rows())
        assert stats.files_read == 3 and stats.records_added == 4 and stats.problems == []
        assert [(r.file, r.position, r.id) for r in rows] == [
            ("captures/zmd/c-00000.jsonl", 0, "zmd-1"),
            ("seeds/000_a.json", 0, "suqian-0"),
            ("seeds/001_b.json", 0, "gangzha-0"),
            ("seeds/001_b.json", 1, "unrelated-0"),
        ]
        zmd = rows[0]
        assert zmd.url == "http://www.zhumadian.gov.cn/a/1.html"
        assert zmd.capture == {"file": "captures/zmd/c-00000.warc.gz", "offset": 1234}
        assert zmd.title == article("zhumadian").title and zmd.published == "2020-02-20"
        assert zmd.length == len(article("zhumadian").text)
        assert zmd.text_sha256 == article("zhumadian").text_sha256
        ids, sigs = index.signatures()
        assert sigs.shape == (4, similarity.NUM_PERM)
        assert np.array_equal(
            sigs[list(ids).index(zmd.rowid)], similarity.text_signature(article("zhumadian").text)
        )
        loaded = index.load_records([rows[3].rowid, rows[0].rowid])
        assert loaded[rows[3].rowid] == article("unrelated")
    db = sqlite3.connect(archive / INDEX_NAME)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT capture_offset FROM records WHERE id='zmd-1'").fetchone()[0] == 1234


def test_second_run_reads_nothing(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
    with ArchiveIndex(archive) as index:
        stats = index.update()
    assert (stats.files_seen, stats.files_unchanged, stats.files_read, stats.records_added) == (3, 3, 0, 0)
    assert stats.records_total == 4


def test_only_the_changed_file_is_read_again(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
        write_archive(archive, {"seeds/001_b.json": [article("gangzha", title="新标题")]})
        stats = index.update()
        assert (stats.files_read, stats.files_unchanged) == (1, 2)
        assert (stats.records_added, stats.records_removed, stats.records_total) == (1, 2, 3)
        assert [r.title for r in index.rows("file = ?", ["seeds/001_b.json"])] == ["新标题"]


def test_touched_file_with_same_content_is_hashed_not_read(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
        path = archive / "seeds/000_a.json"
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
        stats = index.update()
        assert (stats.files_read, stats.files_same_content) == (0, 1)
        assert index.update().files_unchanged == 3  # the new mtime was stored


def test_records_of_deleted_files_are_dropped(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
        (archive / "seeds/001_b.json").unlink()
        stats = index.update()
        assert (stats.files_deleted, stats.records_removed, stats.records_total) == (1, 2, 2)
        assert {r.id for r in index.rows()} == {"suqian-0", "zmd-1"}


def test_corrupt_record_file_is_named_and_the_rest_indexed(archive: Path) -> None:
    bad = archive / "captures/zmd/c-00001.jsonl"
    good_line = (archive / "captures/zmd/c-00000.jsonl").read_text(encoding="utf-8")
    bad.write_text(good_line + '{"id": "broken", "text": \n' + good_line, encoding="utf-8")
    (archive / "seeds/002_c.txt").write_text("原始采集", encoding="utf-8")  # the capture it describes
    (archive / "seeds/002_c.json").write_text("{not json", encoding="utf-8")
    with ArchiveIndex(archive) as index:
        stats = index.update()
        assert stats.records_total == 6  # 4 good records + the lines before and after the damage
        assert len(stats.problems) == 2
        assert any("captures/zmd/c-00001.jsonl:2: not valid JSON" in p and "the other lines are read" in p
                   for p in stats.problems)
        assert [r.position for r in index.rows("file = ?", ["captures/zmd/c-00001.jsonl"])] == [0, 2]
        assert any("seeds/002_c.json" in p for p in stats.problems)
        again = index.update()
        assert again.files_read == 0 and len(again.problems) == 2  # still reported, not re-read


def test_rebuild_reads_everything_again(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
        stats = index.update(rebuild=True)
    assert stats.rebuilt and stats.files_read == 3 and stats.records_total == 4


def test_captures_without_record_files_are_counted(archive: Path) -> None:
    (archive / "seeds/009_new.txt").write_text("正文", encoding="utf-8")
    with ArchiveIndex(archive) as index:
        stats = index.update()
    assert stats.unindexed_captures == 1
    assert "newsarchive clean" in stats.summary()


def test_export_files_outside_the_layout_are_not_indexed(archive: Path) -> None:
    (archive / "export.jsonl").write_text('{"schema_version": 1, "not": "a record"}\n', encoding="utf-8")
    with ArchiveIndex(archive) as index:
        stats = index.update()
    assert stats.problems == [] and stats.files_seen == 3


def test_missing_archive_folder_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such archive folder"):
        ArchiveIndex(tmp_path / "nope")


def test_damaged_index_file_is_moved_aside_and_rebuilt(archive: Path) -> None:
    (archive / INDEX_NAME).write_bytes(b"this is not sqlite" * 100)
    with ArchiveIndex(archive) as index:
        stats = index.update()
    assert stats.records_total == 4 and stats.problems == []
    [note] = stats.notes
    assert "was damaged" in note and "index.sqlite.damaged" in note
    assert (archive / "index.sqlite.damaged").read_bytes() == b"this is not sqlite" * 100


def test_an_index_of_another_layout_version_is_built_again(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
    db = sqlite3.connect(archive / INDEX_NAME)
    db.execute("PRAGMA user_version=1")
    db.execute("ALTER TABLE records DROP COLUMN capture_length")  # an older layout
    db.commit()
    db.close()
    with ArchiveIndex(archive) as index:
        stats = index.update()
    assert stats.rebuilt and stats.files_read == 3 and stats.records_total == 4
    assert "layout version 1" in stats.notes[0]


def test_other_json_in_the_archive_is_not_taken_for_records(archive: Path) -> None:
    """A crawl's stats dump (JSON that describes no capture) in captures/ does not break the index."""
    (archive / "captures/zmd/c.stats.json").write_text('{"finish_reason": "finished"}', encoding="utf-8")
    with ArchiveIndex(archive) as index:
        stats = index.update()
    assert stats.problems == [] and stats.records_total == 4


def test_side_files_hidden_files_and_covered_warcs_are_not_unindexed_captures(archive: Path) -> None:
    """Counted with the same file kinds as `newsarchive clean` and `diff` (newsarchive.records)."""
    (archive / "seeds/robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (archive / "seeds/.draft.txt").write_text("草稿", encoding="utf-8")
    site = archive / "captures/zmd"
    site.mkdir(parents=True, exist_ok=True)
    (site / "c-00009.warc.gz").write_bytes(b"")  # the crawler writes a WARC segment's records, not clean
    (archive / "seeds/009_new.txt").write_text("正文", encoding="utf-8")
    with ArchiveIndex(archive) as index:
        assert index.update().unindexed_captures == 1


# ------------------------------------------------------------------------ parallel build, progress


def _crawl(root: Path, files: int = 6, per_file: int = 4) -> Path:
    """A crawl-like archive: several JSONL segments of distinct articles, one with a damaged line."""
    names = ["suqian", "gangzha", "zhumadian", "unrelated"]
    layout = {
        f"captures/site/c-{f:05d}.jsonl": [
            article(names[(f + i) % 4], id=f"site-{f}-{i}-0", title=f"标题 {f}-{i}") for i in range(per_file)
        ]
        for f in range(files)
    }
    write_archive(root, layout)
    seg = root / "captures/site/c-00002.jsonl"
    lines = seg.read_text(encoding="utf-8").splitlines(keepends=True)
    seg.write_text("".join(lines[:2]) + '{"id": "torn", \n' + "".join(lines[2:]), encoding="utf-8")
    return root


def _contents(archive: Path) -> tuple[list[Any], list[Any]]:
    db = sqlite3.connect(archive / INDEX_NAME)
    try:
        records = db.execute("SELECT * FROM records ORDER BY rowid").fetchall()
        files = db.execute("SELECT path, size, mtime_ns, sha256, records, error FROM files ORDER BY path")
        return records, files.fetchall()
    finally:
        db.close()


def test_a_pool_of_workers_builds_the_same_index_as_one_process(tmp_path: Path) -> None:
    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        serial = index.update(workers=1)
    one = _contents(archive)
    with ArchiveIndex(archive) as index:
        pooled = index.update(rebuild=True, workers=2)
    assert (serial.workers, pooled.workers) == (1, 2)
    assert _contents(archive) == one  # row ids, signatures, file hashes and problems alike
    assert pooled.records_total == serial.records_total == 24
    assert pooled.problems == serial.problems and len(pooled.problems) == 1
    assert "c-00002.jsonl:3: not valid JSON" in pooled.problems[0]
    assert set(pooled.seconds) >= {"read", "shingle", "sign", "write", "wall"}
    with ArchiveIndex(archive) as index:
        again = index.update(workers=2)
    assert (again.files_read, again.files_unchanged, again.workers) == (0, 6, 1)


def test_small_updates_stay_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        assert index.update().workers == 1  # a few kB: below PARALLEL_MIN_BYTES
    monkeypatch.setattr(index_module, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(index_module, "available_cores", lambda: 2)
    with ArchiveIndex(archive) as index:
        assert index.update(rebuild=True).workers == 2
        write_archive(archive, {"captures/site/c-00009.jsonl": [article("suqian", id="late-0")]})
        stats = index.update()  # one new file: one group, read here
        assert (stats.files_read, stats.workers, stats.records_total) == (1, 1, 25)


def test_a_broken_pool_is_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-build: the groups it did not return are read in this process."""

    def dies_after_one(func: Any, groups: Any, workers: int) -> Any:
        yield func(next(iter(groups)))
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(index_rows, "_pool_map", dies_after_one)
    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        stats = index.update(workers=2)
    assert stats.records_total == 24 and stats.files_read == 6
    assert any("worker processes stopped" in n and "in one process" in n for n in stats.notes)


def test_progress_is_plain_lines_off_a_terminal(tmp_path: Path) -> None:
    archive = _crawl(tmp_path / "archive")
    out = io.StringIO()
    with ArchiveIndex(archive) as index:
        index.update(progress=Progress("index", out, delay=0, every=0))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("newsarchive index: ") and lines[-1].startswith("newsarchive index: done")
    assert "24 records" in lines[-2]
    assert not any(ch in out.getvalue() for ch in "\r\x1b\b")


def test_an_interrupted_build_keeps_nothing_half_written_and_a_rerun_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the pool is reading: the workers are stopped, the uncommitted files rolled back."""
    archive = _crawl(tmp_path / "archive")
    with interrupted_after_files(monkeypatch), ArchiveIndex(archive) as index, \
            pytest.raises(KeyboardInterrupt):
        index.update(workers=2, search=True)
    with ArchiveIndex(archive) as index:
        assert index.count() == 0  # the three files written were in the transaction rolled back
        stats = index.update(workers=2, search=True)
    assert (stats.files_read, stats.records_total, stats.search_total) == (6, 24, 24)


def _indexes(archive: Path) -> list[Any]:
    db = sqlite3.connect(archive / INDEX_NAME)
    try:
        sql = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type='index' ORDER BY name"
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_a_large_first_build_makes_its_indexes_at_the_end_and_a_killed_one_gets_them_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large first build drops the records' and capture log's secondary indexes and makes them after the
    last rows: the same rows and the same indexes as a small build. Interrupted, the rows committed are
    whole, and the next opening and update make the indexes again."""
    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        index.update(workers=1)  # a few kB: below PARALLEL_MIN_BYTES, indexes kept as rows go in
    small, indexes = _contents(archive), _indexes(archive)
    assert {"records_text", "records_id", "capture_records_url"} <= {name for name, _, _ in indexes}
    monkeypatch.setattr(index_module, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(index_module, "COMMIT_ROWS", 1)  # a commit after every file
    with ArchiveIndex(archive) as index:
        index.update(rebuild=True, workers=1)
    assert _contents(archive) == small and _indexes(archive) == indexes
    with interrupted_after_files(monkeypatch), ArchiveIndex(archive) as index, \
            pytest.raises(KeyboardInterrupt):
        index.update(rebuild=True, workers=2)  # a group a file: three files committed, then Ctrl-C
    db = sqlite3.connect(archive / INDEX_NAME)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 12  # three whole files committed
    assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name='records_text'").fetchone()[0] == 0
    db.close()
    with ArchiveIndex(archive) as index:
        stats = index.update()
    assert (stats.files_read, stats.records_total) == (3, 24)
    assert _contents(archive)[0] == small[0] and _indexes(archive) == indexes


@pytest.mark.parametrize("workers", [1, 2])
def test_the_capture_log_comes_from_the_index_reading_not_a_second_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The records' capture-log rows (newsarchive.capturelog, read by the history) are made where the
    index reads the files: the same rows as the log's own reading, and no record file read twice."""
    from newsarchive import capturelog

    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        index.update(workers=1)
        tables = "SELECT * FROM capture_records ORDER BY file, position", "SELECT * FROM capture_files"
        own = [index.db.execute(sql).fetchall() for sql in tables]
        index.db.executescript("DELETE FROM capture_records; DELETE FROM capture_files;")
        capturelog.refresh(index.db, archive)  # the log reading the record files itself
        assert [index.db.execute(sql).fetchall() for sql in tables] == own and len(own[0]) == 24

    def no_second_reading(*args: Any) -> Any:
        raise AssertionError("a record file read again for the capture log")

    monkeypatch.setattr(capturelog, "iter_record_file", no_second_reading)
    with ArchiveIndex(archive) as index:
        stats = index.update(rebuild=True, workers=workers)
        assert stats.files_read == 6
        assert index.db.execute("SELECT COUNT(*) FROM capture_records").fetchone()[0] == 24
    write_archive(archive, {"captures/site/c-00009.jsonl": [article("suqian", id="late-0")]})
    with ArchiveIndex(archive) as index:
        assert index.update(workers=workers).files_read == 1
        assert index.db.execute("SELECT COUNT(*) FROM capture_records").fetchone()[0] == 25


def _exits_in_a_worker(item: tuple[int, int]) -> int:
    parent, value = item
    if os.getpid() != parent:
        os._exit(1)  # a worker killed (OOM, kill -9)
    return value * 2


def test_a_broken_pool_of_other_work_finishes_in_this_process() -> None:
    """map_in_pool (the FTS5 shards of a first search build): every worker dies, the results still come,
    in order, from this process."""
    items = [(os.getpid(), i) for i in range(4)]
    assert list(index_rows.map_in_pool(_exits_in_a_worker, items, 2)) == [0, 2, 4, 6]


def _waits_for_ever() -> None:
    index_rows._init_worker()  # what every index pool worker runs first
    time.sleep(60)


CLIENT = """
import multiprocessing, sys, time
sys.path[:0] = {paths!r}
import test_index
if __name__ == "__main__":
    worker = multiprocessing.get_context("forkserver").Process(target=test_index._waits_for_ever)
    worker.start()
    print(worker.pid, flush=True)
    time.sleep(60)
"""


def test_an_index_worker_exits_when_the_process_using_the_pool_is_killed() -> None:
    """After a SIGKILL of `newsarchive index`, its pool workers (fork-server children, blocked writing a
    result nobody reads) must not live on: each exits once the process that started it is gone."""
    client = subprocess.Popen([sys.executable, "-c", CLIENT.format(paths=sys.path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert client.stdout is not None
        worker = int(client.stdout.readline())
        time.sleep(0.5)
        assert _alive(worker)
        client.kill()
        client.wait()
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker)
    finally:
        client.kill()


def _alive(pid: int) -> bool:
    """A process that runs (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
