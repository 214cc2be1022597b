"""What a page says about its article outside the article's text, read from the tree before extraction
(:func:`read_head` -> :class:`~normalize.structure.draft.Head`): the headline (the page element its
``<title>`` contains), the kicker and subtitle beside it, metadata blocks (来源, 发布时间, 责任编辑 ...),
meta-tag dates, and a date in an element marked ``pub_date``/``time``. Pure functions over an lxml
tree; nothing here mutates it.
"""

from __future__ import annotations

import re

from lxml import etree

from normalize.chars import squash
from normalize.extract.tree import XML_UNSAFE, text_of
from normalize.structure.draft import Head
from normalize.structure.furniture import classify_line
from normalize.structure.vocab import parse_date

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
    site = metas.get("og:site_name") or metas.get("sitename") or None
    article_title = squash(XML_UNSAFE.sub("", metas.get("articletitle", ""))) or None
    page_title: str | None = article_title
    if article_title:  # the guideline's tag: the headline; its element (if shown) gives the decks
        found, title_el = headline_in_page(tree, [article_title], [], site)
        title_el = title_el if found == article_title else None
    else:
        others = [s for s in (metas.get("og:title", ""), metas.get("og:description", "")[:80]) if s]
        page_title, title_el = headline_in_page(tree, titles, others, site)
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
    """The longest element text of the page that a ``<title>`` (or og:title/description) contains.

    A headline is repeated in the ``<title>`` with a site name before or after it, in any format
    ("X_中山网", "天津网-X", "中國評論新聞：X", "X 中国快讯 南方网"); finding the page element that the
    ``<title>`` contains avoids guessing the separator. The site name itself is never the headline.

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html("<html><head><title>天津网-深圳回应工资单没违规</title></head>"
    ...                "<body><div>天津网</div><div>深圳回应工资单没违规</div><p>正文。</p></body></html>")
    >>> headline_in_page(t, ["天津网-深圳回应工资单没违规"], [], None)[0]
    '深圳回应工资单没违规'
    """
    best, best_source, best_el = "", "", None
    titles = [squash(XML_UNSAFE.sub("", t)) for t in titles]
    for source in titles + others:
        needle = squash(XML_UNSAFE.sub("", source))  # XPath refuses control chars
        for el, text in _contained_elements(tree, needle):
            if len(text) > len(best) and text != site_name:
                best, best_source, best_el = text, needle, el
    if not best:
        return None, None
    rest = title_remainder(best_source, best)
    if best_source in titles and len(rest) > len(best) and not _SEPARATED.search(rest):
        return rest, None  # the element found was the site name; the rest of the <title> is the headline
    return best, best_el


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
