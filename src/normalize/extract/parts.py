"""Pages that hold several articles (an e-paper page, a 数字报 版面): find each article's block.

A page holds several articles when it has **repeated sibling containers** (same tag and class, under
the same parent) of which at least two each carry a **headline element** (``h1``–``h4`` or an element
classed as a title) that is not a link, and **substantial text** of their own outside links. Further
members of the same group without a headline but with some text (a photo and its caption) are parts
too. The layout is read from the tree, never from a site's class names.

Ordinary pages are not split; each guard below is a page shape that looks alike:

- an article with subheadings: the headings are siblings of its paragraphs (no containers with text
  of their own), or the sections' headings are numbered (一、 （二） 3. 第四部分), or the page's
  headline (the element the ``<title>`` names) stands outside the repeated containers;
- a related-news or teaser list (headline + summary per item): the headlines are links and the
  summaries are short;
- a list page: items with a headline and a date, no body text;
- an article with a sidebar of excerpts: the repeated containers must hold most of the page's text.

:func:`find_parts` returns the parts in page order (empty for an ordinary page); :func:`part_lines`
gives a part's lines and :func:`headline_of` its headline element.
"""

from __future__ import annotations

import copy as copy_module
import re
from dataclasses import dataclass

from lxml import etree

from normalize.chars import HAN_CHARS, han_count, squash
from normalize.extract.tree import block_lines, text_of
from normalize.record import Removed
from normalize.structure.draft import Line
from normalize.structure.furniture import classify_line
from normalize.structure.shapes import ends_sentence
from normalize.structure.vocab import split_names

MIN_HEADLINED = 2  # containers with a headline and body text needed to call the page multi-article
MIN_PART_CJK = 80  # CJK characters outside links and headlines in a headlined part
MIN_EXTRA_CJK = 15  # ... in a part without headline (a photo caption)
MIN_SHARE = 0.6  # the parts together hold at least this share of the page's text outside links
MAX_DEPTH = 6  # how far up from a headline a part's container may be
HEAD_LINES = 4  # a part's headline and decks are among its first lines
_RANKS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
TITLE_CLASS_RANK = 5
_TITLE_CLASS = re.compile(r"(?:^|[\s_-])(?:title|biaoti|headline|bt)(?:$|[\s_-])", re.I)
_NOT_TITLE_CLASS = re.compile(r"sub|fu|site|column|lanmu|nav|list|more|side", re.I)
_NUMBERED = re.compile(  # a section heading: 一、 （二） 3. 第四部分
    r"^\s*(?:[（(]?[一二三四五六七八九十百\d]{1,3}[)）、.．]|第[一二三四五六七八九十\d]{1,3}[部分章节条篇])"
)
_BYLINE_ROLES = re.compile(r"本报|本報|特约|特約|记者|記者|通讯员|通訊員|实习生|實習生|[:：/／]")
_NAMES_ONLY = re.compile(rf"(?<!\s)\s*+[{HAN_CHARS}]{{2,4}}(?:[ \u3000]+[{HAN_CHARS}]{{2,4}}){{0,3}}\s*+")
_HEADLINES = etree.XPath(
    "//body//*[self::h1 or self::h2 or self::h3 or self::h4 or @class[contains(translate(., 'TILEBAOHDN', "
    "'tilebaohdn'), 'title') or contains(., 'biaoti') or contains(., 'bt') or contains(., 'headline')]]"
)
_OWN_TEXT = etree.XPath(".//text()[not(ancestor::a)]")


@dataclass
class Part:
    """One article block of a multi-article page."""

    element: etree._Element
    headline: etree._Element | None


def headline_rank(el: etree._Element) -> int | None:
    """1–4 for ``h1``–``h4``, 5 for a title-classed element, None otherwise.

    >>> from lxml import html
    >>> headline_rank(html.fragment_fromstring('<h2>x</h2>')), headline_rank(
    ...     html.fragment_fromstring('<div class="art-title">x</div>'))
    (2, 5)
    >>> headline_rank(html.fragment_fromstring('<div class="subtitle">x</div>')) is None
    True
    """
    if not isinstance(el.tag, str):
        return None
    if el.tag in _RANKS:
        return _RANKS[el.tag]
    cls = el.get("class") or ""
    if _TITLE_CLASS.search(cls) and not _NOT_TITLE_CLASS.search(cls):
        return TITLE_CLASS_RANK
    return None


