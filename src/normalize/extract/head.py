"""What a page says about its article outside the article's text, read from the tree before extraction
(:func:`read_head` -> :class:`~normalize.structure.draft.Head`): the headline (the page element its
``<title>`` contains), the kicker and subtitle beside it, metadata blocks (来源, 发布时间, 责任编辑 ...),
meta-tag dates, and a date in an element marked ``pub_date``/``time``. Pure functions over an lxml
tree; nothing here mutates it.
"""

from __future__ import annotations

import re

from lxml import etree

from normalize.chars import HAN, compare_key, squash
from normalize.extract.tree import XML_UNSAFE, text_of
from normalize.structure.draft import Head
from normalize.structure.furniture import classify_line
from normalize.structure.headline import COLUMN_LABEL, strip_title_suffix
from normalize.structure.shapes import is_prose
from normalize.structure.vocab import labelled_date, parse_date

_META_DATE_KEYS = (
    "article:published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "og:release_date",
    "dc.date",
    "dc.date.issued",
    "firstpublishedtime",
    "weibo:article:create_at",
)


def read_head(tree: etree._Element) -> Head:
    """What the page says about its article, read before the tree is changed: the headline element and
    its decks, the ``<title>``, headings, og:title, the meta date and the metadata blocks.

    Government portals follow the national guideline for government websites (政府网站发展指引,
    国办发〔2017〕47号), whose page meta tags name the article: ``ArticleTitle`` is the headline,
    ``PubDate`` the publish time, ``ContentSource`` the source and ``SiteName`` the site (never the
    headline); they are read first.

    >>> from normalize.extract.tree import parse_html
    >>> page = ('<html><head><title>通知公告 - 某某市人民政府</title><meta name="ArticleTitle" '
    ...         'content="关于开展集中参保工作的通告"><meta name="ContentSource" content="市医保局">'
    ...         '</head><body><div>某某市人民政府</div><h1>关于开展集中参保工作的通告</h1></body></html>')
    >>> head = read_head(parse_html(page))
    >>> head.title, head.source
    ('关于开展集中参保工作的通告', '市医保局')
    """
    titles = [t for t in (text_of(el) for el in tree.xpath("//title")) if t]
    headings = [t for t in (text_of(h) for h in tree.xpath("//h1|//h2|//h3")[:12]) if t]
    metas: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        metas.setdefault(key, meta.get("content", "").strip())
    meta_date = next((d for k in _META_DATE_KEYS if (d := parse_date(metas.get(k, "")))), None)
    page_title, title_el = page_headline_element(tree, titles, metas)
    kicker, subtitle = title_decks(title_el)
    h1 = [t for t in (text_of(h) for h in tree.xpath("//h1")[:2]) if t]
    return Head(
        title=page_title,
        title_tag=titles[0] if titles else None,
        meta_title=metas.get("og:title") or None,
        headings=headings,
        h1=h1[0] if len(h1) == 1 else None,
        kicker=kicker,
        subtitle=subtitle,
        meta_date=meta_date,
        source=metas.get("contentsource") or None,
        meta_lines=metadata_blocks(tree),
    )


