"""The search tables as the index builds them (ArchiveIndex.update(search=True), `newsarchive index`):
the same tables from a pool of workers as from one process, built only by `newsarchive index`, never
left pointing at records that are gone, and tokens that follow the documented rule exactly."""

from __future__ import annotations

import itertools
import random
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import article, interrupted_after_files, write_archive

from newsarchive import search
from newsarchive.cli import main
from newsarchive.index import INDEX_NAME, ArchiveIndex
from newsarchive.search import Searcher, parse_query

_RUN = re.compile(r"[^\W_]+")


def _reference_tokens(text: str | None) -> str:
    """The rule of newsarchive.search, one run and one bigram at a time."""
    text = search.fold(text or "")
    out = []
    for run in _RUN.findall(text):
        out.extend(a + b for a, b in itertools.pairwise(run))
        out.append(run[-1])
    return " ".join(out)


def test_token_strings_follow_the_documented_rule() -> None:
    rng = random.Random(7)
    alphabet = "复工产市长，。 \n\t aAbBzZ_09２３Ⅷ①😀𠀀・-—é"
    texts = [None, "", "_", "a_b", "ABC", "𠀀𠀁", article("suqian").text, article("unrelated").title]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(1500)]
    assert search.token_strings(texts) == [_reference_tokens(t) for t in texts]
    assert search.token_strings(texts[:1]) == [""] and search.token_strings([]) == []


def _crawl(root: Path, files: int = 5) -> Path:
    names = ["suqian", "gangzha", "zhumadian", "unrelated"]
    return write_archive(root, {
        f"captures/site/c-{f:05d}.jsonl": [article(names[(f + i) % 4], id=f"site-{f}-{i}-0")
                                           for i in range(4)]
        for f in range(files)
    })  # fmt: skip


def _search_tables(archive: Path) -> tuple[list[Any], ...]:
    db = sqlite3.connect(archive / INDEX_NAME)
    try:
        docs = db.execute("SELECT * FROM search_docs ORDER BY rowid").fetchall()
        recs = db.execute("SELECT rowid, length(record) FROM search_records ORDER BY rowid").fetchall()
        ids = db.execute("SELECT rowid, id FROM records ORDER BY rowid").fetchall()
        return docs, recs, ids
    finally:
        db.close()


def _hits(archive: Path, q: str) -> set[str]:
    with ArchiveIndex.open_read_only(archive) as index:
        found = Searcher(index.db).search(parse_query(q), per_page=100)
        assert found.total == len(found.hits)
        return {h.id for h in found.hits}


def test_a_pool_builds_the_same_search_tables_as_one_process(tmp_path: Path) -> None:
    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        serial = index.update(workers=1, search=True)
    one, queries = _search_tables(archive), ["宿迁", "复工复产", "市", "黄卫锋"]
    found = {q: _hits(archive, q) for q in queries}
    with ArchiveIndex(archive) as index:
        pooled = index.update(rebuild=True, workers=2, search=True)
    assert pooled.workers == 2 and serial.search_total == pooled.search_total == 20
    assert _search_tables(archive) == one
    assert {q: _hits(archive, q) for q in queries} == found and found["宿迁"] and found["黄卫锋"]


def test_only_the_index_command_builds_the_search_tables(tmp_path: Path) -> None:
    archive = _crawl(tmp_path / "archive")
    index, stats = ArchiveIndex.updated(archive)  # what export, diff, dups and verify do first
    assert not search.present(index.db) and stats.search_total is None
    index.close()
    assert main(["index", str(archive)]) == 0
    suqian = {f"site-{f}-{i}-0" for f in range(5) for i in range(4) if (f + i) % 4 == 0}
    assert _hits(archive, "宿迁") == suqian
    write_archive(archive, {"captures/site/c-00009.jsonl": [article("suqian", id="late-0")]})
    index, stats = ArchiveIndex.updated(archive)  # records indexed, search tables left as they were
    index.close()
    assert stats.records_added == 1 and "late-0" not in _hits(archive, "宿迁")
    with ArchiveIndex(archive) as index:
        stats = index.update(search=True)  # reads the new file again for its search rows
    assert (stats.files_read, stats.search_added, stats.search_total) == (0, 1, 21)
    assert "late-0" in _hits(archive, "宿迁")


