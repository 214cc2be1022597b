"""The package layout a reader relies on: the stages are folders, and no module or package is named like
a function its package exports (``normalize.clean`` was both a module and the function, and which one
``normalize.decode`` meant depended on import order)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import normalize

PACKAGES = ["normalize", "normalize.decoding", "normalize.extract", "normalize.structure",
            "normalize.repairs"]


@pytest.mark.parametrize("name", PACKAGES)
def test_no_module_shadows_a_function_of_its_package(name: str) -> None:
    package = importlib.import_module(name)
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    exported = set(getattr(package, "__all__", [])) | {n for n in dir(package) if not n.startswith("_")}
    clashes = sorted(n for n in modules & exported if callable(getattr(package, n, None))
                     and not isinstance(getattr(package, n), type(sys)))
    assert not clashes, f"{name}: modules named like the functions they sit beside: {clashes}"
    named_like_export = modules & set(getattr(package, "__all__", []))
    assert not named_like_export, f"{name}: modules named like an export: {sorted(named_like_export)}"


def test_the_public_api_gives_functions_whatever_was_imported_first() -> None:
    code = (
        "import normalize.pipeline, normalize.decoding, normalize.extract\n"
        "from normalize import clean, decode, extract_html, Record, CleanError\n"
        "import types; assert all(isinstance(f, types.FunctionType) for f in (clean, decode, extract_html))\n"
        "import normalize.record, normalize.errors\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(normalize.__file__).parents[2])


def test_the_stages_are_folders() -> None:
    root = Path(normalize.__file__).parent
    assert {"decoding", "extract", "structure", "repairs"} <= {p.name for p in root.iterdir() if p.is_dir()}
    assert not list(root.glob("extract_*.py")), "extraction modules belong in normalize/extract/"
