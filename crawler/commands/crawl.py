"""``scrapy crawl NAME``: Scrapy's crawl command with exit statuses a script can rely on.

    0    the crawl finished and nothing failed
    1    the crawl failed: it fetched nothing, every start page failed, or it had errors
         (crawler.extensions.outcome says what went wrong and how to fix it)
    2    bad usage: no such spider, a broken site config or a bad ``-a`` value (one line says which)
    130  interrupted (Ctrl-C / SIGTERM) before the end: with -s JOBDIR=..., rerun the same command to resume

The problems of a failed crawl are logged at ERROR level; when the log does not reach the terminal
(LOG_FILE set, LOG_ENABLED off, LOG_LEVEL above ERROR) they are printed to stderr as well.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from crawler.extensions.outcome import EXIT_FAILED, exit_status, problems_of
from crawler.siteconfig import SiteConfigError
from newsarchive.captures import CaptureError, find_warc_files

EXIT_USAGE = 2


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider name: scrapy crawl NAME (scrapy list shows them)")
        name = args[0]
        assert self.crawler_process
        try:
            crawler = self._create_crawler(name)
            check = getattr(crawler.spidercls, "check_arguments", None)
            if callable(check):
                check(**opts.spargs)
            check_replay_source(crawler.settings)
        except (KeyError, SiteConfigError, CaptureError) as exc:  # no such spider, bad config or -a/-s value
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            print(f"scrapy crawl {name}: {message}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_USAGE
            return
        self.exitcode = exit_status(crawler)
        if self.exitcode == EXIT_FAILED and not log_reaches_terminal(crawler.settings):
            report(name, crawler)


def check_replay_source(settings: BaseSettings) -> None:
    """REPLAY_WARC must name WARC files (a folder holding some, or one file)."""
    source = settings.get("REPLAY_WARC")
    if source:
        find_warc_files(Path(source))


def log_reaches_terminal(settings: BaseSettings) -> bool:
    level = logging.getLevelName(str(settings.get("LOG_LEVEL") or "DEBUG").upper())
    return (settings.getbool("LOG_ENABLED") and not settings.get("LOG_FILE")
            and isinstance(level, int) and level <= logging.ERROR)


def report(name: str, crawler: Crawler) -> None:
    print(f"scrapy crawl {name}: the crawl FAILED", file=sys.stderr)
    for line in problems_of(crawler):
        print(f"  - {line}", file=sys.stderr)
