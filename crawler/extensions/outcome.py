"""Did the crawl work? Decide at the end, say what went wrong and how to fix it, give the exit status.

A crawl FAILED (exit status 1, see crawler.commands.crawl) when
- every start page failed (connection refused, DNS, timeouts, 4xx/5xx, robots.txt unreachable, off-site
  redirects ...), or no page at all was fetched; or
- list pages were fetched but not one showed an article link (the config does not fit the portal); or
- it had errors: an exception in a spider callback, or any ERROR-level log line (a WARC that cannot be
  written, a pipeline bug ...). Counted drops (a 404 article, a page without text) are not errors.
A crawl stopped by Ctrl-C / SIGTERM is INTERRUPTED (exit status 130; with JOBDIR, rerun to resume).

Each problem is logged at ERROR level with its fix, and kept in the stats (``newsarchive/outcome``:
finished | failed | interrupted; ``newsarchive/outcome/problems``: the lines). The fix for an unreachable
portal includes the site config's ``offline_help`` (the bundled sample says how to start its server).

The spider reports start pages in the stats: ``newsarchive/start_pages/{requested,ok,failed}``,
``newsarchive/start_pages/failed/<reason>`` and ``newsarchive/start_pages/first_failure``; pages it
handled (list or article, any 2xx) in ``newsarchive/pages_ok``.

Settings: OUTCOME_ENABLED (default True).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130
INTERRUPTED_REASONS = {"shutdown"}
FAILED_REASONS = {"closespider_errorcount", "closespider_timeout_no_item", "warc-write-failed"}
UNREACHABLE = {"connection-refused", "dns", "timeout", "connection-lost", "download-error", "data-loss"}


class ErrorLines(logging.Handler):
    """Counts ERROR-level log records and keeps the first few messages (one line each)."""

    def __init__(self, keep: int = 3) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: list[str] = []
        self.keep = keep

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == __name__:
            return
        self.count += 1
        if len(self.first) < self.keep:
            try:
                message = record.getMessage()
            except Exception:  # a bad log call must not break the crawl
                message = str(record.msg)
            self.first.append(f"[{record.name}] {message.splitlines()[0] if message else ''}")


class CrawlOutcome:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.errors = ErrorLines()
        self.status = EXIT_OK
        self.problems: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlOutcome:
        if not crawler.settings.getbool("OUTCOME_ENABLED"):
            raise NotConfigured("OUTCOME_ENABLED is off")
        ext = cls(crawler)
        logging.getLogger().addHandler(ext.errors)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        setattr(crawler, "_newsarchive_outcome", ext)  # noqa: B010  (read by exit_status)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        logging.getLogger().removeHandler(self.errors)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.problems = problems(stats, reason, self.errors, getattr(spider, "cfg", None))
        if reason in INTERRUPTED_REASONS:
            self.status, outcome = EXIT_INTERRUPTED, "interrupted"
            log.warning("crawl interrupted before the end (%s); with -s JOBDIR=... rerun the same command "
                        "to resume", reason)
        elif self.problems:
            self.status, outcome = EXIT_FAILED, "failed"
        else:
            outcome = "finished"
        for line in self.problems:
            log.error("crawl failed: %s", line)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newsarchive/outcome", outcome)
            self.crawler.stats.set_value("newsarchive/outcome/problems", list(self.problems))


def problems(stats: dict[str, Any], reason: str, errors: ErrorLines, cfg: Any) -> list[str]:
    """What went wrong, one line each with its fix (empty when the crawl is good)."""
    found = []
    start = start_page_problem(stats, cfg)
    if start:
        found.append(start)
    elif not pages_fetched(stats) and reason not in INTERRUPTED_REASONS and not nothing_due(stats):
        found.append("no page was fetched" + unreachable_fix(stats, cfg))
    elif no_links_anywhere(stats):
        name = getattr(cfg, "name", "NAME")
        found.append(f"no article links were found on any of the {stats['newsarchive/list_pages']} list "
                     f"page(s): the portal's layout is not recognised; fix: add [links] article = '<regex of "
                     f"its article URLs>' or [selectors] article_links = '<CSS of the links>' to "
                     f"{getattr(cfg, 'path', 'the site config')} (then scrapy checksite {name})")
    found += error_problems(stats, errors)
    if reason in FAILED_REASONS:
        found.append(f"Scrapy closed the crawl early ({reason}); see the log for the errors")
    return found


def nothing_due(stats: dict[str, Any]) -> bool:
    """A revisit without list pages that found no article due: nothing to fetch is no failure."""
    return stats.get("newsarchive/revisit/due") == 0 and "newsarchive/start_pages/requested" not in stats


def pages_fetched(stats: dict[str, Any]) -> int:
    """Pages handled by the portal spider; for other spiders (no start-page counts), responses."""
    if "newsarchive/start_pages/requested" in stats:
        return int(stats.get("newsarchive/pages_ok", 0))
    return int(stats.get("downloader/response_count", 0))


def no_links_anywhere(stats: dict[str, Any]) -> bool:
    """List pages were fetched, and not one of them showed an article link (not even an old or recorded
    one: a date window or a resume skips links, it does not hide them)."""
    pages = int(stats.get("newsarchive/list_pages", 0))
    return pages > 0 and int(stats.get("newsarchive/list/no-article-links", 0)) >= pages


def start_page_problem(stats: dict[str, Any], cfg: Any) -> str | None:
    requested = int(stats.get("newsarchive/start_pages/requested", 0))
    failed = int(stats.get("newsarchive/start_pages/failed", 0))
    if not requested or stats.get("newsarchive/start_pages/ok") or failed < requested:
        return None
    prefix = "newsarchive/start_pages/failed/"
    reasons = {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
    listed = ", ".join(f"{r} {n}" for r, n in sorted(reasons.items()))
    first = stats.get("newsarchive/start_pages/first_failure", "")
    return (f"every start page failed ({failed} of {requested}: {listed}; first: {first})"
            + fix_for(set(reasons), stats, cfg))


def fix_for(reasons: set[str], stats: dict[str, Any], cfg: Any) -> str:
    """The fix for the reasons start pages failed."""
    fixes = []
    if reasons & UNREACHABLE or "robots-unreachable" in reasons:
        fixes.append(unreachable_fix(stats, cfg).removeprefix("; "))
    if "robots" in reasons:
        fixes.append("robots.txt disallows the start pages: the site does not want them crawled; pick "
                     "other columns in start_pages")
    if "offsite" in reasons:
        fixes.append("the start pages redirect off the site (another scheme, host or port): if the portal "
                     "moved, set base_url to its new address, or add the origin to allowed_domains")
    if "not-in-replay" in reasons:
        fixes.append("REPLAY_WARC holds no capture of the start pages: crawl them first, or point "
                     "REPLAY_WARC at the captures of this site")
    if any(r.startswith("http-") for r in reasons):
        fixes.append("the portal answered with HTTP errors: open the start pages in a browser; if the "
                     f"columns moved, update start_pages in {getattr(cfg, 'path', 'the site config')}")
    return "; fix: " + " | ".join(dict.fromkeys(f for f in fixes if f)) if fixes else ""


def unreachable_fix(stats: dict[str, Any], cfg: Any) -> str:
    base = getattr(cfg, "base_url", "the portal")
    hint = getattr(cfg, "offline_help", None)
    text = (f"; nothing usable answers at {base}: check the address and that the portal is up "
            f"(curl -I {base}), or crawl a copy elsewhere with -a base_url=http://HOST:PORT/")
    if "newsarchive/robots/unreachable" in stats:
        text += ("; robots.txt was unreachable (5xx, timeout or a redirect loop), and RFC 9309 says to "
                 "fetch nothing then: try again later")
    return text + (f"; {hint}" if hint else "")


def error_problems(stats: dict[str, Any], errors: ErrorLines) -> list[str]:
    found = []
    exceptions = int(stats.get("spider_exceptions/count", 0)
                     or sum(v for k, v in stats.items() if k.startswith("spider_exceptions/")))
    if exceptions:
        kinds = sorted(k.split("/", 1)[1] for k in stats if k.startswith("spider_exceptions/")
                       and k != "spider_exceptions/count")
        found.append(f"{exceptions} exception(s) in spider callbacks ({', '.join(kinds)}); a bug: see the "
                     "tracebacks in the log and report them")
    if errors.count:
        found.append(f"{errors.count} error line(s) in the log, first: {' | '.join(errors.first)}")
    return found


def exit_status(crawler: Crawler) -> int:
    """The exit status for a finished crawler (crawler.commands.crawl)."""
    ext = getattr(crawler, "_newsarchive_outcome", None)
    return ext.status if isinstance(ext, CrawlOutcome) else EXIT_OK


def problems_of(crawler: Crawler) -> list[str]:
    ext = getattr(crawler, "_newsarchive_outcome", None)
    return list(ext.problems) if isinstance(ext, CrawlOutcome) else []