def page_headline_element(
    tree: etree._Element, titles: list[str], metas: dict[str, str]
) -> tuple[str | None, etree._Element | None]:
    """The page's headline and its element (None when the page shows it nowhere), in this order:

    1. the guideline's ``ArticleTitle`` meta tag (its element, if shown, gives the decks);
    2. the page element the ``<title>`` (or og:title) holds as a whole piece (:func:`headline_in_page`);
    3. else the title-like block right above the article's dateline (:func:`headline_above_dateline`),
       when the ``<title>`` names no headline of its own (one piece only: the site's name) or names it
       in a shorter form, or when the block is marked as a headline;

    and then a heading that gives the headline found in full (:func:`fuller_heading`: a ``<title>``
    often carries the CMS's short title).
    """
    site = metas.get("og:site_name") or metas.get("sitename") or None
    article_title = squash(XML_UNSAFE.sub("", metas.get("articletitle", ""))) or None
    if article_title:  # the guideline's tag: the headline; its element (if shown) gives the decks
        found, title_el = headline_in_page(tree, [article_title], [], site)
        return article_title, (title_el if found == article_title else None)
    others = [s for s in (metas.get("og:title", ""), metas.get("og:description", "")[:80]) if s]
    title, title_el = headline_in_page(tree, titles, others, site)
    if title_el is None or not _trusted(title_el, title, titles):
        above, above_el = headline_above_dateline(tree)
        if above and above_el is not None and _names_no_other(titles, title, title_el, above, above_el):
            title, title_el = _without_column_label(above, titles), above_el
    short = title or (strip_title_suffix(titles[0]) if titles else None)
    if short:
        fuller, fuller_el = fuller_heading(tree, short)
        if fuller_el is not None:
            return fuller, fuller_el
    return title, title_el


def _without_column_label(text: str, titles: list[str]) -> str:
    """A headline without the column label printed before it (【记者即时播报】), unless the ``<title>``
    has the label too.

    >>> _without_column_label("【记者即时播报】满记甜品被查", ["满记甜品被查_新闻中心_解放网"])
    '满记甜品被查'
    """
    label = COLUMN_LABEL.match(text)
    if label is None or (titles and label.group(0).strip() in titles[0]):
        return text
    return text[label.end():].strip() or text


def _trusted(el: etree._Element, text: str | None, titles: list[str]) -> bool:
    """A headline element found from the ``<title>`` that needs no second opinion: it is marked as a
    headline, or the title starts with it (headline first, then column and site)."""
    return headline_marked(el) or bool(text and titles and squash(titles[0]).startswith(text))


def _names_no_other(titles: list[str], title: str | None, title_el: etree._Element | None,
                    above: str, el: etree._Element) -> bool:
    """The block above the dateline is the headline rather than what the ``<title>`` gave: the title
    is one piece only (a site's name: 经济参考网) or gave nothing; the block says the title's first
    piece, or what the title gave in other words (a short title); or the block is marked as a headline
    while the title's element is not (a column or keyword from the title's end)."""
    pieces = title_pieces(titles[0]) if titles else []
    if not title or len(pieces) <= 1:
        return True
    key = compare_key(above)
    if compare_key(pieces[0]) == key or is_subsequence(compare_key(title), key):
        return True
    return headline_marked(el) and (title_el is None or not headline_marked(title_el))


_LOWER = "translate(concat(@id, ' ', @class), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_DATE_MARKED = etree.XPath(
    f"//body//*[contains({_LOWER}, 'date') or contains({_LOWER}, 'time') or contains({_LOWER}, 'pub')]"
    "[string-length(normalize-space(.)) >= 8][string-length(normalize-space(.)) <= 60]"
)


def date_in_marked_element(tree: etree._Element) -> str | None:
    """The date in the first short element whose id or class names a date (``pub_date``, ``time``).

    >>> from normalize.extract.tree import parse_html
    >>> date_in_marked_element(parse_html('<body><span id="pub_date">2011年12月15日 20:59</span></body>'))
    '2011-12-15T20:59'
    """
    for el in _DATE_MARKED(tree):
        if found := parse_date(text_of(el)):
            return found
    return None


# text nodes that a title contains: the headline element is found by climbing from them (one pass over
# the page's text nodes in C, instead of the text of every element)
_TEXT_IN_TITLE = etree.XPath("//body//text()[normalize-space(.) != ''][contains($t, normalize-space(.))]")
_NOT_SHOWN = frozenset({"script", "style", "title", "option"})
HEADLINE_CHARS = (6, 80)


