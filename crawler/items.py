"""The item a spider yields for one fetched article page: the raw bytes and where they are archived.

The item pipelines turn it into records (crawler.pipelines.clean, crawler.pipelines.records); Scrapy's
feeds export those records, one row per article (crawler.feeds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    url: str
    site: str
    body: bytes
    status: int = 200
    http_charset: str | None = None  # charset parameter of the Content-Type header, if any
    encoding_override: str | None = None  # the site config's ``encoding``
    capture: dict[str, Any] = field(default_factory=dict)  # WARC pointer {"file", "offset", ...}
    fetched_at: str | None = None  # ISO 8601 UTC
    list_date: str | None = None  # the date printed next to the link on the column list page
    records: list[dict[str, Any]] = field(default_factory=list)  # filled by the clean pipeline
    record_file: str | None = None  # the JSONL holding the records, relative to the archive root
    record_positions: list[int] = field(default_factory=list)  # their line numbers in it (from 0)
    history_state: str | None = None  # "new" when the archive held no record of this URL (feeds' state)

    def __repr__(self) -> str:  # keep 1 MB bodies out of logs
        return (f"PageItem(url={self.url!r}, site={self.site!r}, {len(self.body)} bytes, "
                f"{len(self.records)} records)")
