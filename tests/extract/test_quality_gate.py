"""CI quality gate: extraction quality on waddle-zh must not drop below bench/extraction_baseline.json.

Runs the project's extractor over all 401 pages (about 10-15 s on one core) and scores the body
against the reference without its title line, exactly as bench/extraction.py does, plus the exact
title rate and the plausible publish-date rate (a date within a year before the capture day).
Bare trafilatura is only run on the pages we score below 0.5, to check that none of them is a page
it handles (> 0.8).
Skips when ../shared is absent.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import NamedTuple

import pytest
import trafilatura
from extract_testdata import ROOT, load_bench, shared_or_skip

from normalize.decoding import decode
from normalize.errors import ExtractionError
from normalize.extract.page import extract_html


class Row(NamedTuple):
    f1: float
    precision: float
    shingle: float
    title_ok: bool
    date_ok: bool
    ref_body: str
    path: Path


BASELINE = json.loads((ROOT / "bench" / "extraction_baseline.json").read_text("utf-8"))

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def scores() -> dict[str, list[Row]]:
    dataset = shared_or_skip("waddle-zh")
    bench = load_bench()
    out: dict[str, list[Row]] = {"tune": [], "valid": []}
    for path in sorted((dataset / "html").iterdir()):
        ref_path = dataset / "reference" / path.name
        if not ref_path.exists():
            continue
        ref_title, ref_body = bench.reference(ref_path)
        text = decode(path.read_bytes()).text
        try:
            ex = extract_html(text)
            body, title, published = ex.text, ex.title or "", ex.published
        except ExtractionError:
            body, title, published = "", "", None
        f1, p, _r = bench.char_f1(body, ref_body)
        title_ok = bench.squeeze(title) == bench.squeeze(ref_title)
        date_ok = bench.date_plausible(published, path.name)
        row = Row(f1, p, bench.shingle_f1(body, ref_body), title_ok, date_ok, ref_body, path)
        out[bench.host_half(path.name)].append(row)
    return out


def _figures(rows: list[Row]) -> dict[str, float]:
    return {
        "f1_mean": statistics.mean(r.f1 for r in rows),
        "precision_mean": statistics.mean(r.precision for r in rows),
        "shingle_f1_mean": statistics.mean(r.shingle for r in rows),
        "title_exact": statistics.mean(r.title_ok for r in rows),
        "date_plausible": statistics.mean(r.date_ok for r in rows),
        "below_0_5": sum(r.f1 < 0.5 for r in rows),
    }


@pytest.mark.parametrize("half", ["all", "tune", "valid"])
def test_quality_does_not_drop_below_baseline(scores: dict, half: str) -> None:
    rows = scores["tune"] + scores["valid"] if half == "all" else scores[half]
    got = _figures(rows)
    floor = BASELINE[half]
    failures = [
        f"{key} {got[key]:.4f} < floor {floor[key]}"
        for key in ("f1_mean", "precision_mean", "shingle_f1_mean", "title_exact", "date_plausible")
        if got[key] < floor[key]
    ]
    if got["below_0_5"] > floor["below_0_5_max"]:
        failures.append(f"{got['below_0_5']} pages below 0.5 > allowed {floor['below_0_5_max']}")
    assert not failures, f"extraction quality dropped on the {half} half: " + "; ".join(failures) + (
        " — run `.venv/bin/python bench/extraction.py --worst 20` to see which pages"
    )


def test_no_page_below_half_that_bare_trafilatura_handles(scores: dict) -> None:
    bench = load_bench()
    regressions = []
    for row in scores["tune"] + scores["valid"]:
        if row.f1 < 0.5:
            bare = trafilatura.extract(decode(row.path.read_bytes()).text) or ""
            if bench.char_f1(bare, row.ref_body)[0] > 0.8:
                regressions.append(row.path.name)
    assert len(regressions) <= BASELINE["all"]["regressions_max"], (
        f"pages we score below 0.5 that bare trafilatura scores above 0.8: {regressions}"
    )
