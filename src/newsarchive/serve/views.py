"""What the templates and the JSON API show: labels in Chinese, facet links, pages, JSON documents.

The JSON API carries the same data as the pages. Its diffs are ``newsarchive diff --format json``
articles (:mod:`newsarchive.diff_render`, ``diff_format_version`` 1).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newsarchive import diff, diff_render
from newsarchive.search import FACETS, Result
from newsarchive.serve.params import SearchParams
from newsarchive.serve.store import Article, Related
from normalize.record import Record

API_VERSION = 1

FACET_TITLES = {"site": "站点", "month": "发布月份", "state": "状态", "source": "来源"}
STATE_LABELS = {"live": "现存", "edited": "已修改", "deleted": "已删除"}
NONE_LABELS = {"site": "（无站点）", "month": "（无年份）", "state": "（未知）", "source": "（无来源）"}
SORT_LABELS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
ROW_LABELS = {"added": "增加", "removed": "删除", "changed": "修改", "equal": "相同"}
DIFF_STATUS = {
    "identical": "正文与元数据相同",
    "metadata-differs": "正文相同，元数据不同",
    "edited": "正文有修改",
    "no-match": "无对应",
}
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def facet_label(facet: str, value: str) -> str:
    """How a facet value is shown.

    >>> facet_label("state", "live"), facet_label("month", ""), facet_label("site", "sample")
    ('现存', '（无年份）', 'sample')
    """
    if not value:
        return NONE_LABELS[facet]
    return STATE_LABELS.get(value, value) if facet == "state" else value


def safe_href(url: str | None) -> str | None:
    """A URL from the archive as a link target only when it is http(s): never ``javascript:``.

    >>> safe_href("http://a.gov.cn/x.html"), safe_href("javascript:alert(1)"), safe_href(" JAVASCRIPT:x")
    ('http://a.gov.cn/x.html', None, None)
    """
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url if scheme in ("http", "https") else None


def charset_of(content_type: str) -> str | None:
    """The charset parameter of a Content-Type.

    >>> charset_of('text/html; charset="GB2312"'), charset_of("text/html")
    ('GB2312', None)
    """
    m = _CHARSET.search(content_type or "")
    return m.group(1) if m else None


def show(value: Any) -> str:
    """A metadata value for people (lists joined with 、, nothing as —)."""
    return diff_render.show_value(value)


def paragraphs(text: str) -> list[str]:
    return [p for p in (line.strip() for line in text.split("\n")) if p]


def segments(row: diff.Row) -> list[tuple[str, str]]:
    return diff.segments(row)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "facet_label": facet_label, "safe_href": safe_href, "show": show, "paragraphs": paragraphs,
    "segments": segments, "FACET_TITLES": FACET_TITLES, "STATE_LABELS": STATE_LABELS,
    "SORT_LABELS": SORT_LABELS, "ROW_LABELS": ROW_LABELS, "DIFF_STATUS": DIFF_STATUS,
}  # fmt: skip


# ------------------------------------------------------------------------------------------ search


@dataclass
class FacetLink:
    value: str
    label: str
    count: int
    active: bool
    href: str


def facet_links(p: SearchParams, r: Result) -> dict[str, list[FacetLink]]:
    out: dict[str, list[FacetLink]] = {}
    for facet in FACETS:
        chosen = getattr(p.filters, facet)
        counted = dict(r.facets[facet])
        values = list(counted) + [v for v in chosen if v not in counted]
        out[facet] = [
            FacetLink(v, facet_label(facet, v), counted.get(v, 0), v in chosen, p.toggled(facet, v).href())
            for v in values
        ]
    return out


@dataclass
class Pages:
    page: int
    count: int
    prev: str | None
    next: str | None


def pages(p: SearchParams, r: Result) -> Pages:
    count = max(1, math.ceil(r.total / p.per_page))
    prev = p.href(page=p.page - 1) if p.page > 1 else None
    nxt = p.href(page=p.page + 1) if p.page < count else None
    return Pages(p.page, count, prev, nxt)


def search_json(p: SearchParams, r: Result) -> dict[str, Any]:
    return {
        "api_version": API_VERSION,
        "query": r.query.text,
        "terms": [{"text": t.text, "variants": list(t.variants)} for t in r.query.terms],
        "match": r.query.match() if not r.query.empty else None,
        "filters": {k: list(v) for k, v in p.filters.chosen().items()},
        "sort": r.sort,
        "page": r.page,
        "per_page": r.per_page,
        "total": r.total,
        "facets": {f: [{"value": v, "count": n} for v, n in r.facets[f]] for f in FACETS},
        "hits": [
            dict(h.to_json(), article=f"/article/{h.rowid}", api=f"/api/article/{h.rowid}") for h in r.hits
        ],
        "downloads": {"csv": p.href("/export.csv", page=1), "jsonl": p.href("/export.jsonl", page=1)},
    }


# ----------------------------------------------------------------------------------------- article


def removed_groups(rec: Record) -> list[tuple[str, list[str]]]:
    """The removed blocks grouped by kind, in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for block in rec.removed:
        groups.setdefault(block.kind, []).append(block.text)
    return list(groups.items())


def article_json(a: Article) -> dict[str, Any]:
    row = a.row
    return {
        "api_version": API_VERSION,
        "rowid": row.rowid,
        "file": row.file,
        "position": row.position,
        "state": a.state,
        "record": a.record.to_dict(),
        "raw": {"url": f"/raw/{row.rowid}", "source": f"/raw/{row.rowid}?view=source", **row.capture},
        "versions": [v.to_json() for v in a.versions],
        "diffs": [
            {"old": d.old.row.rowid, "new": d.new.row.rowid, "diff": _diff_json(d.diff)} for d in a.diffs
        ],
        "reposts": [r.to_json() for r in a.reposts],
    }


def _diff_json(d: diff.ArticleDiff) -> dict[str, Any]:
    doc = json.loads(diff_render.to_json([d], [], diff.DEFAULT_MIN_SIMILARITY))
    return doc["articles"][0]


def related_title(r: Related) -> str:
    return r.row.title or "（无标题）"


TEMPLATE_GLOBALS["related_title"] = related_title
