"""crawler.revisit: which archived articles are due (pure, no crawl): the schedule by age, the cap, 404s,
and clock skew — a server's Last-Modified in the future, a publication date in the future, a capture
date nobody can read — never stops an article from being revisited nor makes all of them due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.revisit import due_urls
from crawler.siteconfig import RevisitPolicy, parse_site
from newsarchive.capturelog import KnownUrl

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def known(url: str, published: str | None, last: datetime, status: int = 200, **kw: object) -> KnownUrl:
    stamp = last.strftime("%Y-%m-%dT%H:%M:%SZ")
    return KnownUrl(url, stamp, stamp, status, "c1", article=True, published=published, **kw)  # type: ignore[arg-type]


def test_young_daily_then_weekly_then_monthly() -> None:
    policy = RevisitPolicy()
    articles = [
        known("young", "2026-11-29", NOW - timedelta(hours=25)),   # 2 days old, seen 25 h ago: due
        known("young-fresh", "2026-11-29", NOW - timedelta(hours=2)),  # seen 2 h ago: not yet
        known("weekly", "2026-11-10", NOW - timedelta(days=6)),    # 3 weeks old, seen 6 days ago: not yet
        known("monthly", "2026-05-01", NOW - timedelta(days=31)),  # 7 months old, seen a month ago: due
        known("old", "2020-02-20", NOW - timedelta(days=60)),      # older than a year: every 90 days
    ]
    assert [d.url for d in due_urls(articles, policy, NOW)] == ["monthly", "young"]  # most overdue first


def test_cap_per_run_and_everything() -> None:
    policy = parse_site({"name": "x", "base_url": "http://a.gov.cn/", "start_pages": ["/"],
                         "revisit": {"max_per_run": 2}}).revisit
    articles = [known(f"u{i}", "2020-01-01", NOW - timedelta(days=100 + i)) for i in range(5)]
    assert [d.url for d in due_urls(articles, policy, NOW)] == ["u4", "u3"]
    assert len(due_urls(articles, policy, NOW, everything=True)) == 2


def test_deleted_articles_use_their_own_interval_or_never() -> None:
    gone = known("gone", "2026-11-29", NOW - timedelta(days=2), status=404)
    assert due_urls([gone], RevisitPolicy(), NOW) == []  # 404 two days ago: every 30 days
    assert [d.reason for d in due_urls([gone], RevisitPolicy(), NOW + timedelta(days=29))] == ["deleted"]
    never = RevisitPolicy(deleted=None)
    assert due_urls([gone], never, NOW + timedelta(days=365)) == []


def test_clock_skew_does_not_break_the_policy() -> None:
    future_lm = known("future-last-modified", "2026-11-29", NOW - timedelta(days=2),
                      last_modified="Fri, 01 Jan 2100 00:00:00 GMT")  # the server's clock: not ours
    future_pub = known("future-published", "2099-01-01", NOW - timedelta(days=2))  # age 0: daily
    unreadable = KnownUrl("no-date", "garbage", "garbage", 200, "c1", article=True)  # no usable capture time
    due = {d.url for d in due_urls([future_lm, future_pub, unreadable], RevisitPolicy(), NOW)}
    assert due == {"future-last-modified", "future-published", "no-date"}


def test_a_resumed_revisit_does_not_fetch_what_it_captured() -> None:
    done = KnownUrl("done", "2026-11-01T00:00:00Z", "2026-12-01T11:00:00Z", 200, "this-crawl", article=True)
    assert due_urls([done], RevisitPolicy(), NOW, everything=True, skip_crawl="this-crawl") == []
