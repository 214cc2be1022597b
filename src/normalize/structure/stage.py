"""The structure stage: one article draft -> body, removed blocks with their kinds, metadata
(:func:`structure_article`; the steps are listed in :mod:`normalize.structure`)."""


from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from normalize.record import Removed, Repair
from normalize.structure.body import select_body
from normalize.structure.draft import Draft, Line, Meta
from normalize.structure.furniture import classify, split_trailing_widgets, starts_copyright, text_line_kind
from normalize.structure.meta import LABELLED_KINDS, read_metadata
from normalize.structure.shapes import is_sentence

__all__ = ["Article", "structure_article"]

Join = Callable[[list[str]], tuple[list[str], list[Repair]]]
TOP_LINES = 40  # removed lines above the body that may hold the headline


@dataclass
class Article:
    """One structured article: body lines, metadata, removed blocks (page order), flags, line repairs."""

    lines: list[str]
    meta: Meta
    removed: list[Removed] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)


def structure_article(draft: Draft, join: Join | None = None) -> Article:
    """Body, furniture and metadata of one draft (see the module docstring).

    >>> from normalize.structure.draft import plain_lines
    >>> a = structure_article(Draft(plain_lines(["区委召开会议", "", "会议研究了复工复产工作。", "",
    ...                                          "责任编辑：律凯凯", "豫公网安备 4117号"])))
    >>> a.meta.title, a.meta.editor, a.lines, [r.kind for r in a.removed]
    ('区委召开会议', '律凯凯', ['会议研究了复工复产工作。'], ['title', 'editor-line', 'icp'])
    """
    texts, widgets = _texts(draft.lines)
    lines = _classified_lines(draft.lines, texts, widgets)
    kinds = draft.kinds if draft.kinds is not None and not widgets else classify(lines, draft.head.title)
    body = select_body(texts, kinds)
    kept, repairs = join(body.lines) if join is not None else (body.lines, [])
    if repairs and not any(line.hinted for line in lines):
        kept, late = furniture_after_join(kept, body.lines)
        body.removed += late
    first = _first_sentence(texts, kinds)
    labelled = [(i, t.strip()) for i, (t, k) in enumerate(zip(texts, kinds, strict=True))
                if k in LABELLED_KINDS]
    read = read_metadata(kept, [t for i, t in labelled if i < first], draft.head, epaper=draft.epaper,
                         top=_top(texts, kinds), later=[t for i, t in labelled if i > first])
    if draft.epaper:
        removed = draft.removed[:1] + body.removed + widgets + read.removed + draft.removed[1:]
    else:
        found = draft.removed + body.removed + widgets + read.removed
        removed = page_order([line.text for line in draft.lines], found)
    flags = (["epaper-article"] if draft.epaper else []) + draft.flags + read.flags
    return Article(read.body, read.meta, removed, flags, repairs)


def furniture_after_join(kept: list[str], before: list[str]) -> tuple[list[str], list[Removed]]:
    """Text capture: a line the join made (a broken line joined to the one before) is classified like
    every line of the capture, so that what cleaning keeps, cleaned again, stays: a clause that ended
    in "…" joined with a stray "、" reads as a copyright clause, and a second clean would remove it.

    >>> clause = "1.凡本网注明版权声明：…"
    >>> furniture_after_join(["正文。", clause + "、"], ["正文。", clause, "、"])
    (['正文。'], [Removed(kind='copyright', text='1.凡本网注明版权声明：…、')])
    """
    made = set(before)
    kinds = [None if line in made or not line.strip() else joined_kind(line) for line in kept]
    if not any(kinds):
        return kept, []
    body = select_body(kept, kinds)
    return body.lines, body.removed


def joined_kind(line: str) -> str | None:
    """The kind the text-capture classifier gives one line on its own."""
    return text_line_kind(line) or ("copyright" if starts_copyright(line) else None)


def _texts(lines: list[Line]) -> tuple[list[str], list[Removed]]:
    """The lines' texts; on a text capture a print widget trailing a dateline is split off first."""
    texts = [line.text for line in lines]
    if any(line.hinted for line in lines):
        return texts, []
    return split_trailing_widgets(texts)


def _classified_lines(lines: list[Line], texts: list[str], widgets: list[Removed]) -> list[Line]:
    """The lines the classifier reads: the draft's texts (a trailing widget split off) with all their
    hints, ``free_han`` included (a line mostly inside links but with more than a few Han characters of
    its own is not a link line, here as in extract/page.py); a draft's line is used as it is where its
    text is unchanged (no copy per line)."""
    if not widgets:
        return lines
    return [d if t == d.text else replace(d, text=t) for t, d in zip(texts, lines, strict=True)]


def _first_sentence(texts: list[str], kinds: list[str | None]) -> int:
    """Index of the article's first sentence (its end when it has none)."""
    return next((i for i, (t, k) in enumerate(zip(texts, kinds, strict=True))
                 if k is None and is_sentence(t)), len(texts))


def _top(texts: list[str], kinds: list[str | None]) -> list[str]:
    """The removed lines above the first kept one (a headline may be among them)."""
    first = next((i for i, k in enumerate(kinds) if k is None and texts[i].strip()), len(texts))
    return [s.strip() for s in texts[max(0, first - TOP_LINES):first] if s.strip()]


def page_order(lines: list[str], removed: list[Removed]) -> list[Removed]:
    """Removed blocks sorted by where their first line stood in the draft."""
    where: dict[str, int] = {}
    for i, s in enumerate(lines):
        where.setdefault(s.strip(), i)

    def pos(r: Removed) -> int:
        first = r.text.split("\n", 1)[0]
        return where.get(first, next((i for i, s in enumerate(lines) if first and first in s), len(lines)))

    return sorted(removed, key=pos)
