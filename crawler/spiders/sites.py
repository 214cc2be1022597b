"""One spider class per site config in ``crawler/sites/*.toml``, named after the config's ``name``.

Extra folders of configs can be named in the environment variable NEWSARCHIVE_EXTRA_SITES
(``os.pathsep``-separated), e.g. to try a new config before adding it, or for tests.
A config that fails validation stops ``scrapy list`` / ``scrapy crawl`` with the file, the key and the fix.
"""

from __future__ import annotations

import os
from pathlib import Path

from crawler.siteconfig import SITES_DIR, SiteConfig, SiteConfigError, load_sites
from crawler.spiders.portal import PortalSpider


def spider_class(cfg: SiteConfig) -> type[PortalSpider]:
    cls_name = "".join(part.capitalize() for part in cfg.name.replace("-", "_").split("_")) + "Spider"
    return type(cls_name, (PortalSpider,), {"name": cfg.name, "site": cfg, "__module__": __name__,
                                            "__doc__": f"Crawls {cfg.title or cfg.name} ({cfg.path})."})


def all_sites() -> list[SiteConfig]:
    extra = os.environ.get("NEWSARCHIVE_EXTRA_SITES", "")
    folders = [SITES_DIR] + [Path(p) for p in extra.split(os.pathsep) if p]
    sites: dict[str, SiteConfig] = {}
    for folder in folders:
        for cfg in load_sites(folder):
            if cfg.name in sites:
                raise SiteConfigError(
                    f"{cfg.path}: name {cfg.name!r} is already used by {sites[cfg.name].path}; rename one"
                )
            sites[cfg.name] = cfg
    return list(sites.values())


def _register() -> None:
    for cfg in all_sites():
        cls = spider_class(cfg)
        globals()[cls.__name__] = cls


_register()
