"""The one metadata reader: an article's body lines, its labelled lines and its page head -> :class:`Meta`.

:func:`read_metadata` reads, for both inputs, in this order of trust:

- **labelled lines**: the article's metadata and editor lines (the furniture kinds ``metadata-line`` and
  ``editor-line``) and the page's metadata blocks (``Head.meta_lines``): date, source, editor, 作者
  (:func:`~normalize.structure.bylines.read_meta_lines`);
- **headline**: the one the page names (:func:`~normalize.structure.headline.page_headline`), else the
  title-like lines above the body or a stacked headline after it (a text capture, seed 002); an e-paper
  article's headline is the one its page gave it;
- **datelines** above or below the body, a 摘要 repeating the body, a first line repeating the title
  (:mod:`normalize.structure.headline`);
- **bylines**: the lead's bracketed byline and source (``驻马店网讯（记者 滑清泉/文 谭啸/图）``), reporters,
  authors and photographers named in the body, an e-paper article's byline line (its names are the
  photographers of a photo caption);
- **date**, first found: a labelled line, a dateline, the page's meta date, the page's other dates
  (a marked element, the URL, htmldate: flag ``date-from-htmldate``), and last the lead's ``M月D日``
  as a date without year (``--02-20``, flag ``published-from-lead``).

Every line it takes out of the body is returned as a :class:`~normalize.record.Removed` with its kind
(``title``, ``kicker``, ``subtitle``, ``headline``, ``dateline``, ``summary-duplicate``, ``byline``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from normalize.chars import squash
from normalize.record import Removed
from normalize.structure import vocab
from normalize.structure.bylines import read_bylines, read_lead_byline, read_meta_lines
from normalize.structure.draft import Head, Meta
from normalize.structure.furniture import EDITOR, classify_line
from normalize.structure.headline import (
    drop_decks,
    drop_repeated_title,
    page_decks,
    page_headline,
    read_head,
    read_tail,
)

LABELLED_KINDS = frozenset({"metadata-line", "editor-line"})
LEAD_DATE_CHARS = 60  # a month-day this far into the lead dates the article
TITLE_CANDIDATE_LINES = 3


@dataclass
class Read:
    """What the reader found: the metadata, the body without the lines it took, those lines, flags."""

    meta: Meta
    body: list[str]
    removed: list[Removed] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def read_metadata(body: list[str], labelled: list[str], head: Head, *, epaper: bool = False,
                  top: list[str] | None = None, later: list[str] | None = None) -> Read:
    """The metadata of one article (see the module docstring).

    ``body``: the body lines (blank lines may stand between paragraphs); ``labelled``: the article's
    metadata and editor lines above its first sentence, in page order, and ``later`` those below it (a
    list of other articles' datelines may stand there: their dates come last); ``head``: what the page
    says outside the text (empty for a text capture); ``epaper``: one article of a page holding several
    (its headline is ``head.title``); ``top``: the article's first lines before furniture went
    (headline candidates).

    >>> lines = ["标题在这里", "2020年02月12日08:28 来源：宿迁台", "本报讯（记者柴锦玉）正文。"]
    >>> r = read_metadata(lines, [], Head())
    >>> r.meta.title, r.meta.published, r.meta.source, r.meta.authors, r.body
    ('标题在这里', '2020-02-12T08:28', '宿迁台', ['柴锦玉'], ['本报讯（记者柴锦玉）正文。'])
    >>> r = read_metadata(["正文。"], ["发布时间：2020-02-12 来源：市政府", "责任编辑：李华"],
    ...                   Head(title_tag="市政府召开会议_某某网"))
    >>> r.meta.title, r.meta.published, r.meta.source, r.meta.editor
    ('市政府召开会议', '2020-02-12', '市政府', '李华')
    """
    later = later or []
    meta = _labelled(labelled + head.meta_lines + later, labelled + later)
    meta.published = read_meta_lines(labelled).published  # the article's own date lines first
    removed: list[Removed] = []
    flags: list[str] = []
    body = _headline(body, meta, removed, head, epaper, top or [])
    lead = next((s.strip() for s in body if s.strip()), "")
    read_lead_byline(lead, meta)
    _body_bylines([s.strip() for s in body if s.strip()], meta)
    if epaper:
        flags += _epaper_names(meta, head, body)
    flags += _date(meta, head, lead, later)
    meta.source = meta.source or head.source
    removed += _labelled_not_in_text(head.meta_lines, body, labelled + later)
    return Read(meta, body, removed, flags)


def _labelled(lines: list[str], own: list[str]) -> Meta:
    """Date, source, editor and authors of the labelled lines; the editor of an editor line first."""
    meta = read_meta_lines(lines)
    names = (vocab.read_editor(m.group(0)) or m.group("name").strip()
             for s in own if (m := EDITOR.match(s.strip())))
    meta.editor = next(names, None) or meta.editor
    return meta


def _headline(body: list[str], meta: Meta, removed: list[Removed], head: Head, epaper: bool,
              top: list[str]) -> list[str]:
    """Headline and decks, from the page or from the lines; datelines and repeated lines go."""
    if epaper:
        meta.title, meta.kicker, meta.subtitle = head.title, head.kicker, head.subtitle
        return read_head(body, meta, removed, titles=False)
    title = page_headline(head, top + body[:TITLE_CANDIDATE_LINES])
    if title is None:  # a text capture, or a page naming no headline: the lines tell
        body = read_head(body, meta, removed)
        return read_tail(body, meta, removed)
    meta.title = title
    meta.kicker, meta.subtitle = page_decks(head, title)
    body, repeated = drop_repeated_title(body, title)
    body = read_head(body, meta, removed, titles=False)
    body, again = drop_repeated_title(body, title)
    body, decks = drop_decks(body, meta)
    removed[:0] = repeated + again + decks
    return body


def _body_bylines(lines: list[str], meta: Meta) -> None:
    """Names read in the body (:func:`~normalize.structure.bylines.read_bylines`) join those found so
    far; a name credited with 摄 is a photographer, not also an author."""
    found = Meta()
    read_bylines(lines, found)
    meta.photographers += [p for p in found.photographers if p not in meta.photographers]
    meta.authors += [a for a in found.authors if a not in meta.authors and a not in meta.photographers]


def _epaper_names(meta: Meta, head: Head, body: list[str]) -> list[str]:
    """An e-paper article's byline names are its authors; a headline-less single paragraph is a photo
    caption, and its byline names its photographers."""
    names = head.byline
    if meta.title is None and sum(1 for s in body if s.strip()) == 1:
        meta.photographers = names + [p for p in meta.photographers if p not in names]
        meta.authors = [a for a in meta.authors if a not in names]
        return ["photo-caption"]
    meta.authors = names + [a for a in meta.authors if a not in names]
    return []


def _date(meta: Meta, head: Head, lead: str, later: list[str]) -> list[str]:
    """The date when the article's own lines gave none: the page's meta tag, a labelled date in the
    page's metadata blocks, a dated line below the body, the page's other dates, then the lead's
    month-day; the flag saying so."""
    if meta.published:
        return []
    meta.published = (
        head.meta_date
        or next((d for s in head.meta_lines if (d := vocab.labelled_date(s))), None)
        or read_meta_lines(later).published
    )
    for flag, finder in head.dates:
        if meta.published:
            break
        meta.published = finder()
        if meta.published and flag:
            return [flag]
    if not meta.published and (partial := vocab.partial_date(lead[:LEAD_DATE_CHARS])):
        meta.published = partial
        return ["published-from-lead"]
    return [] if meta.published else ["no-date"]


def _labelled_not_in_text(lines: list[str], body: list[str], labelled: list[str]) -> list[Removed]:
    """The page's metadata blocks that were not lines of the article (trafilatura dropped them), as
    removed metadata lines, so that a record shows where its date, source and editor came from.

    >>> _labelled_not_in_text(["来源：市政府 发布时间：2020-02-12"], ["正文。"], [])
    [Removed(kind='metadata-line', text='来源：市政府 发布时间：2020-02-12')]
    """
    if not lines:
        return []
    seen = {squash(s) for s in body + labelled}
    out = []
    for line in lines:
        kind = classify_line(line)
        if squash(line) not in seen and kind in LABELLED_KINDS:
            seen.add(squash(line))
            out.append(Removed(kind, line))
    return out
