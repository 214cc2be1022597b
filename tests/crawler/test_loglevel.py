"""crawler.extensions.loglevel: log records are built only at levels a handler shows, and the log a user
reads is the same (DEBUG lines still there when LOG_LEVEL asks for them)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from crawler_helpers import crawl

from crawler.extensions.loglevel import LogRecordsFloor


@pytest.fixture
def root() -> logging.Logger:
    """A root logger as Scrapy leaves it: NOTSET, one handler at LOG_LEVEL INFO."""
    logger = logging.Logger("root-like", logging.NOTSET)
    handler = logging.NullHandler()
    handler.setLevel(logging.INFO)
    logger.addHandler(handler)
    return logger


def test_root_level_raised_to_the_lowest_handler_while_the_engine_runs(root: logging.Logger) -> None:
    ext = LogRecordsFloor(root)
    ext.engine_started()
    assert root.level == logging.INFO and not root.isEnabledFor(logging.DEBUG)
    ext.engine_stopped()
    assert root.level == logging.NOTSET  # put back: later code logging at DEBUG is not cut off


def test_a_handler_that_wants_debug_keeps_debug_records(root: logging.Logger) -> None:
    root.addHandler(logging.NullHandler())  # e.g. a test's log capture, level NOTSET
    ext = LogRecordsFloor(root)
    ext.engine_started()
    assert root.isEnabledFor(logging.DEBUG)
    ext.engine_stopped()


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_the_crawl_log_holds_the_lines_its_level_asks_for(level: str, portal_url: str,
                                                           tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    proc = crawl("sample", portal_url, tmp_path / "archive", LOG_LEVEL=level, LOG_FILE=str(log),
                 CLOSESPIDER_PAGECOUNT="8")
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = log.read_text(encoding="utf-8")
    assert "Spider opened" in text and "Dumping Scrapy stats" in text
    assert ("DEBUG: Crawled (200)" in text) == (level == "DEBUG")
