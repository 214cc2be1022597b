"""Main-content extraction for Chinese news and government pages: trafilatura plus what portals need.

:func:`extract_page` takes *decoded* text (decode bytes with :func:`normalize.decoding.decode` first:
given bytes, trafilatura guesses and ignores the declared charset) and returns the page's article
drafts (:class:`~normalize.structure.draft.Draft`: lines with their hints, and the page head) for the
structure stage; :func:`extract_html` runs that stage too and returns an :class:`Extraction`.

1. :mod:`normalize.extract.tree` parses the page once with lxml and prepares it: scripts/styles go,
   data tables become a line per row, tables used as page layout become plain blocks;
   :mod:`normalize.extract.head` reads the headline, decks, meta dates and metadata blocks before
   anything is changed; :mod:`normalize.extract.links` marks links to other pages and headings, so
   that every extracted line says how much of it is link text.
2. A page holding several articles (an e-paper 版面: repeated sibling containers, each with a headline
   and body text, see :mod:`normalize.extract.parts`) gives one draft per article, each with its own
   headline and byline; what lies outside the articles is the page's ``removed``.
3. Otherwise the article container is trafilatura's choice (its own extraction cascade, fast mode);
   when that holds fewer than :data:`MIN_BODY_CJK` Han characters of article text, the page block
   holding most text outside links is taken instead (``method="fallback"``). The container's lines
   are kept whole: only furniture that a named rule of :mod:`normalize.structure.furniture` identifies
   leaves them.
4. The date falls back, in this order, to a marked element (``pub_date``), the URL and last htmldate
   (flag ``date-from-htmldate``), each computed only when the text gave none.

The text is NOT repaired here (script conversion, pinyin, etc. happen in :func:`normalize.clean`).
Failures raise :class:`~normalize.errors.ExtractionError` with reason ``"empty-document"``,
``"not-html"`` or ``"no-main-content"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import trafilatura
from htmldate import find_date
from lxml import etree

from normalize.chars import han_count, split_lines, squash
from normalize.decoding.mojibake import undo_page_mojibake
from normalize.errors import ExtractionError
from normalize.extract.head import date_in_marked_element, read_head, title_decks
from normalize.extract.links import Marks, hinted_lines, mark_headings, mark_links, unwrap_attachments
from normalize.extract.parts import Part, find_parts, outside_lines, part_lines, trailing_byline
from normalize.extract.tree import block_lines, densest_block_lines, parse_html, prepare_tree, text_of
from normalize.record import Removed
from normalize.structure.bylines import read_meta_lines
from normalize.structure.draft import Draft, Head, Line, Meta
from normalize.structure.furniture import classify, classify_line
from normalize.structure.headline import page_headline
from normalize.structure.stage import Article, structure_article
from normalize.structure.vocab import parse_date

__all__ = ["Extraction", "ExtractionError", "Page", "extract_html", "extract_page"]

_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)")
MIN_BODY_CJK = 40  # fewer Han characters of article text than this in trafilatura's lines: try the fallback
OUTSIDE_DATE_CHARS = 40  # a line before a multi-article page's articles this short may be its date line
_META_KINDS = frozenset({"metadata-line", "editor-line"})
NO_CONTENT = "no-main-content"
NO_CONTENT_MESSAGE = (
    "no article text found on the page (only navigation/furniture); the raw capture is kept — "
    "check that this URL is an article page and not an index or a script-rendered shell"
)


@dataclass
class Page:
    """The article drafts of one HTML page, and what belongs to the page rather than to an article."""

    drafts: list[Draft]
    removed: list[Removed] = field(default_factory=list)  # outside the articles (multi-article pages)
    flags: list[str] = field(default_factory=list)  # every article's
    method: str = "trafilatura"
    meta: Meta | None = None  # a multi-article page's own headline, date, source and editor


@dataclass
class Extraction:
    """The main content of one HTML page and its metadata (text not yet repaired)."""

    text: str
    meta: Meta = field(default_factory=Meta)
    removed: list[Removed] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    method: str = "trafilatura"
    parts: list[Extraction] = field(default_factory=list)  # one per article of a multi-article page


def extract_html(html: str, url: str | None = None) -> Extraction:
    """Extract the article body and metadata from one decoded HTML page (no repairs).

    >>> page = ("<html><head><title>我市召开春耕生产工作会议_某某网</title></head><body>"
    ...         "<div>当前位置：首页 &gt; 要闻</div><h1>我市召开春耕生产工作会议</h1>"
    ...         "<div>发布时间：2020-02-12 08:28 来源：市农业局</div>"
    ...         "<p>2月11日，市政府召开春耕生产工作会议，部署今年春耕备耕工作。</p>"
    ...         "<p>会议要求，各地要抓好种子、化肥等农资供应，确保不误农时。</p>"
    ...         "<div>责任编辑：李华</div></body></html>")
    >>> ex = extract_html(page)
    >>> ex.meta.title, ex.meta.published, ex.meta.source, ex.meta.editor
    ('我市召开春耕生产工作会议', '2020-02-12T08:28', '市农业局', '李华')
    >>> ex.text.splitlines()[0]
    '2月11日，市政府召开春耕生产工作会议，部署今年春耕备耕工作。'
    """
    page = extract_page(html, url)
    return to_extraction(page, nonempty([structure_article(d) for d in page.drafts]))


def nonempty(articles: list[Article]) -> list[Article]:
    """The articles, unless the page's only one has no text left (only its headline was there)."""
    if len(articles) == 1 and not any(s.strip() for s in articles[0].lines):
        raise ExtractionError(NO_CONTENT, NO_CONTENT_MESSAGE)
    return articles


