"""Main-content extraction for Chinese news and government pages: trafilatura plus what portals need.

``extract_html(html, url=None) -> Extraction`` takes *decoded* text (decode bytes with
:func:`normalize.decode.decode` first: given bytes, trafilatura guesses and ignores the declared charset).

1. The page is parsed once with lxml; scripts/styles go and tables used as page layout (nested tables,
   cells holding paragraphs of prose) become plain blocks so that the article inside is not read as a
   data table.
2. trafilatura extracts the main text from that tree (its own fallbacks off: they return the whole page
   on many portals; we do better with step 3).
3. :mod:`normalize.extract_furniture` removes the portal furniture trafilatura keeps and keeps the
   densest run of prose lines; what it drops is kept in ``Extraction.removed`` with its kind.
4. When that leaves little or nothing, a fallback takes the block holding most paragraph text
   (``method="fallback"``).
5. :mod:`normalize.extract_meta` reads title, kicker, subtitle, publish time, source, bylines, editor.

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
from lxml import html as lxml_html

from normalize.errors import ExtractionError
from normalize.extract_furniture import Selection, cjk_count, classify_line, drop_furniture, select_body
from normalize.extract_meta import normalize_date, read_bylines, read_meta_lines, strip_title_suffix
from normalize.record import Removed

__all__ = ["Extraction", "ExtractionError", "extract_html"]

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TAG = re.compile(r"<[a-zA-Z!/][^>]{0,200}>")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg")
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
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)")
MIN_BODY_CJK = 40  # fewer CJK characters than this in the main pass: try the fallback
FALLBACK_MIN_CJK = 10  # the fallback's block needs at least this much CJK text outside links
LAYOUT_CELL_CHARS = 120  # a table cell with this much text is page layout, not data
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


@dataclass
class _Head:
    """What the page says about itself before extraction mutates the tree."""

    title_tag: str | None
    headings: list[str]
    meta_title: str | None
    meta_date: str | None
    meta_lines: list[str] = field(default_factory=list)
    page_title: str | None = None  # the longest page element that a <title>/og:title contains
    links: frozenset[str] = frozenset()  # texts of the page's links (teasers), 8+ characters
    decks: tuple[str | None, str | None] = (None, None)  # kicker, subtitle beside the headline element


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
    lines, method = main_lines(tree)
    selection = select_body(lines, head.links)
    if cjk_count("".join(selection.lines)) < MIN_BODY_CJK:
        selection, method = fallback_or(selection, tree, method, head.links)
    if not selection.lines:
        raise ExtractionError(
            "no-main-content",
            "no article text found on the page (only navigation/furniture); the raw capture is kept — "
            "check that this URL is an article page and not an index or a script-rendered shell",
        )
    extraction = build_extraction(selection, head, method, url, tree)
    if extraction.published is None:
        extraction.published = htmldate_fallback(tree)
        if extraction.published is not None:
            extraction.flags.remove("no-date")
            extraction.flags.append("date-from-htmldate")
    if reversed_mojibake:
        extraction.flags.append("page-mojibake-reversed")
    return extraction


_LATIN_RUN = re.compile(r"[\u00a1-\u00ff]")


def undo_page_mojibake(html: str) -> tuple[str, bool]:
    """A whole page of GB bytes that was decoded as Latin-1/cp1252 upstream, read back as GB18030.

    Only a page that is mostly Latin-1 letters and has no CJK at all is touched, and only when every
    character maps back to a byte and the bytes are valid GB18030; otherwise the text is returned as is.

    >>> undo_page_mojibake("<p>" + "政府工作报告".encode("gbk").decode("cp1252") + "</p>")
    ('<p>政府工作报告</p>', True)
    >>> undo_page_mojibake("<p>Café déjà vu</p>")
    ('<p>Café déjà vu</p>', False)
    """
    latin = len(_LATIN_RUN.findall(html[:20000]))
    if latin < 4 or cjk_count(html[:20000]) > 0:
        return html, False
    text = html
    for _ in range(3):  # a page can have been mis-decoded twice (GB -> Latin -> UTF-8 -> Latin)
        readings = [
            r for codec in ("cp1252", "iso8859-15") for target in ("utf-8", "gb18030")
            if (r := _reread(text, codec, target)) is not None
        ]
        if not readings:
            return html, False
        text = max(readings, key=_gb_plausibility)
        if cjk_count(text[:20000]) >= latin // 8:
            return text, True
    return html, False


def _gb_plausibility(text: str) -> tuple[int, int]:
    """More common-set (GB2312) CJK first, then fewer Latin-1 letters."""
    sample = text[:20000]
    common = cjk_count(sample) - sample.encode("gb2312", errors="replace").count(b"?")
    return common, -len(_LATIN_RUN.findall(sample))


def _reread(text: str, codec: str, target: str) -> str | None:
    """``text`` encoded back with a Latin codec and decoded as ``target``; None when either fails."""
    try:
        raw = bytes(_byte_of(ch) for ch in text) if codec == "cp1252" else text.encode(codec)
        return raw.decode(target)
    except (ValueError, UnicodeError):
        return None


def _byte_of(ch: str) -> int:
    """The byte a Latin-1/cp1252 decoder turned into ``ch`` (ValueError when there is none)."""
    code = ord(ch)
    if code < 256:
        return code
    encoded = ch.encode("cp1252", errors="strict") if code < 0x2200 else b""
    if len(encoded) != 1:
        raise ValueError(ch)
    return encoded[0]


def parse_html(html: str) -> etree._Element:
    """Parse decoded HTML once; reject what is not HTML with a clear reason.

    >>> parse_html("   ")
    Traceback (most recent call last):
    ...
    normalize.errors.ExtractionError: empty document: nothing to extract (the capture has no content)
    >>> parse_html("plain text, no tags at all")
    Traceback (most recent call last):
    ...
    normalize.errors.ExtractionError: input is not HTML (no tags found); pass it to clean() with kind="text"
    """
    if not html or not html.strip():
        raise ExtractionError(
            "empty-document", "empty document: nothing to extract (the capture has no content)"
        )
    if not _TAG.search(html[:20000]):
        raise ExtractionError(
            "not-html", 'input is not HTML (no tags found); pass it to clean() with kind="text"'
        )
    try:
        tree = lxml_html.document_fromstring(_XML_DECL.sub("", html, count=1))
    except (etree.ParserError, ValueError) as err:
        msg = f"lxml could not parse the page ({err}); is it really HTML?"
        raise ExtractionError("not-html", msg) from err
    if tree is None:
        raise ExtractionError("empty-document", "the HTML parses to an empty tree")
    adopt_stray_roots(tree)
    return tree


def adopt_stray_roots(tree: etree._Element) -> None:
    """Move content that follows a premature ``</html>`` back under the document's ``<body>``.

    libxml2 keeps it as top-level siblings of the root, where neither ``iter()`` nor trafilatura
    looks (a CMS template that closes the page twice loses its whole article otherwise).

    >>> t = parse_html("<html><body><p>页眉</p></body></html><!--x--><html><body><p>正文</p></body></html>")
    >>> [p.text for p in t.iter("p")]
    ['页眉', '正文']
    """
    body = tree.find("body")
    if body is None:
        return
    sibling = tree.getnext()
    while sibling is not None:
        following = sibling.getnext()
        if isinstance(sibling.tag, str):
            inner = sibling.find("body")
            source = inner if inner is not None else sibling
            for child in list(source):
                body.append(child)
        sibling = following


def squash(text: str) -> str:
    r"""Runs of ASCII whitespace as one space, ends trimmed; U+3000 inside Chinese text is kept.

    >>> squash("  2007\u3000年末\n  国债 ")
    '2007\u3000年末 国债'
    """
    return _ASCII_SPACE.sub(" ", text).strip(" \u3000\u00a0")


def _text(el: etree._Element) -> str:
    return squash("".join(el.itertext()))


def read_head(tree: etree._Element) -> _Head:
    """Title tag, headings, meta title and meta date, read before the tree is changed."""
    titles = [t for t in (_text(el) for el in tree.xpath("//title")) if t]
    headings = [t for t in (_text(h) for h in tree.xpath("//h1|//h2|//h3")[:12]) if t]
    metas: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        metas.setdefault(key, meta.get("content", "").strip())
    meta_date = next((d for k in _META_DATE_KEYS if (d := normalize_date(metas.get(k, "")))), None)
    others = [s for s in (metas.get("og:title", ""), metas.get("og:description", "")[:80]) if s]
    page_title, title_el = headline_in_page(tree, titles, others, metas.get("og:site_name"))
    return _Head(
        titles[0] if titles else None,
        headings,
        metas.get("og:title") or None,
        meta_date,
        metadata_blocks(tree),
        page_title,
        link_texts(tree),
        title_decks(title_el),
    )


_LOWER = "translate(concat(@id, ' ', @class), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_DATE_MARKED = etree.XPath(
    f"//body//*[contains({_LOWER}, 'date') or contains({_LOWER}, 'time') or contains({_LOWER}, 'pub')]"
    "[string-length(normalize-space(.)) >= 8][string-length(normalize-space(.)) <= 60]"
)


def date_in_marked_element(tree: etree._Element) -> str | None:
    """The date in the first short element whose id or class names a date (``pub_date``, ``time``).

    >>> date_in_marked_element(parse_html('<body><span id="pub_date">2011年12月15日 20:59</span></body>'))
    '2011-12-15T20:59'
    """
    for el in _DATE_MARKED(tree):
        if found := normalize_date(_text(el)):
            return found
    return None


_LINK_TEXTS = etree.XPath("//body//a[string-length(normalize-space(.)) >= 8]")


def link_texts(tree: etree._Element) -> frozenset[str]:
    """Whitespace-trimmed texts of the page's links of 8 characters or more.

    >>> sorted(link_texts(parse_html("<body><a href='/1'>东城区新增三处口袋公园</a><a>首页</a></body>")))
    ['东城区新增三处口袋公园']
    """
    return frozenset(squash("".join(a.itertext())) for a in _LINK_TEXTS(tree))


_CONTAINED_IN = etree.XPath(
    "//body//*[not(self::script or self::style or self::title or self::option)]"
    "[string-length(normalize-space(.)) >= 6][string-length(normalize-space(.)) <= 80]"
    "[contains($t, normalize-space(.))]"
)
_ASCII_SPACE = re.compile(r"[ \t\n\r]+")


def headline_in_page(
    tree: etree._Element, titles: list[str], others: list[str], site_name: str | None
) -> tuple[str | None, etree._Element | None]:
    """The longest element text of the page that a ``<title>`` (or og:title/description) contains.

    A headline is repeated in the ``<title>`` with a site name before or after it, in any format
    ("X_中山网", "天津网-X", "中國評論新聞：X", "X 中国快讯 南方网"); finding the page element that the
    ``<title>`` contains avoids guessing the separator. The site name itself is never the headline.

    >>> t = parse_html("<html><head><title>天津网-深圳回应工资单没违规</title></head>"
    ...                "<body><div>天津网</div><div>深圳回应工资单没违规</div><p>正文。</p></body></html>")
    >>> headline_in_page(t, ["天津网-深圳回应工资单没违规"], [], None)[0]
    '深圳回应工资单没违规'
    """
    best, best_source, best_el = "", "", None
    titles = [_ASCII_SPACE.sub(" ", _XML_UNSAFE.sub("", t)).strip() for t in titles]
    for source in titles + others:
        needle = _ASCII_SPACE.sub(" ", _XML_UNSAFE.sub("", source)).strip()  # XPath refuses control chars
        for el in _CONTAINED_IN(tree, t=needle):
            text = _ASCII_SPACE.sub(" ", "".join(el.itertext())).strip()
            if len(text) > len(best) and text != site_name:
                best, best_source, best_el = text, needle, el
    if not best:
        return None, None
    rest = title_remainder(best_source, best)
    if best_source in titles and len(rest) > len(best) and not _SEPARATED.search(rest):
        return rest, None  # the element found was the site name; the rest of the <title> is the headline
    return best, best_el


_KICKER_HINT = re.compile(r"yinti|\byt\b|kicker|pretitle|introtitle|shoulder", re.I)
_SUBTITLE_HINT = re.compile(r"fubiaoti|futi|subtitle|sub-title|subhead|\bfbt\b", re.I)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
DECK_MAX_CHARS = 60


def title_decks(title_el: etree._Element | None) -> tuple[str | None, str | None]:
    """Kicker (引题) and subtitle (副题): the headline element's neighbours, when they look like decks.

    A neighbour counts when it is short, is not a metadata or furniture line, and is a heading, carries
    a class/id such as ``yinti``/``kicker`` (``subtitle``/``fubiaoti``), or starts/ends with a dash.

    >>> t = parse_html('<body><div class="yinti">稳就业保民生</div><h1>全市新增就业2.3万人</h1>'
    ...                '<h2>——上半年就业形势综述</h2><p>正文。</p></body>')
    >>> title_decks(t.find(".//h1"))
    ('稳就业保民生', '——上半年就业形势综述')
    >>> t = parse_html('<body><table><tr><td class="title"><h1>朱是西调研复工复产</h1></td></tr>'
    ...                '<tr><td class="subtitle"><h2>主动沟通对接 及时解决难题</h2></td></tr></table></body>')
    >>> title_decks(t.find(".//td"))
    (None, '主动沟通对接 及时解决难题')
    """
    if title_el is None:
        return None, None
    text = _text(title_el)
    while (parent := title_el.getparent()) is not None and parent.tag != "body" and _text(parent) == text:
        title_el = parent  # <tr><td class="title"><h1>…</h1></td></tr>: the decks are the wrapper's siblings
    kicker = _deck(_neighbour(title_el, before=True), _KICKER_HINT, ("——", "：", "—"))
    subtitle = _deck(_neighbour(title_el, before=False), _SUBTITLE_HINT, ())
    return kicker, subtitle


def _neighbour(el: etree._Element, *, before: bool) -> etree._Element | None:
    sib = el.getprevious() if before else el.getnext()
    while sib is not None and (not isinstance(sib.tag, str) or not _text(sib)):
        sib = sib.getprevious() if before else sib.getnext()
    return sib


def _deck(el: etree._Element | None, hint: re.Pattern[str], endings: tuple[str, ...]) -> str | None:
    if el is None:
        return None
    text = _text(el)
    if not text or not 4 <= len(text) <= DECK_MAX_CHARS or classify_line(text) or normalize_date(text):
        return None
    # the element and its single-child wrappers down to the text: <tr><td><h2>副题</h2></td></tr>
    chain = [el]
    while len(chain[-1]) == 1 and _text(chain[-1][0]) == text:
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
_META_TEXT = etree.XPath(
    "//body//text()[" + " or ".join(f"contains(., '{label}')" for label in _META_LABELS) + "]"
)
MAX_META_BLOCKS = 12
META_BLOCK_CHARS = 160


def metadata_blocks(tree: etree._Element) -> list[str]:
    """Short blocks of the page that carry a metadata label (来源, 发布时间, 责任编辑 ...).

    trafilatura drops many of these lines before we see its output, so they are read from the tree:
    the largest short element holding a label (one XPath pass in C, no per-node Python regex).

    >>> t = parse_html("<body><div><span>发布时间：2020-02-12</span> <span>来源：市政府</span></div>"
    ...                "<p>" + "正文" * 100 + "</p></body>")
    >>> metadata_blocks(t)
    ['发布时间：2020-02-12 来源：市政府']
    >>> metadata_blocks(parse_html("<body><div><span>来源：</span><span>作者：王晓</span></div></body>"))
    ['来源： 作者：王晓']
    """
    blocks: list[str] = []
    seen: set[etree._Element] = set()
    for node in _META_TEXT(tree):
        if len(node) >= META_BLOCK_CHARS:
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

    >>> div = parse_html("<body><div><span>来源：</span><span>作者：王晓</span></div></body>").find(".//div")
    >>> _spaced_text(div)
    '来源： 作者：王晓'
    """
    return " ".join(part for t in el.itertext() if (part := squash(t)))


