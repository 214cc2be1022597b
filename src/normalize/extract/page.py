"""Main-content extraction for Chinese news and government pages: trafilatura plus what portals need.

``extract_html(html, url=None) -> Extraction`` takes *decoded* text (decode bytes with
:func:`normalize.decoding.decode` first: given bytes, trafilatura guesses and ignores the declared charset).

1. :mod:`normalize.extract.tree` parses the page once with lxml and prepares it: scripts/styles go,
   data grids become a paragraph per row, tables used as page layout (nested tables, cells holding
   prose) become plain blocks; :mod:`normalize.extract.head` reads the headline, decks and
   metadata blocks before anything is removed.
   A page holding several articles (an e-paper 版面: repeated sibling containers, each with a headline
   and body text, see :mod:`normalize.extract.parts`) is extracted article by article instead:
   ``Extraction.parts`` holds one :class:`Extraction` per article (title, kicker, subtitle, byline,
   text; a photo with its caption is a part flagged ``photo-caption``), and the page-level extraction
   keeps the page's furniture in ``removed``, its date, and all articles' text (method
   ``"multi-article"``). Steps 2–4 below are for the ordinary page of one article (``parts`` empty).
2. trafilatura extracts the main text from that tree (its own fallbacks off: they return the whole page
   on many portals; we do better with step 3).
3. :mod:`normalize.structure.furniture` removes the portal furniture trafilatura keeps and keeps the
   densest run of prose lines; what it drops is kept in ``Extraction.removed`` with its kind.
4. When that leaves little or nothing, a fallback takes the block holding most paragraph text
   (``method="fallback"``).
5. :mod:`normalize.structure.bylines` reads publish time, source, bylines and editor from the metadata
   lines and the body; the date falls back to a marked element, a line before the body, the URL and
   last htmldate (flag ``date-from-htmldate``).

The text is NOT repaired here (script conversion, pinyin, etc. happen later in ``normalize.clean``).
Failures raise :class:`~normalize.errors.ExtractionError` with reason ``"empty-document"``,
``"not-html"`` or ``"no-main-content"``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import trafilatura
from htmldate import find_date
from lxml import etree

from normalize.chars import han_count, split_lines, squash
from normalize.decoding.mojibake import undo_page_mojibake
from normalize.errors import ExtractionError
from normalize.extract.head import PageHead, date_in_marked_element, read_head, title_decks
from normalize.extract.parts import Part, find_parts, outside_lines, part_lines, trailing_byline
from normalize.extract.tree import (
    densest_block_lines,
    parse_html,
    prepare_tree,
    text_of,
)
from normalize.record import Removed
from normalize.structure.bylines import normalize_date, read_bylines, read_meta_lines, strip_title_suffix
from normalize.structure.furniture import Selection, classify_line, drop_furniture, select_body

__all__ = ["Extraction", "ExtractionError", "extract_html"]

_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)")
MIN_BODY_CJK = 40  # fewer CJK characters than this in the main pass: try the fallback
_META_KINDS = frozenset({"metadata-line", "editor-line"})
_NEAR_BODY_KINDS = frozenset({"trailing-links", "navigation"})


@dataclass
class Extraction:
    """The main content of one HTML page and its metadata (text not yet repaired)."""

    text: str
    title: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    published: str | None = None
    source: str | None = None
    editor: str | None = None
    authors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    method: str = "trafilatura"
    parts: list[Extraction] = field(default_factory=list)  # one per article of a multi-article page


def extract_html(html: str, url: str | None = None) -> Extraction:
    """Extract the article body and metadata from one decoded HTML page.

    >>> page = ("<html><head><title>我市召开春耕生产工作会议_某某网</title></head><body>"
    ...         "<div>当前位置：首页 &gt; 要闻</div><h1>我市召开春耕生产工作会议</h1>"
    ...         "<div>发布时间：2020-02-12 08:28 来源：市农业局</div>"
    ...         "<p>2月11日，市政府召开春耕生产工作会议，部署今年春耕备耕工作。</p>"
    ...         "<p>会议要求，各地要抓好种子、化肥等农资供应，确保不误农时。</p>"
    ...         "<div>责任编辑：李华</div></body></html>")
    >>> ex = extract_html(page)
    >>> ex.title, ex.published, ex.source, ex.editor
    ('我市召开春耕生产工作会议', '2020-02-12T08:28', '市农业局', '李华')
    >>> ex.text.splitlines()[0]
    '2月11日，市政府召开春耕生产工作会议，部署今年春耕备耕工作。'
    """
    html, reversed_mojibake = undo_page_mojibake(html)
    tree = parse_html(html)
    head = read_head(tree)
    prepare_tree(tree)
    found = find_parts(tree, head.page_title)
    if found:
        extraction = multi_article_extraction(found, head, url, tree)
    else:
        extraction = single_article_extraction(tree, head, url)
    if extraction.published is None:
        extraction.published = htmldate_fallback(tree)
        if extraction.published is not None:
            extraction.flags.remove("no-date")
            extraction.flags.append("date-from-htmldate")
    if reversed_mojibake:
        extraction.flags.append("page-mojibake-reversed")
    return extraction


def single_article_extraction(tree: etree._Element, head: PageHead, url: str | None) -> Extraction:
    """The page's one article: trafilatura's lines, the densest run, the fallback when that is thin."""
    lines, method = main_lines(tree)
    selection = select_body(lines, head.links)
    if han_count("".join(selection.lines)) < MIN_BODY_CJK:
        selection, method = fallback_or(selection, tree, method, head.links)
    if not selection.lines:
        raise ExtractionError(
            "no-main-content",
            "no article text found on the page (only navigation/furniture); the raw capture is kept — "
            "check that this URL is an article page and not an index or a script-rendered shell",
        )
    return build_extraction(selection, head, method, url, tree)


def main_lines(tree: etree._Element) -> tuple[list[str], str]:
    """The lines trafilatura extracts from a copy of the prepared tree (its own fallbacks off)."""
    text = trafilatura.extract(
        copy.deepcopy(tree),  # trafilatura prunes the tree it is given; the fallback needs it whole
        fast=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    return split_lines(text or ""), "trafilatura"


def fallback_or(
    selection: Selection, tree: etree._Element, method: str, links: frozenset[str]
) -> tuple[Selection, str]:
    """The fallback's selection when it finds more text than the main pass, else the main one."""
    lines = densest_block_lines(tree)
    alt = select_body(lines, links)
    if not alt.lines:
        alt = drop_furniture(lines)
    if han_count("".join(alt.lines)) > han_count("".join(selection.lines)):
        return alt, "fallback"
    return selection, method