def extract_page(html: str, url: str | None = None) -> Page:
    """The page's article drafts (see the module docstring)."""
    html, reversed_mojibake = undo_page_mojibake(html)
    tree = parse_html(html)
    head = read_head(tree)
    unwrap_attachments(tree)  # a notice's 附件 list is its text, not a block of links
    marks = mark_links(tree)  # before tables become rows: a row keeps its links
    prepare_tree(tree)
    found = find_parts(tree, head.title)
    decks = [_part_head(p, marks) for p in found]
    mark_headings(tree, marks)
    head.dates = page_dates(tree, url)
    if found:
        page = multi_article_page(found, decks, head, tree, marks)
    else:
        page = single_article_page(tree, head, marks)
    if reversed_mojibake:
        page.flags.append("page-mojibake-reversed")
    return page


def to_extraction(page: Page, articles: list[Article]) -> Extraction:
    """The structured articles of a page as one :class:`Extraction` (``parts`` for several)."""
    if page.meta is None:
        [a] = articles
        flags = page.flags + a.flags + _no_title(a)
        return Extraction("\n".join(a.lines), a.meta, page.removed + a.removed, flags, page.method)
    parts = [Extraction("\n".join(a.lines), a.meta, a.removed, a.flags + _no_title(a), page.method)
             for a in articles]
    flags = page.flags + ([] if page.meta.published else ["no-date"])
    return Extraction("\n".join(p.text for p in parts), page.meta, page.removed, flags, page.method, parts)


def _no_title(a: Article) -> list[str]:
    return [] if a.meta.title else ["no-title"]


# --- one article ------------------------------------------------------------------------------------

def single_article_page(tree: etree._Element, head: Head, marks: Marks) -> Page:
    """The page's one article: trafilatura's lines, or the fallback block's when those are thin."""
    lines, method = main_lines(tree, marks), "trafilatura"
    kinds = classify(lines, head.title)
    if article_cjk(lines, kinds) < MIN_BODY_CJK:
        alt = hinted_lines(densest_block_lines(tree), marks)
        alt_kinds = classify(alt, head.title)
        if article_cjk(alt, alt_kinds) > article_cjk(lines, kinds):
            lines, kinds, method = alt, alt_kinds, "fallback"
    if not any(k is None for k in kinds):
        raise ExtractionError(NO_CONTENT, NO_CONTENT_MESSAGE)
    return Page([Draft(lines, head, kinds=kinds)], method=method)