def headline_in_page(
    tree: etree._Element, titles: list[str], others: list[str], site_name: str | None
) -> tuple[str | None, etree._Element | None]:
    """The page element that a ``<title>`` (or og:title/description) holds as one of its pieces.

    A headline is repeated in the ``<title>`` with a site name before or after it, in any format
    ("X_中山网", "天津网-X", "中國評論新聞：X", "X 中国快讯 南方网"); finding the page element that the
    ``<title>`` contains avoids guessing the separator. An element counts only when it fills a whole
    piece of the title (separators or the title's ends on both sides: "中國廣播公司" is no piece of
    "中國廣播公司全球資訊網"); of several, a heading or an element marked as the headline wins, then the
    one the title starts with (headline first, site and column after it), then the longest. The site
    name itself is never the headline.

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html("<html><head><title>天津网-深圳回应工资单没违规</title></head>"
    ...                "<body><div>天津网</div><div>深圳回应工资单没违规</div><p>正文。</p></body></html>")
    >>> headline_in_page(t, ["天津网-深圳回应工资单没违规"], [], None)[0]
    '深圳回应工资单没违规'
    >>> t = parse_html("<html><head><title>柯达宣布重组--跨国公司频道-人民网</title></head><body>"
    ...                "<div class='logo'>跨国公司频道-人民网</div><h1>柯达宣布重组</h1></body></html>")
    >>> headline_in_page(t, ["柯达宣布重组--跨国公司频道-人民网"], [], None)[0]
    '柯达宣布重组'
    """
    best: tuple[tuple[bool, bool, int], str, str, etree._Element] | None = None
    titles = [squash(XML_UNSAFE.sub("", t)) for t in titles]
    for source in titles + others:
        needle = squash(XML_UNSAFE.sub("", source))  # XPath refuses control chars
        for el, text in _contained_elements(tree, needle):
            if text == site_name or not fills_piece(needle, text):
                continue
            rank = (headline_marked(el), source in titles and needle.startswith(text), len(text))
            if best is None or rank > best[0]:
                best = (rank, text, needle, el)
    if best is None:
        return None, None
    _, text, source, el = best
    rest = title_remainder(source, text)
    if source in titles and len(rest) > len(text) and not _SEPARATED.search(rest):
        return rest, None  # the element found was the site name; the rest of the <title> is the headline
    return text, el


_PIECE_EDGE = frozenset(" \u3000\u00a0_-|｜:：—–·•>»<«〉》〈《/\\,，、()（）[]【】「」『』!！?？~～")


def fills_piece(title: str, text: str) -> bool:
    """``text`` stands in ``title`` as a whole piece: at the title's ends or between separators.

    >>> fills_piece("中國廣播公司全球資訊網", "中國廣播公司"), fills_piece("X_要闻_正北方网", "要闻")
    (False, True)
    """
    at = title.find(text)
    while at >= 0:
        end = at + len(text)
        if (at == 0 or title[at - 1] in _PIECE_EDGE) and (end == len(title) or title[end] in _PIECE_EDGE):
            return True
        at = title.find(text, at + 1)
    return False


def title_pieces(title: str) -> list[str]:
    """The pieces of a ``<title>`` between its separators (_ | - – — and their full-width forms).

    >>> title_pieces("网友发帖倡议:今年春节不放鞭炮！_呼和浩特新闻_正北方网"), title_pieces("经济参考网")
    (['网友发帖倡议:今年春节不放鞭炮！', '呼和浩特新闻', '正北方网'], ['经济参考网'])
    """
    return [p for p in (s.strip(_TITLE_EDGE) for s in _TITLE_SEPARATOR.split(title)) if p]


# from a space run's start only, possessive: linear on 100k spaces (issue 10)
_TITLE_SEPARATOR = re.compile(
    r"(?<!\s)\s*+(?:[_|｜]|-{2,}|－+|——|[-–—](?<=\s.)(?=\s))\s*+|(?<=[^\s\d])-(?=[^\s\d])")
