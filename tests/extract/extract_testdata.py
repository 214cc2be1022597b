"""Helpers of the extraction tests: locate ../shared (skip when absent) and load the bench.

A plain module rather than conftest.py: tests/crawler has its own conftest, and two conftest modules
imported by name would collide as the top-level module ``conftest``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_EXTRACTION = ROOT / ".." / "shared" / "eval" / "extraction"


def shared_or_skip(*parts: str) -> Path:
    """A folder under ../shared/eval/extraction, or skip the test with a message naming it."""
    path = SHARED_EXTRACTION.joinpath(*parts)
    if not path.is_dir():
        pytest.skip(f"../shared evaluation data not found at {path.resolve()}; skipping (not an error)")
    return path


def load_bench() -> ModuleType:
    """bench/extraction.py as a module (bench/ is not a package)."""
    if "bench_extraction" in sys.modules:
        return sys.modules["bench_extraction"]
    spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module
