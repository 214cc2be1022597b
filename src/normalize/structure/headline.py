"""The lines around an article's body: its headline and decks, datelines and a repeated summary.

**From the page** (:func:`page_headline`): the headline is the page element the ``<title>`` contains
(:class:`~normalize.structure.draft.Head` ``title``, found by :mod:`normalize.extract.head`), else a
heading or top line that the ``<title>`` starts with, else the ``<title>`` without its site name
(:func:`strip_title_suffix`); the kicker (引题) and subtitle (副题) stand beside it.

**From the lines** (a text capture, or a page that names no headline; :func:`read_head`,
:func:`read_tail`). Portals print the headline above the body (title, then subtitle lines) or, when the
capture was taken from a page with the headline in a side column, *after* the body (seed 002). A
stacked headline follows the newspaper convention 引题 / 主题 / 副题:

- above the body: the first title-like line (datelines may precede it) is the **title**; the
  title-like lines between it and the first paragraph are the **subtitle** (several lines joined
  with ``"\\n"``; seed 000's pair "主动沟通对接 及时解决难题" / "为企业复工复产创造良好条件");
- after the body, and only together with its dateline (来源/发布日期 line): one line is the **title**;
  with two lines the first is the **kicker** (引题) and the second the **title** (主题), with three the
  third is a **subtitle**. If the head already gave a title, such trailing lines are removed as kind
  ``"headline"`` and the fields keep the head's values (seed 002: kicker
  "刘南昌到卢氏检查疫情防控和企业复工复产工作强调", title "毫不放松 统筹推进 抓实抓细各项工作").

A headline is taken only when a paragraph follows it (or precedes it, for the trailing form), so a
text that is only short lines is left as it is, and cleaning clean output changes nothing. A line of one
to three bare names (2–4 Han characters each) right after the body is a byline (kind ``"byline"``).

A dateline (``2020年02月12日08:28 来源:…``, ``发布日期:2020-02-14``) above or below the body gives the
date and source (kind ``"dateline"``); a 摘要 line whose text is found in the body is a
``summary-duplicate``; a first line that only repeats the headline is removed (kind ``"title"``).
"""

from __future__ import annotations

import re

from normalize.chars import compare_key, squash
from normalize.record import Removed
from normalize.structure import vocab
from normalize.structure.draft import Head, Meta
from normalize.structure.shapes import ELLIPSIS_END, NAMES_LINE, is_paragraph, is_title_like
from normalize.structure.vocab import COLON

LABEL = re.compile(r"^(?:发布|發佈|發布|日期|时间|時間|作者|编辑|編輯|浏览|瀏覽|点击|點擊)|" + COLON)
DATELINE_HINT = re.compile(
    vocab.SOURCE_LABEL + r"\s*" + COLON + r"|(?:发布|發佈|發布)(?:日期|时间|時間)\s*" + COLON
    + r"|^\s*(?:19|20)\d{2}\s*[年\-/.]"
)
SUMMARY = re.compile(r"^\s*(?:摘要|内容摘要|导读)\s*" + COLON + r"\s*(?P<text>.*)$")
DATELINE_MAX_CHARS = 80
PROSE_CLAUSE = re.compile(r"[，,][^：:，,]{8,}")  # a clause after a comma without a label: a sentence
HEADLINE_KINDS = {1: ("title",), 2: ("kicker", "title"), 3: ("kicker", "title", "subtitle")}
COLUMN_LABEL = re.compile(r"^\s*+[【\[][^】\]]{1,12}[】\]]")  # 【记者即时播报】 before a headline: the column
# " - " and the like: a dash with a space on both sides; from a space run's start only (linear)
_TITLE_SEPARATORS = re.compile(r"(?<!\s)\s*+(?:_|\||｜|--|——|－－|[-－–—](?<=\s.)(?=\s))\s*+")


# --- datelines -------------------------------------------------------------------------------------