def build_extraction(
    selection: Selection, head: PageHead, method: str, url: str | None, tree: etree._Element
) -> Extraction:
    """Title, metadata and body from the kept lines and the page head."""
    body = list(selection.lines)
    removed = list(selection.removed)
    title = choose_title(head, body, removed)
    body, removed = drop_title_lines(body, removed, title)
    kicker, subtitle = kicker_subtitle(head, title)
    meta = read_meta_lines([r.text for r in removed if r.kind in _META_KINDS] + head.meta_lines)
    read_bylines(body, meta, [r.text for r in removed if r.kind in _NEAR_BODY_KINDS][:6])
    removed += metadata_not_yet_removed(head.meta_lines, body, removed)
    flags: list[str] = []
    published = (
        meta.published
        or head.meta_date
        or date_in_marked_element(tree)  # evaluated only when the metadata gave no date
        or date_near_body(selection.removed)
        or date_from_url(url)
    )
    if published is None:
        flags.append("no-date")
    if title is None:
        flags.append("no-title")
    return Extraction(
        text="\n".join(body),
        title=title,
        kicker=kicker,
        subtitle=subtitle,
        published=published,
        source=meta.source,
        editor=meta.editor,
        authors=meta.authors,
        photographers=meta.photographers,
        removed=removed,
        flags=flags,
        method=method,
    )


def multi_article_extraction(
    found: list[Part], head: PageHead, url: str | None, tree: etree._Element
) -> Extraction:
    """A page holding several articles: one :class:`Extraction` per article in ``parts``.

    The page-level extraction keeps what lies outside the articles (masthead, navigation, footer) in
    ``removed``, the page's date, source and editor, and all articles' text joined (``text``); its
    title is the page's headline. Each part gets its own title, kicker, subtitle and bylines.
    """
    parts = [part_extraction(p, head.links) for p in found]
    before, after = outside_lines(tree, found)
    removed = [Removed(classify_line(s) or "navigation", s) for s in before]
    removed += [Removed(classify_line(s) or "trailing-links", s) for s in after]
    meta = read_meta_lines([r.text for r in removed if r.kind in _META_KINDS] + head.meta_lines)
    published = (
        meta.published
        or head.meta_date
        or next((d for s in before if len(s) <= 40 and (d := normalize_date(s))), None)
        or date_in_marked_element(tree)
        or date_from_url(url)
    )
    flags = ["multi-article"] + ([] if published else ["no-date"])
    return Extraction(
        text="\n".join(p.text for p in parts),
        title=choose_title(head, [], removed),
        published=published,
        source=meta.source,
        editor=meta.editor,
        removed=removed,
        flags=flags,
        method="multi-article",
        parts=parts,
    )


