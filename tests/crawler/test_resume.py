"""Kill and resume: a sample crawl with JOBDIR is SIGKILLed at a kill point (crawler.sample_portal.killpoints:
inside queue pushes and pops, inside WARC and JSONL writes, an e-paper page's records cut after the first,
inside the scheduler's close, a kill during the resume itself ...), then resumed; every article must be
recorded exactly once, every WARC must pass `warcio check` and read whole, and no clean worker may outlive
its killed crawler.

CI runs CI_POINTS (9 of the 20, each kind of event); RESUME_SWEEP=full runs all of DEFAULT_POINTS, and
`python bench/resume.py` runs and times them (figures in the README).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest

from crawler.sample_portal.resume_sweep import DEFAULT_POINTS, PointResult, sweep

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="orphan checks read /proc (Linux)")]

CI_POINTS = [p for p in DEFAULT_POINTS if p in (
    ["queue-push:2"], ["queue-pop:8"], ["response:1"], ["warc-write:6"], ["jsonl-write:1"],
    ["jsonl-epaper:1"], ["item:9"], ["state-write:1"], ["warc-write:4", "queue-pop:3"],
)]
POINTS = DEFAULT_POINTS if os.environ.get("RESUME_SWEEP") == "full" else CI_POINTS
IDS = ["+".join(p) for p in POINTS]


@pytest.fixture(scope="module")
def results(portal_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, PointResult]:
    """All points, two at a time (each point is two or three crawls of a second or two)."""
    done = sweep(POINTS, portal_url + "/", tmp_path_factory.mktemp("sweep"), parallel=2)
    return dict(zip(IDS, done, strict=True))


@pytest.mark.parametrize("point", IDS)
def test_killed_at_any_moment_then_resumed_records_every_article_exactly_once(
        point: str, results: dict[str, Any]) -> None:
    result = results[point]
    assert all(result.killed), f"the crawl was not killed at {point} (the kill point is never reached)"
    assert result.final_status == 0, result.problems
    assert (result.lost, result.duplicated) == (0, 0), result.problems
    assert result.orphans == 0, result.problems
    assert result.ok, result.problems
