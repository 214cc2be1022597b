"""Bylines and metadata lines (cases as data in bylines.toml): authors, photographers, editor, source,
publish time, and the lines that must NOT yield a name ("记者注意到", "作者：未知", "（完）")."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from normalize.structure.bylines import read_bylines, read_meta_lines
from normalize.structure.draft import Meta

CASES = tomllib.loads((Path(__file__).parent / "bylines.toml").read_text("utf-8"))
PARAMS = [
    pytest.param(c, id=f"{group}/{c['id']}") for group in ("synthetic", "negative") for c in CASES[group]
]


def _read(case: dict[str, Any]) -> Meta:
    meta = read_meta_lines(case.get("meta", []))
    read_bylines(case.get("body", []), meta)
    return meta


@pytest.mark.parametrize("case", PARAMS)
def test_byline(case: dict[str, Any]) -> None:
    meta = _read(case)
    for name in ("authors", "photographers", "editor", "source", "published"):
        if name in case:
            want = case[name] if case[name] != "" else None  # "" in the data means "must be None"
            assert getattr(meta, name) == want, f"{name}: got {getattr(meta, name)!r}"


def test_body_lines_are_not_changed() -> None:
    body = ["本报讯（记者 赵明）会议召开。", "（王文举）"]
    read_bylines(body, Meta())
    assert body == ["本报讯（记者 赵明）会议召开。", "（王文举）"]
