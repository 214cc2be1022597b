"""Headless Chromium for the serve tests: Debian's /usr/bin/chromium driven by Playwright for Python.

Playwright never downloads a browser here (``executable_path`` is the system one, installed by
``scripts/install-browser.sh``). The browser starts with the flags below (no background networking, no
component updates, no sync: it talks to nothing but the app) and a fresh user-data folder (Playwright
makes a new temporary one for every launch and removes it after). Without the
browser the tests skip with the command that installs it — except under CI (``CI`` set), where
``.ci/run`` installs it, so its absence fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("NEWSARCHIVE_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


def require_browser() -> None:
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "Playwright for Python is missing: pip install -e '.[dev]'"
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is missing: run `sudo bash scripts/install-browser.sh` (Debian chromium)"
    if reason and os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    if reason:
        pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Any]:
    """The browser (Playwright ``Browser``); make pages with :func:`new_context`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Any, javascript: bool = True) -> Any:
    return browser.new_context(viewport={"width": 1200, "height": 860}, locale="zh-CN",
                               java_script_enabled=javascript)  # fmt: skip


def screenshot(page: Any, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