def _largest_short_ancestor(el: etree._Element) -> etree._Element | None:
    """``el`` or its highest ancestor whose text stays under META_BLOCK_CHARS (None if ``el`` is long)."""
    if el.tag in ("script", "style", "a") or len(_text(el)) >= META_BLOCK_CHARS:
        return None
    parent = el.getparent()
    while parent is not None and parent.tag != "body" and len(_text(parent)) < META_BLOCK_CHARS:
        el, parent = parent, parent.getparent()
    return el


def prepare_tree(tree: etree._Element) -> None:
    """Drop non-content elements and turn layout tables into plain blocks (in place)."""
    etree.strip_elements(tree, *_DROP_TAGS, etree.Comment, with_tail=False)
    for table in tree.xpath("//table"):
        if not is_layout_table(table) and is_data_grid(table):
            render_data_table(table)
    for table in tree.xpath("//table"):  # document order: an outer layout table first, with all inside it
        if table.tag == "table" and is_layout_table(table):
            unwrap_table(table)
    wrap_loose_text(tree)


_LOOSE_TEXT = etree.XPath(
    "//body//*[p]"
    "[string-length(normalize-space(text()[1])) >= 20]"
)


def wrap_loose_text(tree: etree._Element) -> None:
    """Wrap a paragraph written straight into a block, before its ``<p>`` children, in its own ``<p>``.

    trafilatura drops such leading text ("<div>第一段。<p>第二段。</p></div>" loses the first
    paragraph, often the lead of the article).

    >>> t = parse_html("<body><div>" + "第一段，" * 6 + "<p>第二段。</p></div></body>")
    >>> wrap_loose_text(t)
    >>> [p.text[:4] for p in t.iter("p")]
    ['第一段，', '第二段。']
    """
    for block in _LOOSE_TEXT(tree):
        if block.text and block.text.strip():
            para = etree.Element("p")
            para.text, block.text = block.text, None
            block.insert(0, para)


