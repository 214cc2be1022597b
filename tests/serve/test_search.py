"""The search index (newsarchive.search): substring semantics from the index, t2s, incremental updates."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest
from serve_helpers import REVISITED, build_offline_archive, records_containing

from newsarchive import search
from newsarchive.index import ArchiveIndex
from newsarchive.records import write_seed_records
from newsarchive.search import Filters, Searcher, SearchIndexMissing, parse_query
from normalize.record import Record


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_offline_archive(tmp_path_factory.mktemp("search-archive"))


def hits(archive: Path, q: str, **kw: object) -> dict[int, str | None]:
    with ArchiveIndex.open_read_only(archive) as index:
        r = Searcher(index.db).search(parse_query(q), per_page=100, **kw)  # type: ignore[arg-type]
        assert r.total == len(r.hits)
        return {h.rowid: h.title for h in r.hits}


def sample_needles(archive: Path, n: int = 60, seed: int = 3) -> list[str]:
    """Substrings of 1-4 characters cut from the archive's titles and texts, and a few absent ones."""
    rng = random.Random(seed)
    with ArchiveIndex(archive) as index:
        records = index.load_records(x.rowid for x in index.rows()).values()
        texts = [f"{r.title or ''}\n{r.text}" for r in records]
    out = ["疫情", "复工复产", "市", "朱是西", "2020", "covid", "不存在的词", "龘"]
    while len(out) < n:
        text = rng.choice(texts)
        size = rng.choice([1, 2, 2, 3, 4])
        at = rng.randrange(max(1, len(text) - size))
        piece = text[at : at + size]
        if piece.strip() and search._RUN.fullmatch(piece):
            out.append(piece)
    return out


def test_every_query_finds_exactly_the_records_containing_it(archive: Path) -> None:
    for needle in sample_needles(archive):
        assert set(hits(archive, needle)) == set(records_containing(archive, needle)), needle


def test_one_and_two_character_queries_are_answered_by_the_index(archive: Path) -> None:
    assert parse_query("市").match() == '("市"*)'
    assert parse_query("疫情").match() == '("疫情")'
    assert hits(archive, "市") and hits(archive, "疫情")


def test_traditional_query_finds_the_simplified_text(archive: Path) -> None:
    simplified = hits(archive, "复工复产")
    assert simplified
    assert hits(archive, "復工復產") == simplified
    assert hits(archive, "區委") == hits(archive, "区委")


def test_terms_must_all_match(archive: Path) -> None:
    both = hits(archive, "朱是西 高新区")
    assert both and set(both) <= set(hits(archive, "朱是西")) & set(hits(archive, "高新区"))
    assert hits(archive, "朱是西 不存在的词") == {}


def test_punctuation_only_query_is_empty_and_lists_everything(archive: Path) -> None:
    with ArchiveIndex.open_read_only(archive) as index:
        r = Searcher(index.db).search(parse_query("，。！"))
        assert r.query.empty and r.total == index.count()


def test_facets_count_the_whole_result_set_and_filter(archive: Path) -> None:
    with ArchiveIndex.open_read_only(archive) as index:
        s = Searcher(index.db)
        r = s.search(parse_query("复工"), per_page=1)
        sites = dict(r.facets["site"])
        assert sum(sites.values()) == r.total and sites["sample"] > 0 and sites[""] > 0  # seeds: no site
        # the revisit edited one article: both its captures are "edited" (newsarchive.history), the rest live
        states = dict(r.facets["state"])
        assert states == {"live": r.total - 2, "edited": 2}
        edited = s.search(parse_query("复工"), Filters(state=("edited",)))
        assert {h.url for h in edited.hits} == {"http://127.0.0.1:8731" + REVISITED}
        only = s.search(parse_query("复工"), Filters(site=("sample",)))
        assert only.total == sites["sample"]
        assert {h.site for h in only.hits} == {"sample"}
        months = dict(r.facets["month"])
        feb = s.search(parse_query("复工"), Filters(month=("2020-02",)))
        assert feb.total == months["2020-02"] and all(h.published.startswith("2020-02") for h in feb.hits)


def test_sort_by_date_puts_undated_last(archive: Path) -> None:
    with ArchiveIndex.open_read_only(archive) as index:
        s = Searcher(index.db)
        newest = [h.published for h in s.search(parse_query("复工"), sort="newest", per_page=100).hits]
        dated = [d for d in newest if search.date_key(d)]
        assert dated == sorted(dated, reverse=True) and newest[: len(dated)] == dated
        oldest = [h.published for h in s.search(parse_query("复工"), sort="oldest", per_page=100).hits]
        assert [d for d in oldest if search.date_key(d)] == sorted(dated)