def is_dateline(line: str) -> bool:
    """A short line that carries a date and/or a source rather than text.

    >>> is_dateline("2020年02月12日08:28 来源:宿迁市广播电视总台"), is_dateline("2月10日下午,会议召开。")
    (True, False)
    >>> is_dateline("来源:")  # an empty label says nothing
    False
    >>> is_dateline("2025年度医保缴费期为2024年9月1日至12月31日，参保人可通过以下步骤缴费：")  # a lead
    False
    """
    s = line.strip()
    if (len(s) > DATELINE_MAX_CHARS or "。" in s or DATELINE_HINT.search(s) is None
            or PROSE_CLAUSE.search(s) is not None):
        return False
    return vocab.parse_date(s) is not None or _source_value(vocab.read_source(s))


def parse_dateline(line: str, meta: Meta) -> None:
    """Date and source of a dateline, where the meta has none yet."""
    meta.published = meta.published or vocab.publish_date(line)
    source = vocab.read_source(line)
    if _source_value(source) and not meta.source:
        meta.source = source


def _source_value(value: str | None) -> bool:
    """A real source name: not empty, not the next label, not just marks."""
    return bool(value) and not LABEL.search(value or "") and re.search(r"\w", value or "") is not None


def _is_summary_duplicate(summary: str, body: list[str]) -> bool:
    """The summary's words stand in the body (read line by line: a summary repeats the lead, so the
    search stops early; it looks again each time the body read doubles, so a long body costs linear
    time).

    >>> _is_summary_duplicate("全市复工复产有序推进...", ["全市复工复产", "有序推进。", "其他。"])
    True
    """
    core = compare_key(ELLIPSIS_END.sub("", summary))
    if len(core) < 8:
        return False
    keys: list[str] = []
    read, look_at = 0, 4 * len(core)
    for line in body:
        keys.append(compare_key(line))
        read += len(keys[-1])
        if read >= look_at:
            if core in "".join(keys):
                return True
            look_at = 2 * read
    return core in "".join(keys)


# --- the lines above and below the body ------------------------------------------------------------

