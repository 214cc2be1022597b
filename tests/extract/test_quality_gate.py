"""CI quality gate: extraction on every evaluation set must not drop below bench/extraction_baseline.json.

Scores every page of waddle-zh, gov-labelled, the national-news labels (bench/labels/news-national.json)
and gov-unlabeled exactly as ``bench/extraction.py`` does (its functions are used), with bare trafilatura
on the same decoded text: mean character F1, precision and recall, title and date right, pages below
0.5, pages where bare trafilatura scores above 0.8 and we fall below 0.5, and the recall check against
bare trafilatura — the pages keeping under 70% of its CJK characters, and the cells of those pages that
no named kind explains. Floors per set and per host half (tuning / validation). About a minute on one
core. Skips when ../shared is absent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from extract_testdata import ROOT, SHARED_EXTRACTION, load_bench

BASELINE = json.loads((ROOT / "bench" / "extraction_baseline.json").read_text("utf-8"))
FLOORS = ("f1_mean", "precision_mean", "recall_mean", "title_right", "title_right_errata", "date_right")
CEILINGS = ("below_0_5", "keeps_below_0_7", "unexplained_drops", "furniture_pages", "errors")

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, Any]]:
    if not SHARED_EXTRACTION.is_dir():
        pytest.skip(f"../shared evaluation data not found at {SHARED_EXTRACTION.resolve()}; skipping")
    bench = load_bench()
    decode = bench.decoder()
    pages = []
    for name in BASELINE["sets"]:
        found, why = bench.load_set(name, SHARED_EXTRACTION.parents[1])
        if why:
            pytest.skip(f"evaluation set {name} not available: {why}")
        pages += [bench.score_page(p, decode, 1) for p in found]
    out = {name: bench.summary([p for p in pages if p.set == name]) for name in BASELINE["sets"]}
    for half in ("tune", "valid"):
        out[f"labelled-{half}"] = bench.summary([p for p in pages if p.labelled and p.half == half])
    out["all"] = bench.summary(pages)
    return out


def _failures(got: dict[str, Any], floor: dict[str, Any]) -> list[str]:
    aliases = {"below_0_5": "ours_below_0_5", "f1_mean": "ours_f1_mean",
               "precision_mean": "ours_precision_mean", "recall_mean": "ours_recall_mean"}
    out = [f"{key} {got[aliases.get(key, key)]} < floor {floor[key]}"
           for key in FLOORS if key in floor and got[aliases.get(key, key)] < floor[key]]
    out += [f"{key} {got[aliases.get(key, key)]} > allowed {floor[key + '_max']}"
            for key in CEILINGS if key + "_max" in floor and got[aliases.get(key, key)] > floor[key + "_max"]]
    return out


@pytest.mark.parametrize("name", [*BASELINE["sets"], *BASELINE["halves"]])
def test_quality_does_not_drop_below_baseline(figures: dict[str, dict[str, Any]], name: str) -> None:
    floor = BASELINE["sets"].get(name) or BASELINE["halves"][name]
    failures = _failures(figures[name], floor)
    assert not failures, f"extraction quality dropped on {name}: " + "; ".join(failures) + (
        " — run `.venv/bin/python bench/extraction.py --worst 20 --explain` to see which pages"
    )


def test_no_page_below_half_that_bare_trafilatura_handles(figures: dict[str, dict[str, Any]]) -> None:
    got = figures["all"]["regressions_below_0_5_where_bare_above_0_8"]
    assert got <= BASELINE["regressions_max"], (
        f"{got} pages score below 0.5 where bare trafilatura scores above 0.8 — "
        "run `.venv/bin/python bench/extraction.py --worst 20`"
    )


def test_better_than_bare_trafilatura_on_every_labelled_set(figures: dict[str, dict[str, Any]]) -> None:
    worse = [name for name, f in figures.items()
             if "bare_f1_mean" in f and f["ours_f1_mean"] <= f["bare_f1_mean"]]
    assert not worse, f"bare trafilatura scores at least as well on {worse}"
