"""Which archived articles are due for a revisit (``scrapy crawl NAME -a mode=revisit``): pure, no Scrapy.

An article's *age* is the time since it was published (its records' ``published`` date, read in China
Standard Time), or since its first capture when no record has a full date; it picks the interval of the
site's ``[revisit]`` policy (:class:`crawler.siteconfig.RevisitPolicy`). It is due when its last capture
is at least that interval old; a URL whose last answer was 404/410 uses the policy's ``deleted``
interval. Everything is measured with the crawler's own clock (WARC-Date is written by us): a server's
Date or Last-Modified header never enters, and a publication date in the future counts as age 0, so a
portal with a wrong clock cannot stop its articles from being revisited. The most overdue come first,
at most ``max_per_run``; with ``-a due=all`` every article is due (the cap still applies).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from crawler.siteconfig import RevisitPolicy
from newsarchive.capturelog import KnownUrl

CHINA = timezone(timedelta(hours=8))
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Due:
    url: str
    overdue: timedelta  # how long past its due time (zero or more)
    reason: str  # "schedule" | "deleted" | "all"


def moment(value: str | None) -> datetime | None:
    """A WARC-Date (or any ISO time) as an aware datetime; None when unreadable.

    >>> moment("2026-03-01T09:00:00Z")
    datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)
    >>> moment("garbage") is None
    True
    """
    if not value:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def published_moment(published: str | None) -> datetime | None:
    """The start of the publication day in China Standard Time; None without a full date.

    >>> published_moment("2020-02-12T08:28"), published_moment("--02-20")
    (datetime.datetime(2020, 2, 12, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=28800))), None)
    """
    m = _DAY.match(published or "")
    if not m:
        return None
    try:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=CHINA)
    except ValueError:
        return None


def age_of(known: KnownUrl, now: datetime) -> timedelta:
    """Since publication, else since the first capture; never negative (clock skew).

    >>> k = KnownUrl("u", "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", 200, "c", published="2099-01-01")
    >>> age_of(k, datetime(2026, 3, 2, tzinfo=UTC))
    datetime.timedelta(0)
    """
    start = published_moment(known.published) or moment(known.first_date) or now
    return max(now - start, timedelta(0))


def due_urls(known: Iterable[KnownUrl], policy: RevisitPolicy, now: datetime, *, everything: bool = False,
             skip_crawl: str | None = None) -> list[Due]:
    """The articles due now, most overdue first, at most ``policy.max_per_run``. ``skip_crawl``: a crawl
    id whose captures count as done (a resumed revisit does not fetch a page twice)."""
    found = []
    for k in known:
        if not k.article or (skip_crawl and k.last_crawl == skip_crawl):
            continue
        if everything:
            found.append(Due(k.url, now - (moment(k.last_date) or now), "all"))
            continue
        interval = policy.deleted if k.gone else policy.interval(age_of(k, now))
        last = moment(k.last_date)
        if interval is None:
            continue
        due_at = (last or now - interval) + interval
        if due_at <= now:
            found.append(Due(k.url, now - due_at, "deleted" if k.gone else "schedule"))
    found.sort(key=lambda d: (-d.overdue.total_seconds(), d.url))
    return found[: policy.max_per_run]