def is_layout_table(table: etree._Element) -> bool:
    """A table used for page layout: it nests tables or a cell holds a paragraph of prose.

    >>> t = lxml_html.fragment_fromstring("<table><tr><th>区县</th><td>人口</td></tr></table>")
    >>> is_layout_table(t)
    False
    >>> t = lxml_html.fragment_fromstring(
    ...     "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>")
    >>> is_layout_table(t)
    True
    """
    if table.find(".//table") is not None:
        return True
    for cell in table.iter("td"):
        text = "".join(cell.itertext())
        if len(text) >= LAYOUT_CELL_CHARS or cell.find(".//p") is not None or cell.find(".//br") is not None:
            return True
    return False


_OWN_ROWS = etree.XPath("./tr|./*/tr")
TABLE_CELL_SEPARATOR = " | "
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # lxml refuses them as text


def unwrap_table(table: etree._Element) -> None:
    """Rename a layout table's rows and cells, and those of the tables inside it, to ``div`` so that
    extraction reads them as blocks (data grids inside were already rendered as rows)."""
    for el in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
        el.tag = "div"


def is_data_grid(table: etree._Element) -> bool:
    """A table of figures: 2+ rows, a row of 2+ cells, and its text mostly outside links.

    Other small tables (a headline in a one-cell table, a row of links) are left to trafilatura.

    >>> is_data_grid(lxml_html.fragment_fromstring(
    ...     "<table><tr><th>区县</th><th>增速</th></tr><tr><td>东城区</td><td>5.6%</td></tr></table>"))
    True
    >>> is_data_grid(lxml_html.fragment_fromstring(
    ...     "<table><tr><td><a href='/'>首页</a></td><td><a href='/x'>新闻</a></td></tr></table>"))
    False
    """
    rows = _OWN_ROWS(table)
    if len(rows) < 2 or max(len(row) for row in rows) < 2:
        return False
    text = len(_text(table))
    linked = sum(len(_text(a)) for a in table.iter("a"))
    return text > 0 and linked / text < 0.5