def test_records_dropped_by_any_command_leave_no_search_rows(tmp_path: Path) -> None:
    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        index.update(search=True)
    last = "captures/site/c-00004.jsonl"  # the highest rowids: a new record must not take a stale one's
    edited = article("gangzha", id="site-4-0-0")
    edited.text = edited.text.replace("黄卫锋", "黄北锋")
    edited.text_sha256 = ""
    edited.__post_init__()
    write_archive(archive, {last: [edited]})
    index, stats = ArchiveIndex.updated(archive)  # not the index command: no search build ...
    index.close()
    assert stats.files_read == 1
    assert "site-4-0-0" not in _hits(archive, "宿迁")  # ... but no stale rows: it was 宿迁's article
    assert _hits(archive, "北锋") == set()
    with ArchiveIndex(archive) as index:
        stats = index.update(search=True)
    assert _hits(archive, "北锋") == {"site-4-0-0"} and stats.search_total == 17


@pytest.mark.parametrize("workers", [1, 2])
def test_damaged_files_in_a_search_build_are_named_the_rest_searchable(tmp_path: Path, workers: int) -> None:
    archive = _crawl(tmp_path / "archive")
    seg = archive / "captures/site/c-00001.jsonl"
    seg.write_text(seg.read_text(encoding="utf-8") + '{"id": "torn', encoding="utf-8")
    with ArchiveIndex(archive) as index:
        stats = index.update(search=True, workers=workers)
    assert len(stats.problems) == 1 and "c-00001.jsonl:5" in stats.problems[0]
    assert stats.search_total == stats.records_total == 20


def test_a_first_build_merges_once_and_leaves_the_incremental_settings(tmp_path: Path) -> None:
    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        index.update(search=True)
        config = dict(index.db.execute("SELECT k, v FROM search_fts_config"))
        assert (config["automerge"], config["hashsize"]) == (4, 64 << 20)
        index.db.execute("INSERT INTO search_fts(search_fts, rank) VALUES('automerge', 0)")  # as if a bulk
        index.db.commit()  # build had been interrupted before its end
        write_archive(archive, {"captures/site/c-00009.jsonl": [article("suqian", id="late-0")]})
        index.update(search=True)
        assert dict(index.db.execute("SELECT k, v FROM search_fts_config"))["automerge"] == 4
    assert "late-0" in _hits(archive, "宿迁")