def test_relevance_prefers_titles(archive: Path) -> None:
    with ArchiveIndex.open_read_only(archive) as index:
        first = Searcher(index.db).search(parse_query("朱是西"), per_page=1).hits[0]
        assert "朱是西" in (first.title or "")
        assert any(hit for _, hit in first.snippet) and any(hit for _, hit in first.title_spans)


def test_index_is_incremental_and_follows_changed_and_deleted_files(tmp_path: Path) -> None:
    archive = build_offline_archive(tmp_path)
    with ArchiveIndex(archive) as index:
        index.update(search=True)
        again = index.update(search=True)
        assert (again.files_read, again.search_added) == (0, 0)  # nothing changed: nothing re-indexed
    seed = archive / "seeds" / "002_9e67848155b96beb.json"
    doc = json.loads(seed.read_text(encoding="utf-8"))
    edited = [Record.from_dict({**r, "text": r["text"].replace("刘南昌", "刘北昌"), "text_sha256": ""})
              for r in doc["records"]]  # fmt: skip
    write_seed_records(seed, doc["capture"], edited)
    (archive / "seeds" / "003_af7051c7491cd361.json").unlink()
    with ArchiveIndex(archive) as index:
        index.update(search=True)
        total = index.count()
    assert len(hits(archive, "刘北昌")) == 1  # the edited seed; the crawl's copy still says 刘南昌
    for word in ("刘北昌", "刘南昌"):
        assert set(hits(archive, word)) == set(records_containing(archive, word))
    with ArchiveIndex.open_read_only(archive) as index:
        assert Searcher(index.db).search(parse_query("")).total == total
    assert set(hits(archive, "卢东亮")) == set(records_containing(archive, "卢东亮"))


def test_an_interrupted_search_update_is_completed_by_the_next_run(tmp_path: Path) -> None:
    archive = build_offline_archive(tmp_path)
    db = sqlite3.connect(archive / "index.sqlite")
    with db:  # as if the run had stopped before the last files' transactions
        last = [r for (r,) in db.execute("SELECT rowid FROM search_docs WHERE file LIKE 'captures/%'")]
        search._delete(db, last)
    db.close()
    with ArchiveIndex(archive) as index:
        index.update(search=True)
    assert set(hits(archive, "疫情")) == set(records_containing(archive, "疫情"))


def test_an_index_without_search_tables_says_how_to_build_them(tmp_path: Path) -> None:
    archive = build_offline_archive(tmp_path)
    db = sqlite3.connect(archive / "index.sqlite")
    db.executescript("DROP TABLE search_fts; DROP TABLE search_docs; DROP TABLE search_meta;")
    db.close()
    index = ArchiveIndex.open_read_only(archive)
    with pytest.raises(SearchIndexMissing, match="newsarchive index"):
        Searcher(index.db)
    index.close()
    with ArchiveIndex(archive) as index:
        index.update(search=True)
    assert hits(archive, "疫情")


def test_states_plug_in_for_the_history_work(tmp_path: Path) -> None:
    archive = build_offline_archive(tmp_path)
    with ArchiveIndex.open_read_only(archive) as index:
        searcher = Searcher(index.db)
        before = dict(searcher.search(parse_query("复工")).facets["state"])
        edited = {h.rowid for h in searcher.search(parse_query("复工"), Filters(state=("edited",))).hits}
    some = sorted(set(hits(archive, "复工")) - edited)[:2]
    with ArchiveIndex(archive) as index:
        with pytest.raises(ValueError, match="live, edited, deleted"):
            search.set_states(index.db, {some[0]: "gone"})
        search.set_states(index.db, {some[0]: "edited", some[1]: "deleted"})
    with ArchiveIndex.open_read_only(archive) as index:
        s = Searcher(index.db)
        r = s.search(parse_query("复工"))
        assert dict(r.facets["state"])["edited"] == before["edited"] + 1
        assert dict(r.facets["state"])["deleted"] == 1
        assert [h.rowid for h in s.search(parse_query("复工"), Filters(state=("deleted",))).hits] == [some[1]]


def test_snippet_and_spans_never_cross_a_match() -> None:
    pieces = search.snippet("甲" * 200 + "复工复产" + "乙" * 200, ["复工复产", "复工"])
    assert ("复工复产", True) in pieces and pieces[0] == ("…" + "甲" * 30, False)