def part_extraction(part: Part, links: frozenset[str]) -> Extraction:
    """One article of a multi-article page: its headline and decks, body run, byline and metadata.

    A part without a headline whose body is one paragraph is a photo caption (flag ``photo-caption``):
    the name that closes it is the photographer's.
    """
    title = squash(text_of(part.headline)) if part.headline is not None else None
    kicker, subtitle = title_decks(part.headline)
    lines, removed = part_lines(part.element, [(title, "title"), (kicker, "kicker"), (subtitle, "subtitle")])
    names, byline = trailing_byline(lines)
    if byline is not None:
        lines = lines[:-1]
    selection = select_body(lines, links)
    if not selection.lines:
        selection = drop_furniture(lines)
    removed += selection.removed + ([Removed("byline", byline)] if byline is not None else [])
    body = selection.lines
    meta = read_meta_lines([r.text for r in selection.removed if r.kind in _META_KINDS])
    read_bylines(body, meta)
    flags = [] if title else ["no-title"]
    caption = title is None and len(body) == 1
    if caption:
        flags.append("photo-caption")
        photographers, authors = names + [n for n in meta.photographers if n not in names], meta.authors
    else:
        photographers, authors = meta.photographers, names + [n for n in meta.authors if n not in names]
    return Extraction(
        text="\n".join(body), title=title, kicker=kicker, subtitle=subtitle, published=meta.published,
        source=meta.source, editor=meta.editor, authors=authors, photographers=photographers,
        removed=removed, flags=flags, method="multi-article",
    )


def metadata_not_yet_removed(lines: list[str], body: list[str], removed: list[Removed]) -> list[Removed]:
    """The page's metadata lines that trafilatura dropped before us, recorded as removed metadata so
    that a record shows where its date/source/editor came from.

    >>> metadata_not_yet_removed(["来源：市政府 发布时间：2020-02-12"], ["正文。"], [])
    [Removed(kind='metadata-line', text='来源：市政府 发布时间：2020-02-12')]
    """
    seen = {squash(r.text) for r in removed} | {squash(line) for line in body}
    out = []
    for line in lines:
        if squash(line) not in seen and classify_line(line) in _META_KINDS:
            seen.add(squash(line))
            out.append(Removed(kind=classify_line(line) or "metadata-line", text=line))
    return out


def choose_title(head: PageHead, body: list[str], removed: list[Removed]) -> str | None:
    """The headline: a heading or line that the ``<title>`` starts with, else the ``<title>`` minus site.

    >>> h = PageHead("市政府召开常务会议_某某市人民政府", ["某某市人民政府", "市政府召开常务会议"],
    ...              None, None)
    >>> choose_title(h, [], [])
    '市政府召开常务会议'
    """
    if head.page_title:
        return squash(head.page_title)
    base = strip_title_suffix(head.title_tag) if head.title_tag else None
    candidates = head.headings + [r.text for r in removed[-40:]] + body[:3]
    if base:
        for cand in candidates:
            if 4 <= len(cand) <= 80 and (cand == base or (len(cand) >= 6 and base.startswith(cand))):
                return cand
        for cand in candidates:
            if 6 <= len(base) <= len(cand) <= len(base) + 40 and cand.startswith(base):
                return cand
        return base
    if head.meta_title:
        return strip_title_suffix(head.meta_title)
    heading = next((h for h in head.headings if 4 <= len(h) <= 80), None)
    return heading


def drop_title_lines(
    body: list[str], removed: list[Removed], title: str | None
) -> tuple[list[str], list[Removed]]:
    """Remove the headline (and a repeat of it) from the top of the body."""
    if not title:
        return body, removed
    squeezed = "".join(title.split())
    while body and "".join(body[0].split()) == squeezed:
        removed.append(Removed(kind="title", text=body.pop(0)))
    return body, removed


def kicker_subtitle(head: PageHead, title: str | None) -> tuple[str | None, str | None]:
    """Kicker (引题) = the heading right before the headline; subtitle (副题) = one starting with ——.

    >>> kicker_subtitle(PageHead(None, ["春耕时节", "我市百万亩良田开犁", "——记某某镇农技站"], None, None),
    ...                 "我市百万亩良田开犁")
    (None, '——记某某镇农技站')
    """
    if title and head.page_title and title == squash(head.page_title) and any(head.decks):
        return head.decks
    if not title or title not in head.headings:
        return None, None
    i = head.headings.index(title)
    subtitle = None
    if i + 1 < len(head.headings) and head.headings[i + 1].startswith(("——", "—", "--")):
        subtitle = head.headings[i + 1]
    kicker = None
    if i > 0 and head.headings[i - 1].endswith(("——", "：")):
        kicker = head.headings[i - 1]
    return kicker, subtitle


def htmldate_fallback(tree: etree._Element) -> str | None:
    """htmldate's original publication date (quick search only), the last resort for pages whose
    own metadata line we could not read. Called after extraction: htmldate may prune the tree.

    >>> from normalize.extract.tree import parse_html
    >>> htmldate_fallback(parse_html('<html><head><meta name="date" content="2020-02-12"></head>'
    ...                               '<body><p>x</p></body></html>'))
    '2020-02-12'
    """
    try:
        found = find_date(tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return found if isinstance(found, str) else None


def date_near_body(removed: list[Removed]) -> str | None:
    """A date on a short line just before the article (the unlabelled "2011年12月15日 09:34 新浪财经").

    >>> date_near_body([Removed("navigation", "首页"), Removed("navigation", "2011年12月15日09:34 新浪财经")])
    '2011-12-15T09:34'
    """
    before = [r.text for r in removed if r.kind == "navigation"][-8:]
    for line in reversed(before):
        if len(line) <= 80 and (found := normalize_date(line)):
            return found
    return None


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