def test_a_first_build_cut_after_some_commits_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill between two commits of a bulk first build (marked ``bulk``, its FTS5 shards not built yet):
    the rerun builds the search tables again, keeps the incremental settings, and finds what an uncut
    build finds."""
    from newsarchive import index as index_module
    from newsarchive import index_rows

    archive = _crawl(tmp_path / "archive")
    queries = ["宿迁", "复工复产", "市", "黄卫锋"]
    with ArchiveIndex(archive) as index:
        index.update(search=True, workers=1)
    uncut = {q: _hits(archive, q) for q in queries}
    monkeypatch.setattr(index_module, "COMMIT_ROWS", 4)  # every file its own batch and commit
    monkeypatch.setattr(index_rows, "GROUP_BYTES", 1)
    with interrupted_after_files(monkeypatch), ArchiveIndex(archive) as index, \
            pytest.raises(KeyboardInterrupt):
        index.update(rebuild=True, search=True, workers=1)
    with ArchiveIndex(archive) as index:
        assert 0 < search.count(index.db) < 20  # the committed files kept their records and search rows
        assert index.db.execute("SELECT value FROM search_meta WHERE key='bulk'").fetchone() == ("pending",)
        with pytest.raises(search.SearchIndexMissing, match=r"interrupted.*newsarchive index"):
            Searcher(index.db)  # serve says so instead of answering every query with no hits
        some = [r for (r,) in index.db.execute("SELECT rowid FROM search_docs LIMIT 2")]
        with index.db:  # a record file dropped meanwhile: no FTS5 'delete' of tokens never inserted
            search._delete(index.db, some)
        for name in search.shard_tables(index.db):
            index.db.execute(f"INSERT INTO {name}({name}, rank) VALUES('integrity-check', 0)")
        stats = index.update(search=True, workers=1)  # the FTS5 shards never came: built again
        assert index.db.execute("SELECT value FROM search_meta WHERE key='bulk'").fetchone() is None
        assert dict(index.db.execute("SELECT k, v FROM search_fts_config"))["automerge"] == 4
        index.db.execute("INSERT INTO search_fts(search_fts, rank) VALUES('integrity-check', 0)")
    assert stats.records_total == stats.search_total == 20
    assert {q: _hits(archive, q) for q in queries} == uncut


def test_shards_built_in_parallel_find_what_one_table_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build with 2 workers splits FTS5 in 2 shards, built by 2 processes (SHARD_BATCH lowered so
    that 20 records count as large) and copied in; every query finds what a 1-shard build finds, and a
    later incremental update writes into the shards."""
    queries = ["宿迁", "复工复产", "市", "黄卫锋", "疫情"]
    one = _crawl(tmp_path / "one")
    with ArchiveIndex(one) as index:
        index.update(search=True, workers=1)
        assert search.shard_tables(index.db) == ["search_fts"]
    monkeypatch.setattr(search, "SHARD_BATCH", 2)
    two = _crawl(tmp_path / "two")
    with ArchiveIndex(two) as index:
        stats = index.update(search=True, workers=2)
        assert search.shard_tables(index.db) == ["search_fts", "search_fts1"]
        assert stats.seconds["fts"] > 0 and stats.search_total == 20
        for name in search.shard_tables(index.db):
            assert index.db.execute(f"SELECT COUNT(*) FROM {name}_docsize").fetchone()[0] == 10
            index.db.execute(f"INSERT INTO {name}({name}, rank) VALUES('integrity-check', 0)")
    assert {q: _hits(two, q) for q in queries} == {q: _hits(one, q) for q in queries}
    write_archive(two, {"captures/site/c-00009.jsonl": [article("suqian", id="late-0"),
                                                         article("suqian", id="late-1")]})  # fmt: skip
    with ArchiveIndex(two) as index:
        index.update(search=True, workers=2)
        assert [index.db.execute(f"SELECT COUNT(*) FROM {name}_docsize").fetchone()[0]
                for name in search.shard_tables(index.db)] == [11, 11]  # fmt: skip
    assert {"late-0", "late-1"} <= _hits(two, "宿迁")


def test_search_tables_of_an_older_token_scheme_are_built_again_once_with_a_note(tmp_path: Path) -> None:
    archive = _crawl(tmp_path / "archive")
    with ArchiveIndex(archive) as index:
        index.update(search=True)
        index.db.execute("UPDATE search_meta SET value='bigram+last-unigram/v3' WHERE key='token_scheme'")
        index.db.commit()
        again = index.update(search=True)
        assert any("token scheme bigram+last-unigram/v3" in note for note in again.notes)
        assert again.search_total == 20
        assert not any("token scheme" in note for note in index.update(search=True).notes)
    assert _hits(archive, "宿迁")


def test_a_first_search_build_shows_its_shards_in_the_progress_lines(tmp_path: Path) -> None:
    import io

    from newsarchive.progress import Progress

    archive = _crawl(tmp_path / "archive")
    out = io.StringIO()
    with ArchiveIndex(archive) as index:
        index.update(search=True, workers=2, progress=Progress("index", out, delay=0, every=0))
    lines = out.getvalue().splitlines()
    assert any("search index: 2 of 2 shards built" in line for line in lines)
    assert lines[-1].startswith("newsarchive index: done") and "\r" not in out.getvalue()