def render_data_table(table: etree._Element) -> None:
    """Replace a data table by one paragraph per row, cells joined by " | ".

    trafilatura writes every cell on a line of its own, which reads as a run of link-like lines and
    cuts the article at the table; a row per line keeps the table inside the article.

    >>> t = parse_html("<body><table><tr><th>区县</th><th>增速</th></tr><tr><td>东城区</td><td>5.6%</td></tr>"
    ...                "</table></body>")
    >>> render_data_table(t.find(".//table"))
    >>> [p.text for p in t.iter("p")]
    ['区县 | 增速', '东城区 | 5.6%']
    """
    block = etree.Element("div")
    for row in _OWN_ROWS(table):
        cells = [text for cell in row if isinstance(cell.tag, str) and (text := _text(cell))]
        if cells:
            etree.SubElement(block, "p").text = _XML_UNSAFE.sub("", TABLE_CELL_SEPARATOR.join(cells))
    block.tail = table.tail
    parent = table.getparent()
    if parent is not None:
        parent.replace(table, block)


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


def split_lines(text: str) -> list[str]:
    """Non-empty stripped lines.

    >>> split_lines(" 一 \\n\\n 二\\u3000\\n")
    ['一', '二']
    """
    return [s for s in (line.strip(" \t\r\u3000\u00a0") for line in text.split("\n")) if s]


