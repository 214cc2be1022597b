"""One spider class per site config, named after the config's ``name`` (``scrapy list`` shows them).

:func:`site_folders` names the folders of configs: ``crawler/sites/`` plus the folders in the setting
NEWSARCHIVE_SITES_DIRS or the environment variable NEWSARCHIVE_EXTRA_SITES (``os.pathsep``-separated), e.g.
to try a new config before adding it, or for tests. The classes are made by
:class:`crawler.spiderloader.SiteSpiderLoader` when Scrapy asks for spiders, not at import.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from crawler.siteconfig import SITES_DIR, SiteConfig
from crawler.spiders.portal import PortalSpider


def spider_class(cfg: SiteConfig) -> type[PortalSpider]:
    cls_name = "".join(part.capitalize() for part in cfg.name.replace("-", "_").split("_")) + "Spider"
    return type(cls_name, (PortalSpider,), {"name": cfg.name, "site": cfg, "__module__": __name__,
                                            "__doc__": f"Crawls {cfg.title or cfg.name} ({cfg.path})."})


def site_folders(settings: Any = None) -> list[Path]:
    """crawler/sites/ first, then the extra folders (setting NEWSARCHIVE_SITES_DIRS, environment variable
    NEWSARCHIVE_EXTRA_SITES)."""
    extra: list[str] = []
    if settings is not None:
        extra += settings.getlist("NEWSARCHIVE_SITES_DIRS")
    extra += os.environ.get("NEWSARCHIVE_EXTRA_SITES", "").split(os.pathsep)
    return [SITES_DIR, *dict.fromkeys(Path(p) for p in extra if p)]