_HEADLINE_HINT = re.compile(r"title|headline|biaoti|\bbt\b|\btit|timu|heading", re.I)
_LARGE_FONT = re.compile(r"(?<!\d)(?:1[6-9]|2\d|3[0-6])(?!\d)")  # black18, font-song20: CMS size classes
_FONT_SIZE = re.compile(r"font-size\s*:\s*(\d+)\s*px", re.I)
_NOT_HEADLINE_HINT = re.compile(r"logo|sub|fubiaoti|futi|\bfbt\b|nav|crumb|addr|path|site", re.I)


def headline_marked(el: etree._Element) -> bool:
    """The element (or a wrapper holding only it, or its one child) is marked as a headline: a
    heading, a class/id naming a title (``ctitle``, ``story_title``, ``bt``), a size class of a large
    font (``black18``) or a style of one (16px or more); a logo, subtitle or breadcrumb never.

    >>> from lxml import html
    >>> headline_marked(html.fragment_fromstring("<td class='black18'>标题</td>"))
    True
    >>> headline_marked(html.fragment_fromstring("<h1 class='logo'>鉅亨網</h1>"))
    False
    """
    chain = [el]
    while len(chain[-1]) == 1 and isinstance(chain[-1][0].tag, str):
        chain.append(chain[-1][0])
    for e in chain:
        names = f"{e.get('class', '')} {e.get('id', '')}"
        if _NOT_HEADLINE_HINT.search(names):
            return False
        size = _FONT_SIZE.search(e.get("style", ""))
        if (e.tag in _HEADINGS or _HEADLINE_HINT.search(names) or _LARGE_FONT.search(names)
                or (size and int(size[1]) >= 16)):
            return True
    return False


def is_subsequence(short: str, long: str) -> bool:
    """Every character of ``short`` appears in ``long`` in order (a headline shortened by cutting words).

    >>> is_subsequence("内蒙古确保两节前", "内蒙古9部门：确保两节前"), is_subsequence("甲乙", "乙甲")
    (True, False)
    """
    chars = iter(long)
    return bool(short) and all(c in chars for c in short)


FULLER_SHARE = 0.6  # a short title keeps at least this share of the full headline's characters


def fuller_heading(tree: etree._Element, title: str) -> tuple[str | None, etree._Element | None]:
    """A heading (h1-h3, no links in it) that says ``title`` in full: it holds ``title``'s characters in
    order, and a little more (the ``<title>`` of a CMS carries the short title: 内蒙古确保两节前… for the
    heading 内蒙古9部门：确保两节前…; 【记者即时播报】途牛… for 途牛…).

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html("<body><h3>呼和浩特网友发帖倡议：春节不放鞭炮</h3><p>正文。</p></body>")
    >>> fuller_heading(t, "网友发帖倡议：春节不放鞭炮")[0]
    '呼和浩特网友发帖倡议：春节不放鞭炮'
    """
    key = compare_key(title)
    for h in _HEADLINES(tree):
        text = headline_text(h)
        full = compare_key(COLUMN_LABEL.sub("", text))  # 【记者即时播报】: the column, not the headline
        if (len(full) > len(key) >= FULLER_SHARE * len(full) and len(text) <= HEADLINE_CHARS[1]
                and is_subsequence(key, full) and not h.xpath(".//a") and not classify_line(text)
                and not _NOT_HEADLINE_HINT.search(f"{h.get('class', '')} {h.get('id', '')}")):
            return text, h
    return None, None


_HEADLINES = etree.XPath("(//body//h1|//body//h2|//body//h3)[position() <= 12]")
DATELINE_CHARS = 80
_DATE_START = re.compile(r"(?:19|20)\d{2}\s*[-/年.]")
_BODY_NODES = etree.XPath("//body//text()[normalize-space(.) != '']")