def fallback_or(
    selection: Selection, tree: etree._Element, method: str, links: frozenset[str]
) -> tuple[Selection, str]:
    """The fallback's selection when it finds more text than the main pass, else the main one."""
    lines = densest_block_lines(tree)
    alt = select_body(lines, links)
    if not alt.lines:
        alt = drop_furniture(lines)
    if cjk_count("".join(alt.lines)) > cjk_count("".join(selection.lines)):
        return alt, "fallback"
    return selection, method


_BLOCK_TAGS = ("p", "div", "td", "li", "section", "article", "font", "span", "center")


_CONTAINERS = frozenset(
    {"div", "td", "th", "li", "article", "section", "main", "blockquote", "center", "body"}
)
_BODY_TEXT = etree.XPath("//body//text()[not(ancestor::a)]")


def densest_block_lines(tree: etree._Element) -> list[str]:
    """Lines of the container holding the most CJK prose outside links (parent-of-most-text).

    Text in a paragraph or in inline tags (``<font>``, ``<span>``) counts for the nearest container
    (div, td, li, ...) above it, so "<div><font>正文……</font><br></div>" is found as well as
    "<div><p>正文</p><p>……</p></div>".

    >>> t = parse_html("<body><div><a>首页</a></div><div id='c'><font>" + "农民工维权，" * 20 +
    ...                "</font><br></div></body>")
    >>> densest_block_lines(t)[0][:6]
    '农民工维权，'
    """
    scores: dict[etree._Element, int] = {}
    for node in _BODY_TEXT(tree):
        owner = node.getparent()
        if owner is None:
            continue
        el = owner.getparent() if node.is_tail else owner
        while el is not None and el.tag not in _CONTAINERS:
            el = el.getparent()
        if el is not None:
            scores[el] = scores.get(el, 0) + cjk_count(node)
    best = max(scores, key=lambda el: scores[el], default=None)
    if best is None or scores[best] < FALLBACK_MIN_CJK:
        return []  # no block with a sentence's worth of text outside links
    return block_lines(best)


