"""Fuzz suite (issue 10): every class of bad input of :mod:`fuzzing`, checked by :func:`fuzzing.check`
(no crash, no hang, no silent loss, no control character or surrogate in a record, idempotent).

Bounded in CI by the hypothesis profile ``ci`` (the default here); ``HYPOTHESIS_PROFILE=offline`` runs
thousands of examples, and ``python scripts/fuzz_normalize.py`` counts inputs, crashes, hangs and losses.
"""

from __future__ import annotations

import os

import pytest
from fuzzing import bad_bytes, characters, check, large, mislabelled, newsy, shapes
from hypothesis import HealthCheck, given, settings

from normalize import clean

settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("offline", max_examples=3000, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def assert_ok(data: str | bytes, charset: str | None = None, *, idempotent: bool = False) -> None:
    problem = check(data, charset, idempotent=idempotent)
    assert problem is None, problem


@given(shapes)
def test_adversarial_shapes(data: str) -> None:
    assert_ok(data)


@given(characters())
def test_surrogates_and_controls(data: str) -> None:
    assert_ok(data, idempotent=True)


@given(bad_bytes())
def test_bad_bytes(data: bytes) -> None:
    assert_ok(data)


@given(mislabelled())
def test_mislabelled_charsets(case: tuple[bytes, str]) -> None:
    assert_ok(*case)


@settings(max_examples=2)
@given(large)
def test_large_pages(data: str) -> None:
    assert_ok(data)


@given(newsy)
def test_idempotent(data: str) -> None:
    assert_ok(data, idempotent=True)


# known repros (issue 10 item 7), as data: input -> the text cleaning must give twice
IDEMPOTENT_CASES = [
    "县政府召开常务会议\n\n县政府召开常务会议研究部署\ufffd\n县政府召开常务会议，研究部署当前各项重点工作。",
    "标题\n\n研究部署当前各项重点工作\ufffd\n记者 张三",
]


@pytest.mark.parametrize("text", IDEMPOTENT_CASES)
def test_replacement_character_line_does_not_become_the_title_on_reclean(text: str) -> None:
    once = [r.text for r in clean(text, kind="text")]
    assert [t for o in once for t in (r.text for r in clean(o, kind="text"))] == once


def test_copyright_clause_joined_with_a_stray_mark_is_removed_on_the_first_clean() -> None:
    """join_broken_lines joins a lone '、' onto a clause ending in '…'; the joined line reads as a
    copyright clause, so the first clean removes it too (the structure stage classifies joined lines)."""
    [once] = clean("1.凡本网注明版权声明:…\n、", kind="text")
    assert (once.text, [r.kind for r in once.removed]) == ("", ["copyright"])
    body = "区政府召开专题会议，研究部署防汛工作。\n\n1.凡本网注明版权声明:…\n、"
    [twice] = clean(body, kind="text")
    assert [r.text for r in clean(twice.text, kind="text")] == [twice.text]