def headline_above_dateline(tree: etree._Element) -> tuple[str | None, etree._Element | None]:
    """The block right above the article's dateline, when it reads as a headline: portals print the
    headline, then a line with the date (and 来源, 作者, a time), then the text. The dateline is the first
    short block outside links holding a full date that is labelled, timed or alone; the block before it
    (the nearest text above) must be title-like, 6 to 80 characters, no link, no furniture, no date.

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html("<body><div>南湖区人民政府</div><div>南湖区召开防汛工作部署会</div>"
    ...                "<div>2023-06-01</div>"
    ...                "<p>5月31日，南湖区召开防汛工作部署会。</p></body>")
    >>> headline_above_dateline(t)[0]
    '南湖区召开防汛工作部署会'
    """
    nodes = _BODY_NODES(tree)
    for n, node in enumerate(nodes):
        if not _DATE_START.search(node) or len(node) > DATELINE_CHARS:
            continue
        block = _dateline_block(node)
        if block is None:
            continue
        head = _block_before(nodes, n, block)
        if head is not None:
            return headline_text(head), head
        return None, None  # the article's dateline has no headline above it: look no further
    return None, None


def _dateline_block(node: etree._ElementUnicodeResult) -> etree._Element | None:
    """The short block holding a text node with a date, when it is a dateline: not inside a link,
    at most 80 characters, its date labelled (发布时间：, 来源：), timed (08:28) or alone in it."""
    el = node.getparent()
    if el is None:
        return None
    if node.is_tail:
        el = el.getparent()
    if el is None or el.xpath("ancestor-or-self::a"):
        return None
    while ((parent := el.getparent()) is not None and parent.tag != "body"
           and _TEXT_LEN(parent) <= DATELINE_CHARS and _one_line(parent)):
        el = parent
    text = text_of(el)
    date = parse_date(text)
    if date is None or len(text) > DATELINE_CHARS:
        return None
    alone = len(_DATE_ONLY.sub("", text)) <= 2
    return el if "T" in date or labelled_date(text) or alone else None


_INLINE = frozenset({"span", "b", "i", "em", "strong", "font", "a", "label", "small", "img", "br", "u"})


def _one_line(el: etree._Element) -> bool:
    """The element is one line of the page: its children are inline (spans, bold, links), or it
    only wraps one element."""
    children = [c for c in el if isinstance(c.tag, str)]
    return len(children) <= 1 or all(c.tag in _INLINE for c in children)


_DATE_ONLY = re.compile(r"[\d\s年月日/.:：\-【】\[\]()（）]+")


def _block_before(nodes: list[etree._ElementUnicodeResult], n: int, block: etree._Element
                  ) -> etree._Element | None:
    """The block of the nearest text above ``block`` (skipping text inside it), if it reads as a
    headline."""
    inside = set(block.iter())
    for node in reversed(nodes[:n]):
        el = node.getparent()
        if el is not None and node.is_tail:
            el = el.getparent()
        if el is None or el in inside:
            continue
        if el.tag in _NOT_SHOWN or el.xpath("ancestor-or-self::a"):
            return None
        while ((parent := el.getparent()) is not None and parent.tag != "body" and parent not in inside
               and block not in parent.iter() and _TEXT_LEN(parent) <= HEADLINE_CHARS[1]):
            el = parent
        return el if reads_as_headline(headline_text(el)) and not el.xpath(".//a") else None
    return None


def reads_as_headline(text: str) -> bool:
    """6 to 80 characters with Han text, no full stop (a headline may end in ！ or ？), not prose, not a
    furniture line, no date.

    >>> reads_as_headline("2019年中国人文地理学术年会在重庆•西南大学成功举行！")
    True
    >>> reads_as_headline("发布时间：2019-05-18")
    False
    """
    return (HEADLINE_CHARS[0] <= len(text) <= HEADLINE_CHARS[1] and HAN.search(text) is not None
            and "。" not in text and not text.endswith(("，", ",", "、", "；", ";", "：", ":"))
            and not is_prose(text) and not classify_line(text) and parse_date(text) is None)


_DECORATION = "》>»›•·◎▶►■□◆◇●○★☆※→ \u3000"


