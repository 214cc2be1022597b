"""The line classifier on single lines of extracted pages (cases as data in line_kinds.toml): each
furniture line gets its kind, each text line stays."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from normalize.structure.furniture import classify_line, text_line_kind

CASES = tomllib.loads((Path(__file__).parent / "line_kinds.toml").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["furniture"], ids=[c["line"][:20] for c in CASES["furniture"]])
def test_furniture_line_gets_its_kind(case: dict[str, Any]) -> None:
    assert classify_line(case["line"]) == case["kind"]


@pytest.mark.parametrize("case", CASES["text"], ids=[c["line"][:20] for c in CASES["text"]])
def test_text_line_stays(case: dict[str, Any]) -> None:
    assert classify_line(case["line"]) is None


@pytest.mark.parametrize("case", CASES["text_capture"], ids=[c["line"][:20] for c in CASES["text_capture"]])
def test_text_capture_line_gets_its_kind(case: dict[str, Any]) -> None:
    assert text_line_kind(case["line"]) == case["kind"]