def block_lines(el: etree._Element) -> list[str]:
    """Text of an element with block boundaries (p, br, div, ...) as line breaks (tree unchanged).

    >>> block_lines(parse_html("<body><div>一<p>二</p>三<br>四</div></body>").find(".//div"))
    ['一', '二', '三', '四']
    """
    parts: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if not isinstance(node.tag, str):
            continue
        breaks = node is not el and (node.tag == "br" or node.tag in _LINE_BLOCKS)
        if event == "start":
            if breaks:
                parts.append("\n")
            parts.append(node.text or "")
        else:
            if breaks:
                parts.append("\n")
            if node is not el:
                parts.append(node.tail or "")
    return split_lines("".join(parts))


_LINE_BLOCKS = frozenset(t for t in _BLOCK_TAGS if t not in ("font", "span"))


def build_extraction(
    selection: Selection, head: _Head, method: str, url: str | None, tree: etree._Element
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


def choose_title(head: _Head, body: list[str], removed: list[Removed]) -> str | None:
    """The headline: a heading or line that the ``<title>`` starts with, else the ``<title>`` minus site.

    >>> h = _Head("市政府召开常务会议_某某市人民政府", ["某某市人民政府", "市政府召开常务会议"], None, None)
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


def kicker_subtitle(head: _Head, title: str | None) -> tuple[str | None, str | None]:
    """Kicker (引题) = the heading right before the headline; subtitle (副题) = one starting with ——.

    >>> kicker_subtitle(_Head(None, ["春耕时节", "我市百万亩良田开犁", "——记某某镇农技站"], None, None),
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