def headline_text(el: etree._Element) -> str:
    """The text of a headline element without the decoration mark a template prints before it
    (``》母嬰親善醫療院所認證``: the mark is no part of the headline that the ``<title>`` gives).

    >>> from lxml import html
    >>> headline_text(html.fragment_fromstring("<div class='till'>》母嬰親善醫療院所認證</div>"))
    '母嬰親善醫療院所認證'
    """
    return text_of(el).lstrip(_DECORATION)


def _contained_elements(tree: etree._Element, needle: str) -> list[tuple[etree._Element, str]]:
    """The largest elements (6 to 80 characters) whose text ``needle`` contains, in page order."""
    out: list[tuple[etree._Element, str]] = []
    seen: set[etree._Element] = set()
    for node in _TEXT_IN_TITLE(tree, t=needle):
        el = node.getparent()
        if el is not None and node.is_tail:
            el = el.getparent()
        if el is None or el.tag in _NOT_SHOWN:
            continue
        text = squash("".join(el.itertext()))
        if text not in needle:
            continue
        while (parent := el.getparent()) is not None and parent.tag != "body":
            wider = squash("".join(parent.itertext()))
            if len(wider) > HEADLINE_CHARS[1] or wider not in needle:
                break
            el, text = parent, wider
        if el not in seen and HEADLINE_CHARS[0] <= len(text) <= HEADLINE_CHARS[1]:
            seen.add(el)
            out.append((el, text))
    return out


_KICKER_HINT = re.compile(r"yinti|\byt\b|kicker|pretitle|introtitle|shoulder", re.I)
_SUBTITLE_HINT = re.compile(r"fubiaoti|futi|subtitle|sub-title|subhead|\bfbt\b", re.I)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
DECK_MAX_CHARS = 60


def title_decks(title_el: etree._Element | None) -> tuple[str | None, str | None]:
    """Kicker (引题) and subtitle (副题): the headline element's neighbours, when they look like decks.

    A neighbour counts when it is short, is not a metadata or furniture line, and is a heading, carries
    a class/id such as ``yinti``/``kicker`` (``subtitle``/``fubiaoti``), or starts/ends with a dash.

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html('<body><div class="yinti">稳就业保民生</div><h1>全市新增就业2.3万人</h1>'
    ...                '<h2>——上半年就业形势综述</h2><p>正文。</p></body>')
    >>> title_decks(t.find(".//h1"))
    ('稳就业保民生', '——上半年就业形势综述')
    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html('<body><table><tr><td class="title"><h1>朱是西调研复工复产</h1></td></tr>'
    ...                '<tr><td class="subtitle"><h2>主动沟通对接 及时解决难题</h2></td></tr></table></body>')
    >>> title_decks(t.find(".//td"))
    (None, '主动沟通对接 及时解决难题')
    """
    if title_el is None:
        return None, None
    text = text_of(title_el)
    while (parent := title_el.getparent()) is not None and parent.tag != "body" and text_of(parent) == text:
        title_el = parent  # <tr><td class="title"><h1>…</h1></td></tr>: the decks are the wrapper's siblings
    kicker = _deck(_neighbour(title_el, before=True), _KICKER_HINT, ("——", "：", "—"))
    subtitle = _deck(_neighbour(title_el, before=False), _SUBTITLE_HINT, ())
    return kicker, subtitle


def _neighbour(el: etree._Element, *, before: bool) -> etree._Element | None:
    sib = el.getprevious() if before else el.getnext()
    while sib is not None and (not isinstance(sib.tag, str) or not text_of(sib)):
        sib = sib.getprevious() if before else sib.getnext()
    return sib


def _deck(el: etree._Element | None, hint: re.Pattern[str], endings: tuple[str, ...]) -> str | None:
    if el is None:
        return None
    text = text_of(el)
    if not text or not 4 <= len(text) <= DECK_MAX_CHARS or classify_line(text) or parse_date(text):
        return None
    # the element and its single-child wrappers down to the text: <tr><td><h2>副题</h2></td></tr>
    chain = [el]
    while len(chain[-1]) == 1 and text_of(chain[-1][0]) == text:
        chain.append(chain[-1][0])
    names = " ".join(f"{e.get('class', '')} {e.get('id', '')}" for e in chain)
    if (
        any(e.tag in _HEADINGS for e in chain)
        or hint.search(names)
        or text.startswith(("——", "--", "—"))
        or (endings and text.endswith(endings))
    ):
        return text
    return None