def headline_of(part: etree._Element) -> etree._Element | None:
    """The part's headline: its highest-ranked headline element with text (first in page order)."""
    best: tuple[int, etree._Element] | None = None
    for el in part.iter():
        rank = headline_rank(el)
        if rank is not None and text_of(el) and (best is None or rank < best[0]):
            best = (rank, el)
    return best[1] if best else None


def _signature(el: etree._Element) -> tuple[str, str]:
    return str(el.tag), " ".join(sorted((el.get("class") or "").split()))


_ITEM_TAGS = frozenset({"article", "section", "li"})


def _repeatable(el: etree._Element) -> bool:
    """A container that can be one of several articles: it has a class, or is an article/section/item
    (unclassed ``div`` siblings are the page's skeleton: header, main column, sidebar)."""
    return bool((el.get("class") or "").strip()) or el.tag in _ITEM_TAGS


def _candidate_groups(
    tree: etree._Element,
) -> dict[tuple[etree._Element, tuple[str, str]], list[etree._Element]]:
    """(parent, signature) -> its children of that signature that contain a headline element."""
    groups: dict[tuple[etree._Element, tuple[str, str]], list[etree._Element]] = {}
    for h in _HEADLINES(tree):
        if headline_rank(h) is None:
            continue
        el = h
        for _ in range(MAX_DEPTH):
            parent = el.getparent()
            if parent is None or el.tag == "body":
                break
            if not _repeatable(el):
                el = parent
                continue
            key = (parent, _signature(el))
            members = groups.setdefault(key, [])
            if el not in members:
                members.append(el)
            el = parent
    return {k: v for k, v in groups.items() if len(v) >= MIN_HEADLINED}


def body_cjk(el: etree._Element, skip: etree._Element | None = None) -> int:
    """CJK characters of ``el`` outside links and outside the headline element ``skip`` and its decks."""
    total = 0
    for node in _OWN_TEXT(el):
        owner = node.getparent()
        if owner is not None and node.is_tail:
            owner = owner.getparent()
        if owner is not None and headline_rank(owner) is not None:
            continue
        total += han_count(node)
    return total


def _is_link(el: etree._Element) -> bool:
    linked = sum(len(text_of(a)) for a in el.iter("a"))
    anc = el.getparent()
    while anc is not None:
        if anc.tag == "a":
            return True
        anc = anc.getparent()
    return linked * 2 >= max(1, len(text_of(el)))


def _group_parts(members: list[etree._Element]) -> list[Part] | None:
    """The group's parts when at least two members are articles (headline + body text), else None."""
    parent = members[0].getparent()
    if parent is None:
        return None
    sig = _signature(members[0])
    parts: list[Part] = []
    headlined = 0
    for child in parent:
        if not isinstance(child.tag, str) or _signature(child) != sig:
            continue
        head = headline_of(child)
        text = body_cjk(child)
        if head is not None and not _is_link(head) and text >= MIN_PART_CJK:
            parts.append(Part(child, head))
            headlined += 1
        elif head is None and text >= MIN_EXTRA_CJK:
            parts.append(Part(child, None))
    heads = {_signature(p.headline) for p in parts if p.headline is not None}
    if headlined < MIN_HEADLINED or len(heads) != 1:  # articles of one page share one headline style
        return None
    return parts


def _numbered(parts: list[Part]) -> bool:
    heads = [text_of(p.headline) for p in parts if p.headline is not None]
    return sum(1 for h in heads if _NUMBERED.match(h)) * 2 >= len(heads)


