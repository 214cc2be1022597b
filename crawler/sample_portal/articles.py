"""The sample portal's reference articles (``articles/*.toml``), loaded as plain dataclasses.

Each TOML file is one article page, written once as data: url (path on the portal), template
(``table`` | ``div`` | ``epaper``), encoding of the page bytes (``utf-8``, ``utf-8-sig`` = with BOM, ``gbk``
= declared as gb2312, ``big5``), optional ``http_charset`` (what the HTTP header claims when it differs
from the page; ``""`` = no charset in the header), column (``zwyw``, ``gzdt``, ``szb``, ``big5``), title,
kicker, subtitle, published, source, authors, photographers, editor, paragraphs, and page furniture
(summary, related, copyright, teasers, masthead, footer). An e-paper page holds ``[[items]]``, each an
article of its own. ``expected_records()`` lists what a perfect crawl + normaliser yields, in page order.

Tests and the crawl assertions use this module, never copies of the data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
TEMPLATES = ("table", "div", "epaper")
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "big5")


@dataclass(frozen=True)
class Item:
    """One article: a whole page, or one item of an e-paper page."""

    title: str | None
    paragraphs: tuple[str, ...]
    kicker: str | None = None
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    photographers: tuple[str, ...] = ()
    editor: str | None = None


@dataclass(frozen=True)
class Page:
    """One article page of the portal (``items`` has one entry, or several on an e-paper page)."""

    name: str  # file stem, e.g. "000-zhumadian"
    url: str
    template: str
    encoding: str
    column: str
    published: str
    items: tuple[Item, ...]
    title: str | None = None
    source: str | None = None
    http_charset: str | None = None
    script: str = "simplified"
    seed: str | None = None
    filler: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # page furniture: summary, related, copyright...

    @property
    def date(self) -> str:
        """The date part of ``published`` (``2020-02-12T08:28`` -> ``2020-02-12``)."""
        return self.published[:10]


ITEM_KEYS = ("title", "kicker", "subtitle", "authors", "photographers", "editor", "paragraphs")
PAGE_KEYS = ("url", "template", "encoding", "column", "published", "title", "source", "http_charset",
             "script", "seed", "filler", "items", "mirror_of")


def load_articles(directory: Path = ARTICLES_DIR) -> list[Page]:
    """All pages, sorted by file name. Raises ValueError naming the file when one is malformed."""
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise ValueError(f"{directory}: no article files (*.toml)")
    return [load_page(path) for path in files]


def load_page(path: Path) -> Page:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return page_from_dict(path.stem, data)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: bad article file ({exc}); see crawler/sample_portal/articles.py "
                         "for the fields") from exc


def page_from_dict(name: str, data: dict[str, Any]) -> Page:
    if data["template"] not in TEMPLATES:
        raise ValueError(f"template {data['template']!r} is not one of {TEMPLATES}")
    if data["encoding"] not in ENCODINGS:
        raise ValueError(f"encoding {data['encoding']!r} is not one of {ENCODINGS}")
    raw_items = data.get("items") or [{key: data[key] for key in ITEM_KEYS if key in data}]
    extra = {key: value for key, value in data.items() if key not in PAGE_KEYS and key not in ITEM_KEYS}
    return Page(
        name=name, url=data["url"], template=data["template"], encoding=data["encoding"],
        column=data["column"], published=data["published"], items=tuple(item_from_dict(i) for i in raw_items),
        title=data.get("title"), source=data.get("source"), http_charset=data.get("http_charset"),
        script=data.get("script", "simplified"), seed=data.get("seed"), filler=bool(data.get("filler")),
        extra=extra,
    )


def item_from_dict(data: dict[str, Any]) -> Item:
    paragraphs = tuple(data["paragraphs"])
    if not paragraphs or not all(isinstance(p, str) and p.strip() for p in paragraphs):
        raise ValueError("paragraphs must be a non-empty list of non-empty strings")
    return Item(title=data.get("title"), paragraphs=paragraphs, kicker=data.get("kicker"),
                subtitle=data.get("subtitle"), authors=tuple(data.get("authors", ())),
                photographers=tuple(data.get("photographers", ())), editor=data.get("editor"))


def expected_records(pages: list[Page] | None = None) -> list[dict[str, Any]]:
    """What a perfect crawl of the portal yields: one dict per article (e-paper items separately) with
    url, title, kicker, subtitle, published, source, authors, photographers, editor and text (paragraphs
    joined by "\\n"; traditional on the Big5 mirror, whose ``script`` says so)."""
    records = []
    for page in pages if pages is not None else load_articles():
        for item in page.items:
            records.append({
                "url": page.url, "title": item.title, "kicker": item.kicker, "subtitle": item.subtitle,
                "published": page.published, "source": page.source, "authors": list(item.authors),
                "photographers": list(item.photographers), "editor": item.editor,
                "text": "\n".join(item.paragraphs), "script": page.script, "page": page.name,
            })
    return records
