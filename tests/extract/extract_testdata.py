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


def load_bench(name: str = "extraction", module_name: str = "bench_extraction") -> ModuleType:
    """bench/<name>.py as a module named ``module_name`` (bench/ is not a package)."""
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def load_quote_labels() -> ModuleType:
    """bench/quote_labels.py (quote-anchored reference labels) as the module ``quote_labels``."""
    return load_bench("quote_labels", "quote_labels")
