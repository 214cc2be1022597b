"""``scrapy checksite [NAME|FILE ...]``: validate site configs without crawling (no network).

With no argument every config is checked (crawler/sites/ and the extra folders, see
crawler.spiders.sites.site_folders). Prints one line per config: ``ok FILE: spider ...`` or the error
(file, key, fix). Exit status 0 when every config named is valid, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.siteconfig import SiteConfig, SiteConfigError, load_site, scan_sites
from crawler.spiders.sites import site_folders


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012  (Scrapy's own class attribute)

    def syntax(self) -> str:
        return "[NAME|FILE ...]"

    def short_desc(self) -> str:
        return "Validate site configs (crawler/sites/*.toml) without crawling"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        results = [check_file(Path(a)) if _is_file(a) else check_name(a) for a in args] or check_all(self)
        for ok, line in results:
            print(line, file=sys.stdout if ok else sys.stderr)
        self.exitcode = 0 if all(ok for ok, _ in results) else 1


def _is_file(arg: str) -> bool:
    return arg.endswith(".toml") or "/" in arg or Path(arg).is_file()


def ok_line(cfg: SiteConfig) -> tuple[bool, str]:
    return True, f"ok {cfg.path}: {cfg.describe()}"


def check_file(path: Path) -> tuple[bool, str]:
    if not path.is_file():
        return False, f"{path}: no such file; give a site config file or a spider name (scrapy list)"
    try:
        return ok_line(load_site(path))
    except SiteConfigError as exc:
        return False, str(exc)


def check_name(name: str) -> tuple[bool, str]:
    scan = scan_sites(site_folders())
    if name in scan.sites:
        return ok_line(scan.sites[name])
    error = scan.broken_named(name)
    if error is not None:
        return False, str(error)
    names = ", ".join(sorted(scan.sites)) or "none"
    return False, (f"{name}: no site config of that name (configs: {names}); "
                   f"write crawler/sites/{name}.toml (see crawler/sites/README.md)")


def check_all(cmd: ScrapyCommand) -> list[tuple[bool, str]]:
    scan = scan_sites(site_folders(cmd.settings))
    results = [ok_line(cfg) for cfg in scan.sites.values()]
    results += [(False, str(error)) for _, error in scan.broken]
    return results or [(False, "no site configs found in crawler/sites/")]
