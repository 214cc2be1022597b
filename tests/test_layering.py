"""The three packages depend in one direction only: crawler -> newsarchive -> normalize.

A user relies on this: `normalize` can be used alone (no Scrapy, no archive layout), and `newsarchive`
works on an archive without Scrapy installed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "normalize": ROOT / "src" / "normalize",
    "newsarchive": ROOT / "src" / "newsarchive",
}
FORBIDDEN = {
    "normalize": {"newsarchive", "crawler", "scrapy", "twisted", "warcio", "sqlite3"},
    "newsarchive": {"crawler", "scrapy", "twisted"},
}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules() -> list[tuple[str, Path]]:
    return [(pkg, p) for pkg, d in PACKAGES.items() for p in sorted(d.rglob("*.py"))]


@pytest.mark.parametrize(("package", "path"), modules(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_imports_point_one_way(package: str, path: Path) -> None:
    bad = imported_top_levels(path) & FORBIDDEN[package]
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}; {package} must not depend on them"


def test_layering_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from scrapy import Spider\nimport newsarchive.records\n", encoding="utf-8")
    assert imported_top_levels(bad) >= {"scrapy", "newsarchive"}
