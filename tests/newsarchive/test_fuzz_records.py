"""Hypothesis fuzz of the record-file readers (strategies and oracle in fuzz_records.py): no input makes
them raise, hang or lose a record in silence. Bounded for CI (230 inputs, ~15 s); for the counts
over thousands run ``python tests/newsarchive/fuzz_records.py --examples 3000``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzz_records import Outcome, json_files, jsonl_files, judge, judge_index
from hypothesis import HealthCheck, given, settings

CI = settings(deadline=2000, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.data_too_large])


def _check(outcome: Outcome) -> None:
    assert outcome.crash is None, outcome.crash
    assert outcome.seconds < 2.0, f"took {outcome.seconds:.1f} s"
    assert outcome.losses == [], outcome.losses
    assert outcome.disagreements == [], outcome.disagreements


@settings(CI, max_examples=100)
@given(jsonl_files())
def test_jsonl_segments_are_read_or_their_bad_lines_named(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _check(judge(Path(tmp) / "c-00000.jsonl", data))


@settings(CI, max_examples=100)
@given(json_files())
def test_seed_record_files_are_read_or_named(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _check(judge(Path(tmp) / "000_x.json", data))


@settings(CI, max_examples=30)
@given(jsonl_files())
def test_the_index_holds_every_good_record_of_a_damaged_segment(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _check(judge_index(Path(tmp) / "archive", data))