def main_lines(tree: etree._Element, marks: Marks) -> list[Line]:
    """The lines trafilatura extracts from the prepared tree (it works on a copy of its own)."""
    text = trafilatura.extract(
        tree,
        fast=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    return hinted_lines(split_lines(text or ""), marks)


def article_cjk(lines: list[Line], kinds: list[str | None]) -> int:
    """Han characters in the lines that are not furniture."""
    return sum(han_count(line.text) for line, kind in zip(lines, kinds, strict=True) if kind is None)


# --- dates outside the text ------------------------------------------------------------------------

def page_dates(tree: etree._Element, url: str | None) -> list[tuple[str, Callable[[], str | None]]]:
    """The page's date finders, best first, each run only when asked (flag, finder)."""
    return [
        ("", lambda: date_in_marked_element(tree)),
        ("", lambda: date_from_url(url)),
        ("date-from-htmldate", lambda: htmldate_fallback(tree)),
    ]


def htmldate_fallback(tree: etree._Element) -> str | None:
    """htmldate's original publication date (quick search only), the last resort for pages whose
    own metadata line we could not read. Called after extraction: htmldate may prune the tree.

    >>> htmldate_fallback(parse_html('<html><head><meta name="date" content="2020-02-12"></head>'
    ...                               '<body><p>x</p></body></html>'))
    '2020-02-12'
    """
    try:
        found = find_date(tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return found if isinstance(found, str) else None


def date_from_url(url: str | None) -> str | None:
    """A date in the URL path (``/2020-02/12/``, ``t20200212_``), the last resort.

    >>> date_from_url("http://www.gov.cn/xinwen/2020-02/12/content_5477.htm")
    '2020-02-12'
    >>> date_from_url("http://example.gov.cn/art/2020/2/12/art_1.html") is None
    True
    """
    if not url:
        return None
    m = _URL_DATE.search(url)
    return f"{m[1]}-{m[2]}-{m[3]}" if m else None


# --- several articles ------------------------------------------------------------------------------

def _part_head(part: Part, marks: Marks) -> Decks:
    """(title, kicker, subtitle) of a part, from its headline element and its neighbours."""
    title = squash(marks.strip(text_of(part.headline))) if part.headline is not None else None
    kicker, subtitle = title_decks(part.headline)
    return title, kicker and marks.strip(kicker), subtitle and marks.strip(subtitle)


def multi_article_page(found: list[Part], decks: list[Decks],
                       head: Head, tree: etree._Element, marks: Marks) -> Page:
    """A page holding several articles: one draft per article; what lies outside the articles
    (masthead, navigation, footer) is the page's ``removed``, and gives the page's date, source and
    editor, which a part without its own takes."""
    before, after = (list(map(marks.strip, side)) for side in outside_lines(tree, found))
    removed = [Removed(classify_line(s) or "outside-articles", s) for s in before + after]
    meta = read_meta_lines([r.text for r in removed if r.kind in _META_KINDS] + head.meta_lines)
    meta.published = (
        meta.published
        or head.meta_date
        or next((d for s in before if len(s) <= OUTSIDE_DATE_CHARS and (d := parse_date(s))), None)
    )
    for _, finder in head.dates if meta.published is None else []:
        meta.published = meta.published or finder()
    meta.title = page_headline(head, [r.text for r in removed])
    drafts = [part_draft(p, d, meta, marks) for p, d in zip(found, decks, strict=True)]
    return Page(drafts, removed, ["multi-article"], "multi-article", meta)


Decks = tuple[str | None, str | None, str | None]  # title, kicker, subtitle


def part_draft(part: Part, decks: Decks, page: Meta, marks: Marks) -> Draft:
    """One article of a multi-article page: its lines without headline and decks, and its byline."""
    title, kicker, subtitle = decks
    lines = hinted_lines(block_lines(part.element), marks)
    lines, removed = part_lines(lines, [(title, "title"), (kicker, "kicker"), (subtitle, "subtitle")])
    names, byline = trailing_byline([line.text for line in lines])
    if byline is not None:
        lines = lines[:-1]
        removed.append(Removed("byline", byline))
    head = Head(title=title, kicker=kicker, subtitle=subtitle, meta_date=page.published, byline=names)
    return Draft(lines, head, removed, epaper=True)

