"""The project's spider loader: Scrapy's (spiders in SPIDER_MODULES) plus one spider per site config.

Site configs are read from :func:`crawler.spiders.sites.site_folders` when Scrapy first asks for spiders.
A config that fails validation is skipped with ONE line on stderr (file, key, fix) so the other spiders,
``scrapy list`` and ``scrapy crawl OTHER`` keep working; ``scrapy crawl BROKEN`` and ``scrapy checksite``
report its error (:class:`SiteNotLoaded`).

Settings: SPIDER_LOADER_CLASS = "crawler.spiderloader.SiteSpiderLoader" (crawler/settings.py),
NEWSARCHIVE_SITES_DIRS (extra folders of configs; also the environment variable NEWSARCHIVE_EXTRA_SITES).
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from crawler.siteconfig import SiteConfigError, SiteScan, scan_sites
from crawler.spiders.sites import site_folders, spider_class

_REPORTED: set[str] = set()  # each broken config is reported once per process


class SiteNotLoaded(KeyError):
    """``scrapy crawl NAME`` of a config that did not load: the message is the config's error."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class SiteSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.scan: SiteScan = scan_sites(site_folders(settings))
        for cfg in self.scan.sites.values():
            if cfg.name in self._spiders:
                self._report(SiteConfigError(f"{cfg.path}: name = {cfg.name!r} is also the name of a spider "
                                             "class in SPIDER_MODULES; rename one"))
                continue
            self._spiders[cfg.name] = spider_class(cfg)
        for _, error in self.scan.broken:
            self._report(error)

    @staticmethod
    def _report(error: SiteConfigError) -> None:
        message = str(error)
        if message not in _REPORTED:
            _REPORTED.add(message)
            print(f"site config skipped: {message}", file=sys.stderr)

    def load(self, spider_name: str) -> type[Spider]:
        try:
            return super().load(spider_name)
        except KeyError:
            error = self.scan.broken_named(spider_name)
            if error is not None:
                raise SiteNotLoaded(str(error)) from None
            names = ", ".join(sorted(self._spiders)) or "none"
            raise KeyError(f"Spider not found: {spider_name} (spiders: {names}; a spider is a "
                           f"crawler/sites/{spider_name}.toml, see crawler/sites/README.md)") from None

    def site_error(self, name: str) -> SiteConfigError | None:
        return self.scan.broken_named(name)


def loader_of(settings: Any) -> SiteSpiderLoader:
    """The project's spider loader for ``settings`` (for commands)."""
    return SiteSpiderLoader(settings)
