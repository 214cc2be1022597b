"""The page tree for extraction: input checks, one lxml parse, and the preparations trafilatura needs
on Chinese portals, plus the fallback's block reader.

- :func:`parse_html`: empty / not-HTML input raises :class:`~normalize.errors.ExtractionError`; content
  after a premature ``</html>`` is adopted back into ``<body>``;
- :func:`prepare_tree`: scripts and styles go, links without text (an icon, a logo) leave paragraphs,
  data grids become one paragraph per row, tables used as page layout become plain blocks (the text
  after each its own paragraph), loose lead text before ``<p>`` children gets its own ``<p>``;
- :func:`densest_block_lines`: the fallback's pick, the container holding most CJK text outside links.

Work is done by lxml and XPath (C), not by Python regular expressions over every node.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from normalize.chars import CONTROL_CHARS, han_count, split_lines, squash
from normalize.errors import ExtractionError

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# lxml refuses these as text: the one control class (normalize.chars.CONTROL_CHARS; the pipeline has
# stripped them from the page already, this catches callers of parse_html and entity-made ones) + U+FFFE/F
XML_UNSAFE = re.compile(f"[{CONTROL_CHARS}\ufffe\uffff]")
_TAG = re.compile(r"<[a-zA-Z!/][^>]{0,200}>")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg")
FALLBACK_MIN_CJK = 10  # the fallback's block needs at least this much CJK text outside links
LAYOUT_CELL_CHARS = 120  # a table cell with this much text is page layout, not data ...
DATA_GRID_COLUMNS = 3  # ... unless the table is a grid of this many columns


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

    Control characters go first (a caption's stray backspaces ``\x08`` made trafilatura drop it, and
    no text carries them to a user's terminal):

    >>> "".join(parse_html("<p>图为内洞森林游乐区。\x08\x08（林务局提供）</p>").itertext())
    '图为内洞森林游乐区。（林务局提供）'
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
        tree = lxml_html.document_fromstring(XML_UNSAFE.sub("", _XML_DECL.sub("", html, count=1)))
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


def text_of(el: etree._Element) -> str:
    return squash("".join(el.itertext()))




def prepare_tree(tree: etree._Element) -> None:
    """Drop non-content elements and turn layout tables into plain blocks (in place)."""
    etree.strip_elements(tree, *_DROP_TAGS, etree.Comment, with_tail=False)
    plain_captions(tree)
    drop_textless_links(tree)
    for table in tree.xpath("//table"):
        if not is_layout_table(table) and is_data_grid(table):
            render_data_table(table)
    for table in tree.xpath("//table"):  # document order: an outer layout table first, with all inside it
        if table.tag == "table" and is_layout_table(table):
            unwrap_table(table)
    wrap_loose_text(tree)
    paragraph_divs(tree)


_CAPTIONS = etree.XPath(
    "//body//figure | //body//figcaption"
    " | //body//*[self::p or self::div or self::span or self::td or self::section]"
    "[contains(@class, 'caption') or contains(@id, 'caption')]"
)


def plain_captions(tree: etree._Element) -> None:
    """Make a picture's caption a plain paragraph (in place): ``<figure>`` a ``<div>``, ``<figcaption>``
    a ``<p>``, and a ``caption`` class or id dropped. Pictures are not extracted, and trafilatura then
    discards captions with them, unseen (not even ``removed``), but a caption is the article's text: 图为…
    with the photographer's credit, kept in the reference texts. A caption outside the article goes with
    the block it stands in, as any paragraph does.

    >>> t = parse_html("<body><figure><img src='a.jpg'><figcaption>图为检查现场</figcaption></figure>"
    ...                "<p class='imgcaption'>（张三 摄）</p></body>")
    >>> plain_captions(t)
    >>> [(e.tag, e.get("class"), e.text) for e in t.find("body").iter("div", "p")]
    [('div', None, None), ('p', None, '图为检查现场'), ('p', None, '（张三 摄）')]
    """
    for el in _CAPTIONS(tree):
        if el.tag == "figure":
            el.tag = "div"
        elif el.tag == "figcaption":
            el.tag = "p"
        for name in ("class", "id"):
            if "caption" in (el.get(name) or ""):
                del el.attrib[name]


# a link without text in a paragraph with text of its own outside links
_TEXTLESS_LINKS = etree.XPath(
    "//body//p[.//text()[normalize-space()][not(ancestor::a)]]"
    "//a[not(normalize-space(.))]"
)


def drop_textless_links(tree: etree._Element) -> None:
    """Remove the links without text (an icon, the site's logo) from paragraphs that have text outside
    links, keeping the text after them.

    Images are not extracted, so such a link only counts as a link: trafilatura takes a short paragraph
    whose links have no text for a block of links and drops it, and portals print one in the article's
    last line (凤凰网's logo after the last sentence, 点击放大 icons). Links elsewhere stay: they weigh
    in trafilatura's choice of the article's container.

    >>> t = parse_html("<body><p>产能利用率降至77.8%。<a href='/'><img src='logo.gif'></a>尾</p></body>")
    >>> drop_textless_links(t)
    >>> [(p.text, len(p)) for p in t.iter("p")]
    [('产能利用率降至77.8%。尾', 0)]
    """
    for link in _TEXTLESS_LINKS(tree):
        if link.getparent() is not None:
            link.drop_tree()  # lxml.html: the tail stays with the previous node


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


# a <div> holding only text and inline markup, right before or after a <p>: a paragraph an old editor
# wrote as a <div> (<P><DIV>导语</DIV><P>…: the parser closes the <p> before the <div>)
_PARAGRAPH_DIVS = etree.XPath(
    "//body//div[not(*[not(self::a or self::b or self::strong or self::em or self::i or self::span"
    " or self::font or self::br or self::u or self::sup or self::sub)])]"
    "[string-length(normalize-space(.)) >= 20]"
    "[following-sibling::*[1][self::p] or preceding-sibling::*[1][self::p]]"
)


def paragraph_divs(tree: etree._Element) -> None:
    """A ``<div>`` of text only (inline markup allowed) standing next to a ``<p>`` is a paragraph of
    the same text: it becomes a ``<p>``. trafilatura's fast extraction takes the ``<p>`` s of a
    container and drops the loose ``<div>``, often the article's lead.

    >>> t = parse_html("<body><div><p><div>新华网北京1月12日电 春运第五天，大雾天气将轮番上场。</div>"
    ...                "<p>第二段。</p></div></body>")
    >>> paragraph_divs(t)
    >>> [p.text[:6] for p in t.iter("p") if p.text]
    ['新华网北京1', '第二段。']
    """
    for div in _PARAGRAPH_DIVS(tree):
        div.tag = "p"


def is_layout_table(table: etree._Element) -> bool:
    """A table used for page layout: it nests tables, or it is no grid of three or more columns and a
    cell holds a paragraph of prose. A grid of three or more columns is data even when its cells hold
    paragraphs (a policy's task table: 序号 | 工作事项 | 主要内容 | 牵头单位).

    >>> t = lxml_html.fragment_fromstring("<table><tr><th>区县</th><td>人口</td></tr></table>")
    >>> is_layout_table(t)
    False
    >>> t = lxml_html.fragment_fromstring(
    ...     "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>")
    >>> is_layout_table(t)
    True
    >>> row = "<tr><td>1</td><td>事项</td><td>" + "内容" * 80 + "</td></tr>"
    >>> is_layout_table(lxml_html.fragment_fromstring(f"<table>{row}{row}</table>"))
    False
    """
    if table.find(".//table") is not None:
        return True
    if grid_columns(table) >= DATA_GRID_COLUMNS:
        return False
    for cell in table.iter("td"):
        text = "".join(cell.itertext())
        if len(text) >= LAYOUT_CELL_CHARS or cell.find(".//p") is not None or cell.find(".//br") is not None:
            return True
    return False


def grid_columns(table: etree._Element) -> int:
    """The number of cells most of the table's rows have (0 for fewer than two rows, or when no count
    is shared by half of them).

    >>> row = "<tr><td>1</td><td>2</td></tr>"
    >>> grid_columns(lxml_html.fragment_fromstring(f"<table>{row}{row}</table>"))
    2
    """
    rows = _OWN_ROWS(table)
    if len(rows) < 2:
        return 0
    counts: dict[int, int] = {}
    for row in rows:
        n = sum(1 for cell in row if isinstance(cell.tag, str))
        counts[n] = counts.get(n, 0) + 1
    columns, rows_with = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return columns if rows_with * 2 >= len(rows) else 0


_OWN_ROWS = etree.XPath("./tr|./*/tr")
TABLE_CELL_SEPARATOR = " | "


def unwrap_table(table: etree._Element) -> None:
    """Rename a layout table's rows and cells, and those of the tables inside it, to ``div`` so that
    extraction reads them as blocks (data grids inside were already rendered as rows); the text right
    after each table becomes a paragraph of its own (:func:`wrap_tail`), and links without text (a
    photo's link) go: trafilatura drops a short block whose links have no text, and the photo's
    caption with it."""
    for inner in list(table.iter("table")):
        wrap_tail(inner)
    for link in [a for a in table.iter("a") if not text_of(a)]:
        link.drop_tree()  # an image link: as a div, a photo box with its caption would read as a link block
    for el in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
        el.tag = "div"


_INLINE_TAGS = frozenset({"a", "b", "i", "u", "em", "strong", "font", "span", "small", "big", "sub", "sup",
                          "br", "img", "label", "abbr", "cite", "q", "mark", "s", "strike", "tt"})


def wrap_tail(block: etree._Element) -> None:
    """Wrap the text that follows a block (its tail, and the inline elements after it up to the next
    block) in a ``<p>`` of its own.

    A photo box floated beside the lead (``<p><table>photo, caption</table>第一段…<p>第二段``) leaves
    the lead as the table's tail: once the table is a ``div``, trafilatura drops that text.

    >>> t = parse_html("<body><div><table><tr><td>图</td></tr></table>第一段，<b>加粗</b>。<p>第二段。</p>"
    ...                "</div></body>")
    >>> wrap_tail(t.find(".//table"))
    >>> [etree.tostring(p, encoding=str) for p in t.iter("p")]
    ['<p>第一段，<b>加粗</b>。</p>', '<p>第二段。</p>']
    """
    parent = block.getparent()
    if parent is None or not (block.tail and block.tail.strip()):
        return
    para = etree.Element("p")
    para.text, block.tail = block.tail, None
    while (nxt := block.getnext()) is not None and isinstance(nxt.tag, str) and nxt.tag in _INLINE_TAGS:
        para.append(nxt)  # lxml moves the element with its tail
    block.addnext(para)


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
    text = len(text_of(table))
    linked = sum(len(text_of(a)) for a in table.iter("a"))
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
        cells = [text for cell in row if isinstance(cell.tag, str) and (text := text_of(cell))]
        if cells:
            etree.SubElement(block, "p").text = XML_UNSAFE.sub("", TABLE_CELL_SEPARATOR.join(cells))
    block.tail = table.tail
    parent = table.getparent()
    if parent is not None:
        parent.replace(table, block)


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
            scores[el] = scores.get(el, 0) + han_count(node)
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


_LINE_BLOCKS = frozenset(t for t in _BLOCK_TAGS if t not in ("font", "span")) | {
    "h1", "h2", "h3", "h4", "h5", "h6"}
