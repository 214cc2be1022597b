"""Structure and metadata of one article in plain text (issue 2, part 7).

:func:`extract_metadata` reads the lines of one article (boilerplate already removed, character
repairs already applied) and returns its :class:`Meta`, the body lines, and every line it took out of
the body as ``Removed(kind, text)`` with kind ``"title"``, ``"kicker"``, ``"subtitle"``, ``"dateline"``
or ``"summary-duplicate"`` — so the original layout can be reconstructed.

Headline. Portals print the headline above the body (title, then subtitle lines) or, when the capture
was taken from a page with the headline in a side column, *after* the body (seed 002). A stacked
headline follows the newspaper convention 引题 / 主题 / 副题:

- above the body: the first title-like line (datelines may precede it) is the **title**; the
  title-like lines between it and the first paragraph are the **subtitle** (several lines joined
  with ``"\\n"``; seed 000's pair "主动沟通对接 及时解决难题" / "为企业复工复产创造良好条件");
- after the body, and only together with its dateline (来源/发布日期 line): one line is the **title**;
  with two lines the first is the **kicker** (引题) and the second the **title** (主题), with three the
  third is a **subtitle**. If the head already gave a title, such trailing lines are removed as kind
  ``"headline"`` and the fields keep the head's values. Seed 002: kicker
  "刘南昌到卢氏检查疫情防控和企业复工复产工作强调" (it ends in 强调 and introduces the slogan-like
  main title), title "毫不放松 统筹推进 抓实抓细各项工作".

A headline is taken only when a paragraph follows it (or precedes it, for the trailing form), so a
text that is only short lines is left as it is, and cleaning clean output changes nothing.

Date (``published``): a dateline (``2020年02月12日08:28 来源:…``, ``发布日期:2020-02-14``) gives an ISO date
or ``YYYY-MM-DDTHH:MM``. Without one, the first ``M月D日`` of the lead gives a partial date
``--MM-DD`` (ISO 8601 without year; the page gives no year) and the flag ``published-from-lead``.

A line of one to three bare names (2–4 Han characters each) right after the body is a byline: its
names are authors (kind ``"byline"``), not a headline.

Bylines: ``驻马店网讯(记者 滑清泉/文 谭啸/图)`` gives source 驻马店网, authors [滑清泉], photographers
[谭啸]; ``本报讯(记者柴锦玉)`` gives authors [柴锦玉] (本报/本台/本网 is not a source). The lead keeps its
byline text: it is part of the article as printed.

A 摘要 line whose text (without the trailing "..." and punctuation) is found in the body is a
``summary-duplicate`` and leaves the text; a 摘要 that says something else stays as the first paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from normalize.chars import HAN_CHARS
from normalize.record import Removed
from normalize.structure import vocab
from normalize.structure.boilerplate import ELLIPSIS_END, NAMES_LINE, is_paragraph, is_title_like
from normalize.structure.meta import Meta
from normalize.structure.vocab import COLON

# Dates, role words, name shapes and the 来源 label are vocab's, shared with the HTML path;
# what is only the text path's: a dateline hint, the label that ends a source, 摘要, the lead byline.
DATE = vocab.DATE
MONTH_DAY = vocab.MONTH_DAY
SOURCE = vocab.SOURCE
LABEL = re.compile(r"^(?:发布|發佈|發布|日期|时间|時間|作者|编辑|編輯|浏览|瀏覽|点击|點擊)|" + COLON)
DATELINE_HINT = re.compile(
    vocab.SOURCE_LABEL + r"\s*" + COLON + r"|(?:发布|發佈|發布)(?:日期|时间|時間)\s*" + COLON
    + r"|^\s*(?:19|20)\d{2}\s*[年\-/.]"
)
SUMMARY = re.compile(r"^\s*(?:摘要|内容摘要|导读)\s*" + COLON + r"\s*(?P<text>.*)$")
LEAD_BYLINE = re.compile(
    r"^\s*(?:(?P<src>[" + HAN_CHARS + r"]{2,12}?)(?:讯|訊|消息|电|電))?\s*[(（](?P<by>" + vocab.REPORTER_ROLE
    + r"[^)）]{1,40})[)）]"
)
NOT_A_SOURCE = {"本报", "本報", "本台", "本网", "本網", "本刊", "本站"}
ROLE_WORDS = re.compile(vocab.REPORTER_ROLE)
PHOTO_MARK = re.compile(r"[/／]?" + vocab.PHOTO_ROLE + "$")
TEXT_MARK = re.compile(r"[/／]?" + vocab.TEXT_ROLE + "$")
PUNCT_OR_SPACE = re.compile(r"[\s\W_]+")


@dataclass
class Extracted:
    meta: Meta
    body: list[str]
    removed: list[Removed] = field(default_factory=list)


def parse_date(text: str) -> str | None:
    """The first full date in ``text`` as ISO (with the time when one is given):
    :func:`~normalize.structure.vocab.parse_date`, the one date reader of both paths.

    >>> parse_date("2020年02月12日08:28 来源:宿迁市广播电视总台"), parse_date("发布日期:2020-02-14")
    ('2020-02-12T08:28', '2020-02-14')
    >>> parse_date("2月13日") is None
    True
    """
    return vocab.parse_date(text)


def partial_date(text: str) -> str | None:
    """``M月D日`` as an ISO date without year (:func:`~normalize.structure.vocab.partial_date`).

    >>> partial_date("2月20日上午,市委副书记"), partial_date("11月4日至6日")
    ('--02-20', '--11-04')
    """
    return vocab.partial_date(text)


def is_dateline(line: str) -> bool:
    """A short line that carries a date and/or a source rather than text.

    >>> is_dateline("2020年02月12日08:28 来源:宿迁市广播电视总台"), is_dateline("2月10日下午,会议召开。")
    (True, False)
    >>> is_dateline("来源:")  # an empty label says nothing
    False
    """
    s = line.strip()
    if len(s) > 80 or "。" in s or DATELINE_HINT.search(s) is None:
        return False
    return parse_date(s) is not None or _source_value(vocab.read_source(s))


def parse_dateline(line: str, meta: Meta) -> None:
    meta.published = meta.published or parse_date(line)
    source = vocab.read_source(line)
    if _source_value(source) and not meta.source:
        meta.source = source


def _source_value(value: str | None) -> bool:
    """A real source name: not empty, not the next label, not just marks."""
    return bool(value) and not LABEL.search(value or "") and re.search(r"\w", value or "") is not None


def parse_byline(byline: str) -> tuple[list[str], list[str]]:
    """Names of a byline: (authors, photographers).

    The text path reads the inside of a lead byline's brackets, where every token is a role word or a
    name, so a token is a name by its shape alone (:func:`vocab.is_name`); the HTML path scans
    free text and needs context (:func:`~normalize.structure.bylines.read_bylines`). Role words, photo/text
    marks and the names that are not names are :mod:`~normalize.structure.vocab`'s for both.

    >>> parse_byline("记者 滑清泉/文 谭啸/图")
    (['滑清泉'], ['谭啸'])
    >>> parse_byline("记者柴锦玉")
    (['柴锦玉'], [])
    >>> parse_byline("本报记者 张三 李四 通讯员 王五 摄")
    (['张三', '李四', '王五'], [])
    """
    authors: list[str] = []
    photographers: list[str] = []
    for part in re.split(r"[\s、，,]+", ROLE_WORDS.sub(" ", byline)):
        name, target = part, authors
        if PHOTO_MARK.search(part) and len(part) > 2:
            name, target = PHOTO_MARK.sub("", part), photographers
        elif TEXT_MARK.search(part) and len(part) > 2:
            name = TEXT_MARK.sub("", part)
        if vocab.is_name(name) and name not in authors + photographers:
            target.append(name)
    return authors, photographers


def _lead_byline(body: list[str], meta: Meta) -> None:
    lead = next((s for s in body if s.strip()), "")
    m = LEAD_BYLINE.match(lead)
    if m:
        authors, photographers = parse_byline(m["by"])
        meta.authors += [a for a in authors if a not in meta.authors]
        meta.photographers += [p for p in photographers if p not in meta.photographers]
        if m["src"] and m["src"] not in NOT_A_SOURCE and not meta.source:
            meta.source = m["src"]
    if not meta.published and (date := partial_date(lead[:60])):
        meta.published = date
        meta.flags.append("published-from-lead")


def _body_bylines(body: list[str], meta: Meta) -> None:
    """The bylines the HTML path reads inside a body (:func:`~normalize.structure.bylines.read_bylines`: a
    Xinhua dateline's （记者X、Y）, 文/X, a closing （X）, a photo credit X 摄) — one reader for both
    paths; only the lead's source (驻马店网讯) and its bracket are read by the text path itself."""
    from normalize.structure import (
        bylines as extract_meta,  # on first use: its byline patterns take ~30 ms to compile
    )

    lines = [s.strip() for s in body if s.strip()]
    found = Meta()
    extract_meta.read_bylines(lines, found)
    meta.photographers += [p for p in found.photographers if p not in meta.photographers]
    meta.authors += [a for a in found.authors if a not in meta.authors and a not in meta.photographers]


def _squash(text: str) -> str:
    return PUNCT_OR_SPACE.sub("", text)


def _is_summary_duplicate(summary: str, body: list[str]) -> bool:
    core = _squash(ELLIPSIS_END.sub("", summary))
    return len(core) >= 8 and core in _squash("".join(body))


def _head(lines: list[str], meta: Meta, removed: list[Removed], *, titles: bool = True) -> list[str]:
    """Title, dateline, 摘要 and subtitle lines above the first paragraph (``titles=False``: only
    datelines and repeated summaries, the headline being known).

    Only a run of such lines from the top is taken: from the first line that is none of them on,
    everything stays (so removing lines never brings two body lines together).
    """
    first_par = next((i for i, s in enumerate(lines) if is_paragraph(s) and not is_dateline(s)
                      and not SUMMARY.match(s)), None)
    if first_par is None:
        return lines
    subtitle: list[str] = []
    for n, line in enumerate(lines[:first_par]):
        s = line.strip()
        if not s:
            continue
        if is_dateline(s):
            parse_dateline(s, meta)
            removed.append(Removed("dateline", s))
        elif (m := SUMMARY.match(s)) and _is_summary_duplicate(m["text"], lines[first_par:]):
            removed.append(Removed("summary-duplicate", s))
        elif titles and is_title_like(s) and meta.title is None:  # datelines may come first
            meta.title = s
            removed.append(Removed("title", s))
        elif titles and is_title_like(s):
            subtitle.append(s)
            removed.append(Removed("subtitle", s))
        else:
            first_par = n
            break
    if subtitle:
        meta.subtitle = "\n".join(subtitle)
    return lines[first_par:]


HEADLINE_KINDS = {1: ("title",), 2: ("kicker", "title"), 3: ("kicker", "title", "subtitle")}


def _tail(lines: list[str], meta: Meta, removed: list[Removed]) -> list[str]:
    """Datelines, a byline and a stacked headline after the last paragraph (seed 002).

    Nothing is taken unless every non-blank line after the last paragraph is one of these, and a
    headline only together with a dateline. When the head already gave a title, a trailing headline is
    removed as kind ``"headline"`` without touching the fields.
    """
    last_par = max((i for i, s in enumerate(lines) if is_paragraph(s) and not is_dateline(s)), default=None)
    if last_par is None:
        return lines
    tail = [s.strip() for s in lines[last_par + 1:] if s.strip()]
    headline = [s for s in tail if not is_dateline(s) and not (NAMES_LINE.match(s) and s == tail[0])]
    datelines = [s for s in tail if is_dateline(s)]
    if not tail or len(headline) > 3 or not all(is_title_like(s) for s in headline):
        return lines
    if headline and not datelines:
        return lines  # short lines after the body without a dateline could be anything: keep them
    kinds = HEADLINE_KINDS.get(len(headline), ()) if meta.title is None else ("headline",) * len(headline)
    names = dict(zip(headline, kinds, strict=True))
    for s in tail:
        if s in datelines:
            parse_dateline(s, meta)
            removed.append(Removed("dateline", s))
        elif s in names:
            if names[s] != "headline":
                setattr(meta, names[s], s)
            removed.append(Removed(names[s], s))
        else:  # a byline closing the body: 方韋
            meta.authors += [n for n in s.split() if n not in meta.authors]
            removed.append(Removed("byline", s))
    return lines[:last_par + 1]


def drop_repeated_title(lines: list[str], title: str) -> tuple[list[str], list[Removed]]:
    """Remove a first line that only repeats the title (punctuation and spacing aside).

    >>> drop_repeated_title(["复工复产 有序推进", "正文。"], "复工复产，有序推进")
    (['正文。'], [Removed(kind='title', text='复工复产 有序推进')])
    >>> drop_repeated_title(["一、加强领导", "正文。"], "复工复产")
    (['一、加强领导', '正文。'], [])
    """
    first = next((i for i, s in enumerate(lines) if s.strip()), None)
    if first is None or _squash(lines[first]) != _squash(title) or not _squash(title):
        return lines, []
    return lines[:first] + lines[first + 1:], [Removed("title", lines[first].strip())]


def extract_metadata(lines: list[str], *, headline: bool = True) -> Extracted:
    """Headline, dateline, summary and byline of one article's lines. ``headline=False`` when the
    headline is known (HTML extractor, e-paper split): leading datelines and a repeated 摘要 still go.

    >>> e = extract_metadata(["标题在这里", "2020年02月12日08:28 来源：宿迁台", "本报讯（记者柴锦玉）正文。"])
    >>> e.meta.title, e.meta.published, e.meta.source, e.meta.authors, e.body
    ('标题在这里', '2020-02-12T08:28', '宿迁台', ['柴锦玉'], ['本报讯（记者柴锦玉）正文。'])
    """
    meta = Meta()
    removed: list[Removed] = []
    body = list(lines)
    body = _head(body, meta, removed, titles=headline)
    if headline:
        body = _tail(body, meta, removed)
    _lead_byline(body, meta)
    _body_bylines(body, meta)
    return Extracted(meta, body, removed)
