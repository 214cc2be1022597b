"""Archives of several crawls of one site, written with the crawler's own WARC writer and
``normalize.clean`` as a crawl does, for the history tests (a plain module, see archive_helpers.py).

A crawl is a list of :class:`Fetch`: a URL and what the server answered — a page of the bundled sample
portal (optionally edited), a status, a redirect, a placeholder or garbage body — or a revisit record
(``revisit="identical"`` / ``"not-modified"``) of the URL's last full capture. List and home pages get no
record, as in a crawl.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsarchive.captures import (
    REVISIT_IDENTICAL,
    REVISIT_NOT_MODIFIED,
    Exchange,
    Original,
    WarcSegmentWriter,
    payload_digest,
)
from newsarchive.records import fill_archive_fields
from normalize import CleanError, clean

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "crawler" / "sample_portal" / "site"
HEADERS = json.loads((SITE / "_headers.json").read_text(encoding="utf-8"))
BASE = "http://127.0.0.1:8731"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Fetch:
    url: str  # a path on BASE, or a full URL
    status: int = 200
    page: str | None = None  # a path of the sample portal whose bytes are served (default: the url)
    edits: dict[str, str] = field(default_factory=dict)  # text replacements in the page's HTML
    body: bytes | None = None  # a body of its own
    location: str | None = None
    revisit: str | None = None  # "identical" | "not-modified"

    @property
    def full_url(self) -> str:
        return self.url if "://" in self.url else BASE + self.url

    @property
    def list_page(self) -> bool:
        """A column list or the home page: the crawler keeps it in WARC only, it makes no record
        (crawler.spiders.portal); the normaliser would find a short "article" on it."""
        return self.url.rsplit("/", 1)[-1] in ("", "index.html") and self.page is None and self.body is None


def sample_page(path: str) -> tuple[bytes, str]:
    body = (SITE / path.lstrip("/")).read_bytes()
    return body, HEADERS.get(path, {}).get("headers", {}).get("Content-Type", "text/html")


class Site:
    """Writes crawls of one site into ``archive`` and remembers each URL's last full capture."""

    def __init__(self, archive: Path, site: str = "sample") -> None:
        self.archive, self.site = archive, site
        self.originals: dict[str, Original] = {}
        self.crawls = 0

    def crawl(self, fetches: list[Fetch], when: datetime | None = None) -> None:
        when = when or START + timedelta(days=self.crawls)
        self.crawls += 1
        crawl_id = f"crawl{self.crawls}"
        with WarcSegmentWriter(self.archive, self.site, crawl_id, fsync_interval=None) as writer:
            for i, fetch in enumerate(fetches):
                self.fetch(writer, fetch, when + timedelta(seconds=i))

    def fetch(self, writer: WarcSegmentWriter, f: Fetch, when: datetime) -> None:
        body, ctype = self.body_of(f)
        headers = [("Content-Type", ctype)] + ([("Location", f.location)] if f.location else [])
        url = f.full_url
        if f.revisit:
            original = self.originals[url]
            status = 304 if f.revisit == "not-modified" else 200
            ex = Exchange(url, status, b"" if status == 304 else body, headers, fetched_at=when)
            profile = REVISIT_NOT_MODIFIED if status == 304 else REVISIT_IDENTICAL
            writer.write_revisit(ex, original, profile)
            return
        ex = Exchange(url, f.status, body, headers, fetched_at=when)
        pointer = writer.write_exchange(ex)
        if 200 <= f.status < 300:
            self.originals[url] = Original(url, pointer.fetched_at, pointer.record_id, payload_digest(body),
                                           pointer.file, pointer.offset)
            if not f.list_page:
                self.records(writer, pointer, url, body, ctype)

    def body_of(self, f: Fetch) -> tuple[bytes, str]:
        if f.body is not None:
            return f.body, "text/html; charset=utf-8"
        if f.status != 200 and not f.page:
            return b"", "text/html"
        body, ctype = sample_page(f.page or f.url)
        for old, new in f.edits.items():
            assert old.encode() in body, f"{old} is not on {f.page or f.url}"
            body = body.replace(old.encode(), new.encode())
        return body, ctype

    def records(self, writer: WarcSegmentWriter, pointer: object, url: str, body: bytes, ctype: str) -> None:
        try:
            records = clean(body, url=url, http_charset=ctype, kind="html")
        except CleanError:
            return
        dicts = []
        for i, rec in enumerate(records):
            d = rec.to_dict()
            capture = {**pointer.to_dict(), "index": i, "count": len(records)}  # type: ignore[attr-defined]
            fill_archive_fields(d, url=url, site=self.site, capture=capture,
                                fetched_at=pointer.fetched_at)  # type: ignore[attr-defined]
            dicts.append(d)
        writer.append_records(pointer, dicts)  # type: ignore[arg-type]
