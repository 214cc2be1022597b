"""Helpers shared by the crawler tests (not tests themselves)."""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings


def project_settings(**overrides: Any) -> Settings:
    """The project's settings (crawler/settings.py: every component's default) with ``overrides``."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    return settings
