"""In the wild: the archive's real seed records (archive/seeds/*.json, written by `newsarchive clean`) and
the bundled sample portal's pages, diffed against the seeds. Skipped when the seed records are absent."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from archive_helpers import REPO, SEEDS, seed_record_files

from newsarchive.diff import diff_articles
from newsarchive.sources import load_sources
from normalize.record import Record

SITE = REPO / "crawler" / "sample_portal" / "site"


@pytest.fixture(scope="module")
def seeds() -> list[Record]:
    problems: list[str] = []
    records = load_sources(seed_record_files(), problems)
    assert problems == []
    return records


def _seed(seeds: list[Record], prefix: str) -> Record:
    return next(r for r in seeds if r.id.startswith(prefix))


def _with_text(rec: Record, text: str, rid: str) -> Record:
    return dataclasses.replace(rec, id=rid, text=text, text_sha256="")


def test_seed_captures_cleaned_again_equal_their_records(seeds: list[Record]) -> None:
    pytest.importorskip("normalize.pipeline")
    problems: list[str] = []
    new = load_sources(sorted(SEEDS.glob("*.txt")), problems)
    assert problems == []
    diffs = diff_articles(new, seeds)
    stale = [
        (d.new.id, d.status)
        for d in diffs
        if d.status != "identical" or d.old is None or d.old.id != d.new.id
    ]
    assert stale == [], "seed records differ from a fresh clean of their captures: rerun `newsarchive clean`"


def test_seed_001_with_its_injected_token_back_reports_the_insertion(seeds: list[Record]) -> None:
    seed = _seed(seeds, "001_")
    assert "管用" in seed.text, "seed 001's record no longer has 管用 (the injected token's place)"
    damaged = _with_text(seed, seed.text.replace("管用", "管锚点用", 1), "damaged-001")
    [d] = diff_articles([damaged], seeds)
    assert d.old is not None and d.old.id == seed.id
    assert d.status == "edited" and d.insertions() == ["锚点"] and d.counts()["changed"] == 1


def test_edited_sentence_of_an_epaper_article_is_reported_as_edited(seeds: list[Record]) -> None:
    seed = _seed(seeds, "004_45874e38bd59b7c1-1")
    first = seed.text.split("。")[0]
    edited = _with_text(seed, seed.text.replace(first, first + "并召开现场会", 1), "edited-004-1")
    [d] = diff_articles([edited], seeds)
    assert d.old is not None and d.old.id == seed.id
    assert d.status == "edited" and d.counts()["changed"] == 1 and d.insertions() == ["并召开现场会"]


def test_sample_portal_pages_match_their_seeds_and_fillers_match_nothing(seeds: list[Record]) -> None:
    pytest.importorskip("normalize.pipeline")
    articles = pytest.importorskip("crawler.sample_portal.articles")
    if not SITE.is_dir():
        pytest.skip(f"{SITE} not built")
    checked = 0
    for page in articles.load_articles():
        path = SITE / page.url.lstrip("/")
        problems: list[str] = []
        new = load_sources([path], problems)
        assert new, f"{path}: no article ({problems})"
        d = diff_articles(new[:1], seeds)[0]
        matched = d.old.id if d.old else None
        if page.seed:
            assert matched and matched.startswith(Path(page.seed).stem), f"{page.url} matched {matched}"
        else:
            assert matched is None, f"filler {page.url} matched {matched}"
        checked += 1
    assert checked >= 8