def find_parts(tree: etree._Element, page_title: str | None = None) -> list[Part]:
    """The article blocks of a multi-article page, in page order; ``[]`` for an ordinary page.

    ``page_title`` is the page's headline (the element the ``<title>`` names, see
    :func:`normalize.extract.head.headline_in_page`): when no part holds it, the repeated blocks are
    sections or teasers of the page's one article.

    >>> from normalize.extract.tree import parse_html
    >>> body = "，".join(["会议强调要抓好落实"] * 12) + "。"
    >>> page = parse_html("<body>" + "".join(
    ...     f"<div class='art'><h1>标题{i}</h1><p>{body}</p><p>记者{i}</p></div>" for i in "一二")
    ...     + "</body>")
    >>> [text_of(p.headline) for p in find_parts(page)]
    ['标题一', '标题二']
    >>> sections = parse_html("<body><h1>总标题</h1>" + "".join(
    ...     f"<div class='sec'><h2>{i}、小标题</h2><p>{body}</p></div>" for i in "一二") + "</body>")
    >>> find_parts(sections, "总标题")
    []
    """
    best: list[Part] = []
    best_text = 0
    for members in _candidate_groups(tree).values():
        parts = _group_parts(members)
        if not parts or _numbered(parts):
            continue
        text = sum(body_cjk(p.element) for p in parts)
        if text > best_text:
            best, best_text = parts, text
    if not best:
        return []
    body = tree.find("body")
    page_text = body_cjk(body) if body is not None else best_text
    if best_text < MIN_SHARE * page_text:
        return []
    if page_title and not any(page_title in text_of(p.element) for p in best):
        return []
    return best


def part_lines(lines: list[Line], heads: list[tuple[str | None, str]]) -> tuple[list[Line], list[Removed]]:
    """A part's lines without its headline and decks (each ``(text, kind)`` removed once, from the
    top lines), and the removed lines.

    >>> lines = [Line("引题"), Line("标题"), Line("正文。")]
    >>> kept, removed = part_lines(lines, [("标题", "title"), ("引题", "kicker")])
    >>> [ln.text for ln in kept], removed
    (['正文。'], [Removed(kind='kicker', text='引题'), Removed(kind='title', text='标题')])
    """
    wanted = {squash(text): kind for text, kind in heads if text}
    removed: list[Removed] = []
    kept: list[Line] = []
    for i, line in enumerate(lines):
        kind = wanted.pop(squash(line.text), None) if i < HEAD_LINES else None
        if kind is None:
            kept.append(line)
        else:
            removed.append(Removed(kind, line.text))
    return kept, removed


def trailing_byline(lines: list[str]) -> tuple[list[str], str | None]:
    """The names on a part's last line when it holds only one to four names (2–4 Han characters
    each), maybe with role words (记者, 通讯员), and follows a finished sentence; else ``([], None)``.

    >>> trailing_byline(["会议还研究了其他事项。", "言武旭"])
    (['言武旭'], '言武旭')
    >>> trailing_byline(["会议还研究了其他事项。", "记者 李华 通讯员 陈刚"])[0]
    ['李华', '陈刚']
    >>> trailing_byline(["会议还研究了其他事项。", "相关新闻"])[1], trailing_byline(["言武旭"])[1]
    (None, None)
    """
    if len(lines) < 2 or not ends_sentence(lines[-2]) or classify_line(lines[-1]) not in (None, "byline"):
        return [], None
    names = _BYLINE_ROLES.sub(" ", lines[-1])
    if not _NAMES_ONLY.fullmatch(names):
        return [], None
    return split_names(names), lines[-1].strip()


_SENTINEL = "\ue000parts\ue000"


def outside_lines(tree: etree._Element, parts: list[Part]) -> tuple[list[str], list[str]]:
    """The page's lines before the first part and after the last one (the tree is not changed)."""
    body = tree.find("body")
    if body is None:
        return [], []
    paths = [tree.getroottree().getpath(p.element) for p in parts]
    copy = copy_module.deepcopy(tree)
    for path in reversed(paths):  # last first: replacing an element shifts its later siblings' indices
        found = copy.getroottree().xpath(path)
        if not found:
            continue
        el = found[0]
        marker = etree.Element("p")
        marker.text, marker.tail = _SENTINEL, el.tail
        parent = el.getparent()
        if parent is not None:
            parent.replace(el, marker)
    copy_body = copy.find("body")
    lines = block_lines(copy_body) if copy_body is not None else []
    marks = [i for i, s in enumerate(lines) if s == _SENTINEL]
    if not marks:
        return lines, []
    inner = [s for s in lines[marks[0]:marks[-1]] if s != _SENTINEL]  # between parts: page furniture
    return lines[:marks[0]], inner + lines[marks[-1] + 1:]
