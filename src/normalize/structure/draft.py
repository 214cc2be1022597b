"""The article draft: what both inputs hand to the structure stage.

An HTML page (:mod:`normalize.extract`) and a text capture (:mod:`normalize.pipeline`) both become
drafts: the article's :class:`Line` s, each with the hints its source can give, and the :class:`Head`,
what the page says about the article outside its text. The structure stage (:mod:`normalize.structure`)
turns a draft into the body, the removed blocks with their kinds, and the metadata; it never asks which
input a draft came from, only what its lines' hints say.

Hints of a line:

- ``link``: the share of the line's text that is the text of ``<a>`` elements pointing to other pages
  (not an attachment, an in-page anchor or a script); ``None`` when the source cannot tell (a text
  capture): then the classifier's text-only guards apply (see :mod:`normalize.structure.furniture`);
- ``heading``: the line is a heading element (``<h1>``-``<h6>``);
- ``free_han``: how many Han characters of the line are outside links;
- ``main``: inside the article's container (``True``), outside it (``False``: an e-paper page's masthead,
  a metadata block read from elsewhere on the page), or unknown (``None``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from normalize.record import Removed

LINK_LINE_SHARE = 0.5  # a line at least this much inside links ...
LINK_LINE_FREE_HAN = 12  # ... with at most this many Han characters outside them (a date, a count, a
# column name beside a teaser) is a link to another page: a teaser, a menu entry


@dataclass
class Meta:
    """The one metadata type: headline, decks, date, source and names of one article (``None`` / empty
    when not found).

    ``published`` is ISO (``2020-02-12``, ``2020-02-12T08:28``) or a partial date without year
    (``--02-20``).
    """

    title: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    published: str | None = None
    source: str | None = None
    editor: str | None = None
    authors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    """One line of an article draft and what its source says about it."""

    text: str
    link: float | None = None
    heading: bool = False
    main: bool | None = None
    free_han: int = 0  # Han characters outside links

    @property
    def is_link(self) -> bool:
        """The line is the text of a link to another page, maybe with a date or a count beside it.

        >>> Line("东城区新增三处口袋公园", link=1.0).is_link, Line("相关新闻", link=None).is_link
        (True, False)
        >>> Line("- 茅台成全球第四大值钱奢侈品牌 评论348条", link=0.77, free_han=3).is_link
        True
        """
        return self.link is not None and self.link >= LINK_LINE_SHARE and self.free_han <= LINK_LINE_FREE_HAN

    @property
    def hinted(self) -> bool:
        """The source gave hints (an HTML page), so the text-only guards do not apply."""
        return self.link is not None


def plain_lines(lines: list[str]) -> list[Line]:
    """Lines of a text capture: no hints.

    >>> [(ln.text, ln.hinted) for ln in plain_lines(["标题", ""])]
    [('标题', False), ('', False)]
    """
    return [Line(s) for s in lines]


@dataclass
class Head:
    """What a page says about an article outside the article's lines (empty for a text capture).

    ``title`` is the headline when the page names it (the element its ``<title>`` contains, see
    :mod:`normalize.extract.head`); ``title_tag``, ``meta_title`` and ``headings`` are the candidates
    when it does not. ``meta_lines`` are the page's metadata blocks (来源, 发布时间 ...) read from the
    tree; ``dates`` are dates found outside the text, best first, each computed only when asked (a
    marked element, the URL, htmldate).
    """

    title: str | None = None
    title_tag: str | None = None
    meta_title: str | None = None
    headings: list[str] = field(default_factory=list)
    h1: str | None = None  # the page's one <h1>, when it has exactly one
    kicker: str | None = None
    subtitle: str | None = None
    meta_date: str | None = None
    source: str | None = None  # the source the page's meta tags name (ContentSource)
    meta_lines: list[str] = field(default_factory=list)
    dates: list[tuple[str, Callable[[], str | None]]] = field(default_factory=list)  # (flag, finder)
    byline: list[str] = field(default_factory=list)  # names printed under an e-paper article
    photo_caption: bool = False  # the article is a photo with its caption (its byline: photographers)


@dataclass
class Draft:
    """One article on its way to a record: its lines, its head, what already left it."""

    lines: list[Line]
    head: Head = field(default_factory=Head)
    removed: list[Removed] = field(default_factory=list)  # removed before structure (e-paper headline)
    flags: list[str] = field(default_factory=list)
    epaper: bool = False  # one article of a page holding several (text e-paper or HTML parts)
    kinds: list[str | None] | None = None  # the classifier's kinds of these very lines, when known
