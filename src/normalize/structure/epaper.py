"""E-paper pages (seed 004): one page of a district newspaper holding several articles.

An e-paper page is recognised by its masthead and footer lines (``第7期(总第1227期)``, ``新闻热线:``,
``官方微信``, ``主编:``, ``投稿邮箱:``, a ``2020年2月18日 星期二`` date line — at least two of them) and by
at least two byline lines. :func:`split_epaper` cuts it into :class:`PageArticle` items:

- the **masthead** is everything before the first headline (a title-like line followed by a
  paragraph); the **footer** is everything after the last byline; both become ``Removed`` blocks of
  kind ``"masthead"`` / ``"footer"`` (the caller attaches them to the page's first record);
- each article runs up to its **byline**: a line holding only one to three names (2–4 Han characters
  each) that follows a paragraph ending a sentence. The byline's names are the article's authors,
  written as printed (方韋 stays: the page is simplified, so its script is not converted);
- an item with no headline whose body is a single paragraph is a **photo caption** (seed 004's last
  item, "2月16日,在幸福科技工业园区…", credited 许丛军): it becomes a record of its own, with no title,
  the flag ``"photo-caption"``, and the byline name as its photographer (not an author: the HTML path
  and the sample portal's reference data read the credit the same way);
- the page date (from the masthead date line) is every article's ``published``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from normalize.record import Removed
from normalize.structure.furniture import FOOTER, MASTHEAD_LINE
from normalize.structure.shapes import NAMES_LINE, ends_sentence, is_paragraph, is_title_like
from normalize.structure.vocab import parse_date

BYLINE = NAMES_LINE
MIN_SIGNALS = 2


@dataclass
class PageArticle:
    title: str | None
    lines: list[str]  # body lines, blank lines kept (the line repairs need them)
    authors: list[str]
    photo_caption: bool = False
    removed: list[Removed] = field(default_factory=list)  # the headline and byline lines
    span: tuple[int, int] = (0, 0)  # its lines on the page, headline to byline: lines[start:end]


@dataclass
class Page:
    articles: list[PageArticle]
    published: str | None
    removed: list[Removed]  # masthead and footer


def _nonblank(lines: list[str]) -> list[int]:
    return [i for i, s in enumerate(lines) if s.strip()]


def _byline_indices(lines: list[str]) -> list[int]:
    idx = _nonblank(lines)
    return [i for n, i in enumerate(idx)
            if n > 0 and BYLINE.match(lines[i]) and ends_sentence(lines[idx[n - 1]])]


def is_epaper(lines: list[str]) -> bool:
    """Masthead/footer signals and bylines of several articles.

    >>> is_epaper(["第7期(总第1227期)", "新闻热线:", "正文。", "言武旭", "正文。", "许应田"])
    True
    >>> is_epaper(["正文。", "言武旭"])
    False
    """
    signals = 0
    for s in lines:
        if MASTHEAD_LINE.match(s) or FOOTER.match(s):
            signals += 1
            if signals >= MIN_SIGNALS:  # enough: the bylines decide
                return len(_byline_indices(lines)) >= 2
    return False


def _is_headline_at(lines: list[str], n: int, idx: list[int]) -> bool:
    """The ``n``-th non-blank line (``lines[idx[n]]``) is a headline: title-like, followed by a paragraph."""
    i = idx[n]
    return (is_title_like(lines[i]) and not MASTHEAD_LINE.match(lines[i])
            and n + 1 < len(idx) and is_paragraph(lines[idx[n + 1]]))


def _article(lines: list[str], byline: str) -> PageArticle:
    idx = _nonblank(lines)
    names = byline.split()
    removed = []
    title = None
    if idx and _is_headline_at(lines, 0, idx):
        title = lines[idx[0]].strip()
        removed.append(Removed("title", title))
        lines = lines[idx[0] + 1:]
    removed.append(Removed("byline", byline.strip()))
    pars = [s for s in lines if s.strip()]
    caption = title is None and len(pars) == 1
    return PageArticle(title, lines, names, caption, removed)


def split_epaper(lines: list[str]) -> Page:
    """Cut an e-paper page into articles (see the module docstring)."""
    idx = _nonblank(lines)
    start = next((i for n, i in enumerate(idx) if _is_headline_at(lines, n, idx)), idx[0] if idx else 0)
    bylines = _byline_indices(lines)
    masthead = [s.strip() for s in lines[:start] if s.strip()]
    footer = [s.strip() for s in lines[bylines[-1] + 1:] if s.strip()] if bylines else []
    published = next((d for s in masthead if (d := parse_date(s))), None)
    articles = []
    begin = start
    for b in bylines:
        article = _article(lines[begin:b], lines[b])
        article.span = (begin, b + 1)
        articles.append(article)
        begin = b + 1
    removed = ([Removed("masthead", "\n".join(masthead))] if masthead else []) + (
        [Removed("footer", "\n".join(footer))] if footer else [])
    return Page(articles, published, removed)