_SEPARATED = re.compile(r"[|｜_,，-]|\s[–—]\s")
_TITLE_EDGE = " \u3000_-|｜:：—–·•>»"


def title_remainder(title: str, part: str) -> str:
    """What a ``<title>`` says besides ``part`` (when ``part`` is the site name, the headline).

    >>> title_remainder("uho優活健康網-吃什麼提升免疫力？對抗感冒病毒！", "uho優活健康網")
    '吃什麼提升免疫力？對抗感冒病毒！'
    >>> title_remainder("市政府召开常务会议_某某网", "市政府召开常务会议")
    '某某网'
    """
    head, _, tail = title.partition(part)
    pieces = [p.strip(_TITLE_EDGE) for p in (head, tail)]
    return max(pieces, key=len)


_META_LABELS = ("来源", "來源", "发布", "發佈", "發布", "时间", "時間", "日期", "编辑", "編輯", "作者")
_BODY_TEXT = etree.XPath("//body//text()")
_META_LABEL = re.compile("|".join(_META_LABELS))  # one regex search per text node: faster than 11 contains()
MAX_META_BLOCKS = 12
META_BLOCK_CHARS = 160


def metadata_blocks(tree: etree._Element) -> list[str]:
    """Short blocks of the page that carry a metadata label (来源, 发布时间, 责任编辑 ...).

    trafilatura drops many of these lines before we see its output, so they are read from the tree:
    the largest short element holding a label.

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html("<body><div><span>发布时间：2020-02-12</span> <span>来源：市政府</span></div>"
    ...                "<p>" + "正文" * 100 + "</p></body>")
    >>> metadata_blocks(t)
    ['发布时间：2020-02-12 来源：市政府']
    >>> metadata_blocks(parse_html("<body><div><span>来源：</span><span>作者：王晓</span></div></body>"))
    ['来源： 作者：王晓']
    """
    blocks: list[str] = []
    seen: set[etree._Element] = set()
    for node in _BODY_TEXT(tree):
        if len(node) >= META_BLOCK_CHARS or not _META_LABEL.search(node):
            continue
        owner = node.getparent()
        el = owner.getparent() if node.is_tail and owner is not None else owner
        block = _largest_short_ancestor(el) if el is not None else None
        if block is None:  # a label inside a long block: the text node alone is the line
            blocks.append(squash(str(node)))
        elif block not in seen:
            seen.add(block)
            blocks.append(_spaced_text(block))
        if len(blocks) >= MAX_META_BLOCKS:
            break
    return blocks


def _spaced_text(el: etree._Element) -> str:
    """Text of an element with its text nodes kept apart by a space, so that
    ``<span>来源：</span><span>作者：王晓</span>`` does not read as one value.

    >>> from normalize.extract.tree import parse_html
    >>> div = parse_html("<body><div><span>来源：</span><span>作者：王晓</span></div></body>").find(".//div")
    >>> _spaced_text(div)
    '来源： 作者：王晓'
    """
    return " ".join(part for t in el.itertext() if (part := squash(t)))


def _largest_short_ancestor(el: etree._Element) -> etree._Element | None:
    """``el`` or its highest ancestor whose text stays under META_BLOCK_CHARS (None if ``el`` is long)."""
    if el.tag in ("script", "style", "a") or _TEXT_LEN(el) >= META_BLOCK_CHARS:
        return None
    parent = el.getparent()
    while parent is not None and parent.tag != "body" and _TEXT_LEN(parent) < META_BLOCK_CHARS:
        el, parent = parent, parent.getparent()
    return el


_TEXT_LEN = etree.XPath("string-length(normalize-space(.))")  # in C: no Python string of a big subtree