def read_head(lines: list[str], meta: Meta, removed: list[Removed], *, titles: bool = True) -> list[str]:
    """Title, dateline, 摘要 and subtitle lines above the first paragraph (``titles=False``: only
    datelines and repeated summaries, the headline being known).

    Only a run of such lines from the top is taken: from the first line that is none of them on,
    everything stays (so removing lines never brings two body lines together).

    >>> meta, removed = Meta(), []
    >>> read_head(["标题在这里", "2020年02月12日08:28 来源：宿迁台", "正文第一段。"], meta, removed)
    ['正文第一段。']
    >>> meta.title, meta.published, meta.source, [r.kind for r in removed]
    ('标题在这里', '2020-02-12T08:28', '宿迁台', ['title', 'dateline'])
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


def read_tail(lines: list[str], meta: Meta, removed: list[Removed]) -> list[str]:
    """Datelines, a byline and a stacked headline after the last paragraph (seed 002).

    Nothing is taken unless every non-blank line after the last paragraph is one of these, and a
    headline only together with a dateline. When the head already gave a title, a trailing headline is
    removed as kind ``"headline"`` without touching the fields.
    """
    last_par = next((i for i in range(len(lines) - 1, -1, -1)
                     if is_paragraph(lines[i]) and not is_dateline(lines[i])), None)
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


def drop_repeated_title(lines: list[str], title: str, kind: str = "title") -> tuple[list[str], list[Removed]]:
    """Remove first lines that only repeat the title (punctuation, spacing and a column label such as
    【记者即时播报】 aside).

    >>> lines = ["复工复产 有序推进", "复工复产，有序推进", "正文。"]
    >>> body, removed = drop_repeated_title(lines, "复工复产，有序推进")
    >>> body, [r.text for r in removed]
    (['正文。'], ['复工复产 有序推进', '复工复产，有序推进'])
    >>> drop_repeated_title(["【记者即时播报】复工复产", "正文。"], "复工复产")[0]
    ['正文。']
    >>> drop_repeated_title(["一、加强领导", "正文。"], "复工复产")
    (['一、加强领导', '正文。'], [])
    """
    removed: list[Removed] = []
    key = compare_key(title)
    while key:
        first = next((i for i, s in enumerate(lines) if s.strip()), None)
        if first is None or compare_key(COLUMN_LABEL.sub("", lines[first])) not in (key, compare_key(
                COLUMN_LABEL.sub("", title))):
            break
        removed.append(Removed(kind, lines[first].strip()))
        lines = lines[:first] + lines[first + 1:]
    return lines, removed


def drop_decks(lines: list[str], meta: Meta) -> tuple[list[str], list[Removed]]:
    """Remove first lines that repeat the kicker or the subtitle the page gave (kinds ``kicker``,
    ``subtitle``).

    >>> drop_decks(["——江北县抓春耕促生产见闻", "正文。"], Meta(subtitle="——江北县抓春耕促生产见闻"))
    (['正文。'], [Removed(kind='subtitle', text='——江北县抓春耕促生产见闻')])
    """
    removed: list[Removed] = []
    for kind in ("kicker", "subtitle"):
        deck = getattr(meta, kind)
        if deck:
            lines, found = drop_repeated_title(lines, deck, kind)
            removed += found
    return lines, removed


# --- the headline the page names -------------------------------------------------------------------

def strip_title_suffix(title: str) -> str:
    """The headline part of a ``<title>``: the site name after ``_``, ``|``, `` - `` goes.

    >>> strip_title_suffix("我市召开春耕生产工作会议_中山网")
    '我市召开春耕生产工作会议'
    >>> strip_title_suffix("韩国女主播是非不断 - 新浪新闻")
    '韩国女主播是非不断'
    >>> strip_title_suffix("要闻 | 市政府常务会议研究部署春耕工作 | 某某市人民政府")
    '市政府常务会议研究部署春耕工作'
    """
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title.strip()) if p.strip()]
    if not parts:
        return title.strip()
    return max(parts, key=len) if len(parts[0]) < 6 else parts[0]


def page_headline(head: Head, candidates: list[str]) -> str | None:
    """The headline the page names: the element its ``<title>`` contains, else a candidate line (a
    heading, a line at the top of the article) that the ``<title>`` starts with, else the ``<title>``
    minus its site name, else og:title, else the first heading.

    >>> head = Head(title_tag="市政府召开常务会议_某某市人民政府")
    >>> page_headline(head, ["某某市人民政府", "市政府召开常务会议"])
    '市政府召开常务会议'
    >>> page_headline(Head(), []) is None
    True
    """
    if head.title:
        return squash(head.title)
    base = strip_title_suffix(head.title_tag) if head.title_tag else None
    candidates = head.headings + candidates
    if base:
        for cand in candidates:
            if 4 <= len(cand) <= 80 and (cand == base or (len(cand) >= 6 and base.startswith(cand))):
                return cand
        for cand in candidates:
            if 6 <= len(base) <= len(cand) <= len(base) + 40 and cand.startswith(base):
                return cand
        if head.h1 and 6 <= len(head.h1) <= 80 and head.h1 not in (head.title_tag or ""):
            return head.h1  # a <title> naming only the column and the site: the page's one <h1>
        return base
    if head.meta_title:
        return strip_title_suffix(head.meta_title)
    return next((h for h in head.headings if 4 <= len(h) <= 80), None)


def page_decks(head: Head, title: str | None) -> tuple[str | None, str | None]:
    """Kicker (引题) and subtitle (副题): beside the headline element, else the headings around the
    title — the one before it ending in ——/：, the one after it starting with ——.

    >>> head = Head(headings=["春耕时节", "我市百万亩良田开犁", "——记某某镇农技站"])
    >>> page_decks(head, "我市百万亩良田开犁")
    (None, '——记某某镇农技站')
    """
    if title and head.title and title == squash(head.title) and (head.kicker or head.subtitle):
        return head.kicker, head.subtitle
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

