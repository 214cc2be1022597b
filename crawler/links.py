"""What is on a column list page: article links (with their dates), pagination, links to other columns.

Pure functions over ``(html, url)``; no Scrapy, so they are unit-tested on project-written pages.

Article links are recognised, in this order, by
1. the site's ``[links] article`` regex, when the site config has one;
2. the URL shapes of Chinese government portals (:data:`ARTICLE_SHAPES`): TRS ``t20200220_123.html``,
   Hanweb ``/art/2020/2/20/art_1229_123.html``, ``/content/post_123.html``, ``/2020-02/20/content_123.htm``,
   ``/c/2020-02-20/123.shtml``, VSB ``/info/1234/5678.htm``, WebPlus ``/c1234a5678/page.htm`` ...;
3. list-page structure, besides the shapes (a portal may link one article-shaped 专题 page from its
   navigation while its own list uses ``show.php?id=``): the largest container (``ul``, ``table``,
   ``div``) holding at least :data:`MIN_DATED_LINKS` items that each carry one link and a date.

Pagination, the next page only (so paging is a chain that ``since`` can stop), most specific signal first:
1. ``下一页``/``下页``/``后页`` links;
2. a pager drawn by a script: TRS's ``createPageHTML(pages, current, "index", "html")`` call, or page
   count / current page variables (``var countPage = 12; var currentPage = 0`` , ``totalPage`` /
   ``curPage`` ...) with the link template the script builds (``"index_" + n + ".shtml"``,
   ``"?page=" + n``) or, without one, the numbering of the current URL;
3. numbered links to the same list (:func:`page_number`): ``index_N.html``/``.shtml``,
   ``column-index-N.shtml``, ``/N.html`` in the list's folder, ``?page=N`` / ``pageNo=N`` / ``pageNum=N``
   ... with the rest of the query unchanged; the next page is the smallest number above the current one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

ARTICLE_SHAPES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"/content/post_\d+\.s?html?$",  # 开普云 / 广东省政府网站集约化平台
        r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.s?html?$",  # 大汉 Hanweb
        r"/t\d{8}_\d+\.s?html?$",  # TRS WCM
        r"/\d{4}-\d{2}/\d{2}/content_\d+\.s?html?$",  # 新华网 / 人民网 style
        r"/c/\d{4}-\d{2}-\d{2}/\d+\.s?html?$",
        r"/\d{4}-\d{2}/\d{2}/c_\d+\.s?html?$",  # 新华网
        r"/n1/\d{4}/\d{4}/c\d+-\d+\.s?html?$",  # 人民网
        r"/content_\d+\.s?html?$",
        r"/info/\d+/\d+\.s?html?$",  # VSB 博达
        r"/c\d+a\d+/page\.s?html?$",  # WebPlus
        r"/\d{4}/\d{4}/c\d+a\d+/page\.s?html?$",
        r"/(?:art|article|news|detail)[/_-]?\d{5,}\.s?html?$",
        r"/\d{6,8}/[0-9a-f]{16,}\.s?html?$",  # date folder + hash id
    )
)
PAGINATION_TEXTS = ("下一页", "下页", "后页", "下一頁", "下頁")
MIN_DATED_LINKS = 3
_DATE_RE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
# a title ending in a digit right before the date ("标题0" + "2020-02-20" in one text node): a full date
# whose year starts with 19/20 is taken even after a digit, when the strict pattern found none
_LOOSE_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_VAR_RE = re.compile(r"\b(?:countPage|totalPages?|pageCount|pageTotal|totalPageNum|page_count)"
                           r"\s*[=:]\s*['\"]?(\d{1,6})\b", re.I)
_CURRENT_VAR_RE = re.compile(r"\b(?:currentPage|curPage|nowPage|pageIndex|currPage|page_current|cur_page)"
                             r"\s*[=:]\s*['\"]?(\d{1,6})\b", re.I)
# "index_" + n + ".shtml" / 'list-' + (cur+1) + '.html' / "?page=" + n: the pager's link template
_TEMPLATE_RE = re.compile(
    r"""["']([\w./?&=-]{0,80}?)["']\s*\+\s*\(?\s*[A-Za-z_]\w{0,30}\s*(?:[+-]\s*\d+\s*)?\)?"""
    r"""(?:\s*\+\s*["'](\.\w{1,6})["'])?""")
MAX_PAGE_STEP = 10
PAGE_PARAMS = ("page", "pageno", "pagenum", "pageindex", "curpage", "currentpage", "pn", "pg", "p")
_NUMBERED_FILE_RE = re.compile(
    r"^(?P<stem>[\w.-]*?)(?P<sep>[_-])(?P<n>\d{1,6})\.(?P<ext>s?html?|jsp|php|aspx?)$")
_NUMBER_FILE_RE = re.compile(r"^(?P<n>\d{1,6})\.(?P<ext>s?html?)$")
_LIST_FILE_RE = re.compile(r"^(?P<stem>[\w.-]+)\.(?P<ext>s?html?|jsp|php|aspx?)$")
_ITEM_TAGS = ("li", "tr", "dd", "dt", "p")
_PARSER = lxml.html.HTMLParser(encoding="utf-8")
_SKIP_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp4|wps|ofd)$", re.I)


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    date: date | None = None


def find_date(text: str) -> date | None:
    """The first plausible date in ``text``.

    >>> find_date("发布时间：2020年2月20日")
    datetime.date(2020, 2, 20)
    >>> find_date("[2020-02-20]"), find_date("第2020期") is None
    (datetime.date(2020, 2, 20), True)
    >>> find_date("市政府召开常务会议02020-02-20")  # a title ending in a digit, glued to the date
    datetime.date(2020, 2, 20)
    """
    for pattern in (_DATE_RE, _LOOSE_DATE_RE):
        for m in pattern.finditer(text):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def has_article_shape(url: str) -> bool:
    """True when the URL path looks like an article of a Chinese government portal.

    >>> has_article_shape("http://www.zhuhai.gov.cn/xw/xwzx/content/post_2487123.html")
    True
    >>> has_article_shape("https://www.hangzhou.gov.cn/art/2020/2/20/art_812262_41942040.html")
    True
    >>> has_article_shape("http://www.gov.cn/xinwen/2020-02/20/content_5481234.htm")
    True
    >>> has_article_shape("http://www.sz.gov.cn/cn/xxgk/zfxxgj/gzdt/content/post_123.html?x=1")
    True
    >>> has_article_shape("http://www.beijing.gov.cn/ywdt/gzdt/index_1.html")
    False
    """
    path = urlsplit(url).path
    return any(p.search(path) for p in ARTICLE_SHAPES)


def is_article_url(url: str, pattern: re.Pattern[str] | None = None) -> bool:
    """The site's pattern when it has one, else the portal URL shapes."""
    if pattern is not None:
        return pattern.search(url) is not None
    return has_article_shape(url)


def parse_html(html: str) -> HtmlElement | None:
    """The page as an lxml tree (None for an empty or unparsable page)."""
    try:
        return lxml.html.fromstring(html.encode("utf-8", "replace"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None


def page_links(html: str, url: str) -> list[Link]:
    """Every http(s) link on the page, absolute, with its text and the date written next to it."""
    root = parse_html(html)
    if root is None:
        return []
    return [link for a in root.iter("a") if (link := _link(a, url)) is not None]


def _text(el: HtmlElement) -> str:
    """The element's text, its text nodes joined by spaces (``<a>标题0</a><span>2020-02-20</span>`` ->
    ``标题0 2020-02-20``, so a title's last digit never runs into a date)."""
    return " ".join(" ".join(el.itertext()).split())


def _link(a: HtmlElement, base: str, *, with_date: bool = True) -> Link | None:
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = urljoin(base, href).split("#", 1)[0]
    if urlsplit(url).scheme not in ("http", "https") or _SKIP_EXT.search(urlsplit(url).path):
        return None
    text = _text(a) or a.get("title", "")
    return Link(url, text, (find_date(text) or _item_date(a)) if with_date else None)


def _item_date(a: HtmlElement) -> date | None:
    """The date printed in the list item holding the link (``<li><a/><span>2020-02-20</span></li>``)."""
    for item in a.iterancestors(*_ITEM_TAGS):
        if sum(1 for x in item.iter("a") if x.get("href")) <= 2:
            return find_date(_text(item))
        return None
    return None


def article_links(html: str, url: str, pattern: re.Pattern[str] | None = None,
                  css: str | None = None) -> list[Link]:
    """Article links of a list page, in page order, without duplicates (see the module docstring)."""
    if css:
        return _unique(link for a in _css_anchors(html, css) if (link := _link(a, url)))
    links = page_links(html, url)
    if pattern is not None:
        return _unique(link for link in links if pattern.search(link.url))
    shaped = [link for link in links if has_article_shape(link.url)]
    return _unique([*shaped, *structural_links(html, url)])


def structural_links(html: str, url: str) -> list[Link]:
    """Links in the largest container whose items each hold one link and a date (a column list)."""
    root = parse_html(html)
    if root is None:
        return []
    best: list[Link] = []
    for container in root.iter("ul", "ol", "table", "tbody", "dl", "div"):
        dated = []
        for item in container.iterchildren(*_ITEM_TAGS, "div"):
            anchors = [a for a in item.iter("a") if a.get("href")]
            date_ = find_date(_text(item)) if len(anchors) == 1 else None
            if date_ is not None:
                link = _link(anchors[0], url, with_date=False)
                if link is not None and not is_list_url(link.url) and not _is_more_text(link.text):
                    dated.append(Link(link.url, link.text, date_))
        if len(dated) >= MIN_DATED_LINKS and len(dated) > len(best):
            best = dated
    return best


def is_list_url(url: str) -> bool:
    """Column pages: ``index.html``, ``index_3.html``, a bare folder.

    >>> is_list_url("http://a.gov.cn/gzdt/index_3.html"), is_list_url("http://a.gov.cn/gzdt/")
    (True, True)
    """
    path = urlsplit(url).path
    return path.endswith("/") or re.search(r"(?:^|/)(?:index|list)(?:_\d+)?\.s?html?$", path) is not None


def css_links(html: str, url: str, css: str) -> list[str]:
    """The URLs of the ``<a>`` elements a CSS selector picks (a site's ``[selectors] next_page``)."""
    return [link.url for a in _css_anchors(html, css) if (link := _link(a, url, with_date=False))]


def _css_anchors(html: str, css: str) -> list[HtmlElement]:
    """``<a>`` elements matched by ``css``, or inside the elements it matches."""
    root = parse_html(html)
    if root is None:
        return []
    found: list[HtmlElement] = []
    for el in root.cssselect(css):
        found += [el] if el.tag == "a" else list(el.iter("a"))
    return found


def pagination_links(html: str, url: str) -> list[str]:
    """The next page of the same column list (see the module docstring for the signals, in order).

    Following the *next* page (not all N pages at once) keeps paging a chain, so ``since`` can stop it
    and ``max_pages`` bounds it.
    """
    links = page_links(html, url)
    found = [link.url for link in links if _is_next_text(link.text)]
    if not found:
        found = create_page_urls(html, url) or script_pager_urls(html, url)
    if not found:
        found = numbered_next(url, [link.url for link in links])
    return [u for u in dict.fromkeys(found) if u != url]


def _is_next_text(text: str) -> bool:
    text = text.replace(" ", "")
    return any(t in text for t in PAGINATION_TEXTS) or text.lower() in ("next", "next>", ">")


def create_page_urls(html: str, url: str) -> list[str]:
    """The next page of a pager drawn by TRS's ``createPageHTML(count, current, "index", "html")``
    (pages are index.html, index_1.html ... index_{count-1}.html; ``current`` counts from 0).

    >>> create_page_urls('<script>createPageHTML(3, 0, "index", "html");</script>', "http://a.cn/gzdt/")
    ['http://a.cn/gzdt/index_1.html']
    >>> create_page_urls('createPageHTML(3, 2, "index", "html")', "http://a.cn/gzdt/index_2.html")
    []
    """
    m = _CREATE_PAGE_RE.search(html)
    if not m:
        return []
    count, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    if current + 1 >= count:
        return []
    return [urljoin(url, f"{stem}_{current + 1}.{ext}")]


def script_pager_urls(html: str, url: str) -> list[str]:
    """The next page of a pager a script draws from page-count variables (``var countPage = 12;
    var currentPage = 0;`` in TRS templates, ``totalPage`` / ``curPage`` elsewhere).

    The page numbering: 0-based when the current page variable is 0 (TRS: index.html is page 0, then
    index_1 ...), else 1-based. The next URL comes from the link template in the script
    (``"index_" + nextPage + ".shtml"``, ``"?page=" + n``), or else from the current URL's numbering.

    >>> page = '<script>var currentPage = 0; var countPage = 3; s = "index_" + (currentPage+1) + ".shtml";'
    >>> script_pager_urls(page + "</script>", "http://a.cn/gzdt/index.shtml")
    ['http://a.cn/gzdt/index_1.shtml']
    >>> script_pager_urls('<script>var totalPage = 2; var curPage = 2;</script>', "http://a.cn/l?page=2")
    []
    """
    scripts = " ".join(m.group(1) for m in re.finditer(r"<script[^>]*>(.*?)</script>", html, re.S | re.I))
    count, current = _COUNT_VAR_RE.search(scripts), _CURRENT_VAR_RE.search(scripts)
    if not count or not current:
        return []
    total, now = int(count.group(1)), int(current.group(1))
    last = total - 1 if now == 0 else total
    if now + 1 > last:
        return []
    template = _page_template(scripts)
    if template is not None:
        return [urljoin(url, f"{template[0]}{now + 1}{template[1]}")]
    guessed = _renumber(url, now + 1)
    return [guessed] if guessed else []


def _page_template(script: str) -> tuple[str, str] | None:
    """(prefix, suffix) of a pager link the script concatenates, e.g. ("index_", ".shtml"), ("?page=", "").

    >>> _page_template('href="index_" + (currentPage+1) + ".html"'), _page_template("'list.jsp?page='+p")
    (('index_', '.html'), ('list.jsp?page=', ''))
    """
    for m in _TEMPLATE_RE.finditer(script):
        prefix, suffix = m.group(1), m.group(2) or ""
        if prefix.endswith(("_", "-", "/", "=")) and (suffix or prefix.endswith("=")):
            return prefix, suffix
    return None


def page_number(url: str, list_url: str) -> tuple[tuple[str, ...], int] | None:
    """(series, number) when ``url`` is a numbered page of the list at ``list_url``, else None.

    A series is one list's pages: the same folder and file stem with ``_N``/``-N`` (``index_3.shtml``,
    ``column-index-3.shtml``), ``N.html`` in the list's folder or in the folder named after it (VSB:
    ``tzgg.htm`` -> ``tzgg/2.htm``), or the same path and query with a page parameter (``?page=3``,
    ``pageNo=3``). The unnumbered page of a series (``index.html``, no page parameter) is number 0.

    >>> page_number("http://a.cn/x/index_3.shtml", "http://a.cn/x/index.shtml")
    (('file', '/x', 'index', '_', 'shtml'), 3)
    >>> page_number("http://a.cn/x/l.jsp?c=1&pageNo=4", "http://a.cn/x/l.jsp?c=1")[1]
    4
    >>> page_number("http://a.cn/y/index_3.html", "http://a.cn/x/index.html") is None
    True
    """
    target, base = urlsplit(url), urlsplit(list_url)
    if target.netloc != base.netloc:
        return None
    query = _query_number(target, base)
    if query is not None:
        return query
    if target.query != base.query:
        return None
    return _file_number(target.path, base.path)


def _query_number(target: SplitResult, base: SplitResult) -> tuple[tuple[str, ...], int] | None:
    if target.path != base.path:
        return None
    tq, bq = parse_qsl(target.query, keep_blank_values=True), parse_qsl(base.query, keep_blank_values=True)
    for name, value in tq:
        if name.lower() in PAGE_PARAMS and value.isdigit():
            rest = sorted((k, v) for k, v in tq if k != name)
            base_rest = sorted((k, v) for k, v in bq if k.lower() != name.lower())
            if rest == base_rest:
                return ("query", target.path, name, *(f"{k}={v}" for k, v in rest)), int(value)
    return None


def _file_number(path: str, base_path: str) -> tuple[tuple[str, ...], int] | None:
    folder, _, name = path.rpartition("/")
    base_folder, _, base_name = base_path.rpartition("/")
    base_stem = _series_stem(base_name)
    m = _NUMBERED_FILE_RE.match(name)
    if m and folder == base_folder and (base_stem is None or base_stem[:2] in (
            (m["stem"], m["sep"]), (m["stem"], ""))):
        return ("file", folder, m["stem"], m["sep"], m["ext"]), int(m["n"])
    m = _NUMBER_FILE_RE.match(name)
    vsb_folder = base_folder + "/" + base_name.rsplit(".", 1)[0] if base_name else None
    if m and folder in (base_folder, vsb_folder):
        return ("number", folder, m["ext"]), int(m["n"])
    return None


def _series_stem(name: str) -> tuple[str, str, int] | None:
    """(stem, separator, number) of a list page's file name; number 0 for an unnumbered one."""
    m = _NUMBERED_FILE_RE.match(name)
    if m:
        return m["stem"], m["sep"], int(m["n"])
    m = _LIST_FILE_RE.match(name)
    return (m["stem"], "", 0) if m else None


def current_number(url: str) -> int:
    """The page number of a list URL itself (0 when it carries none).

    >>> current_number("http://a.cn/x/index_2.html"), current_number("http://a.cn/l?pageNo=3")
    (2, 3)
    >>> current_number("http://a.cn/x/index.html"), current_number("http://a.cn/x/4.html")
    (0, 4)
    """
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if name.lower() in PAGE_PARAMS and value.isdigit():
            return int(value)
    name = parts.path.rpartition("/")[2]
    m = _NUMBERED_FILE_RE.match(name) or _NUMBER_FILE_RE.match(name)
    return int(m["n"]) if m else 0


def numbered_next(url: str, candidates: Iterable[str]) -> list[str]:
    """The next page among numbered links of the same list: the smallest number above the current one,
    and at most :data:`MAX_PAGE_STEP` above it (``12345.html`` in a list's folder is an article, not page
    12345; a pager links the pages next to the current one).

    >>> numbered_next("http://a.cn/x/index.html", ["http://a.cn/x/index_2.html", "http://a.cn/x/index_1.html"])
    ['http://a.cn/x/index_1.html']
    >>> numbered_next("http://a.cn/x/list.jsp?c=1&page=2", ["http://a.cn/x/list.jsp?c=1&page=1",
    ...     "http://a.cn/x/list.jsp?c=1&page=3", "http://a.cn/x/list.jsp?c=2&page=3"])
    ['http://a.cn/x/list.jsp?c=1&page=3']
    >>> numbered_next("http://a.cn/news/index.html", ["http://a.cn/news/20417.html"])  # an article
    []
    """
    now = current_number(url)
    best: tuple[int, str] | None = None
    for candidate in candidates:
        if has_article_shape(candidate):
            continue
        found = page_number(candidate, url)
        if found and now < found[1] <= now + MAX_PAGE_STEP and (best is None or found[1] < best[0]):
            best = (found[1], candidate)
    return [best[1]] if best else []


def _renumber(url: str, n: int) -> str | None:
    """``url`` as page ``n`` of its list, in its own numbering (TRS ``index.html`` -> ``index_n.html``).

    >>> _renumber("http://a.cn/x/index.shtml", 1), _renumber("http://a.cn/x/l.jsp?c=1&page=2", 3)
    ('http://a.cn/x/index_1.shtml', 'http://a.cn/x/l.jsp?c=1&page=3')
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k.lower() in PAGE_PARAMS for k, _ in query):
        new = [(k, str(n) if k.lower() in PAGE_PARAMS else v) for k, v in query]
        return urlunsplit(parts._replace(query=urlencode(new)))
    folder, _, name = parts.path.rpartition("/")
    m = _NUMBERED_FILE_RE.match(name)
    if m:
        name = f"{m['stem']}{m['sep']}{n}.{m['ext']}"
    elif (m := _NUMBER_FILE_RE.match(name)) is not None:
        name = f"{n}.{m['ext']}"
    elif (m := _LIST_FILE_RE.match(name)) is not None or not name:
        stem, ext = (m["stem"], m["ext"]) if m else ("index", "html")
        name = f"{stem}_{n}.{ext}"
    else:
        return None
    return urlunsplit(parts._replace(path=f"{folder}/{name}"))


def more_links(html: str, url: str) -> list[str]:
    """Links to other column list pages ("更多>>"), same host only."""
    host = urlsplit(url).netloc
    return list(dict.fromkeys(
        link.url for link in page_links(html, url)
        if _is_more_text(link.text)
        if urlsplit(link.url).netloc == host and link.url != url
    ))


def _is_more_text(text: str) -> bool:
    """
    >>> _is_more_text("更多>>"), _is_more_text("更多动态"), _is_more_text("更多精彩内容请关注我们的公众号")
    (True, True, False)
    """
    text = text.strip().strip("»›>+ ")
    return text.lower() == "more" or (text.startswith("更多") and len(text) <= 6)


def all_older(links: Iterable[Link], since: date) -> bool:
    """True when the page shows dated articles and every one of them is older than ``since``.

    >>> all_older([Link("u", "t", date(2020, 1, 1))], date(2020, 2, 1))
    True
    >>> all_older([Link("u", "t", None)], date(2020, 2, 1))
    False
    """
    dates = [link.date for link in links if link.date is not None]
    return bool(dates) and all(d < since for d in dates)


def _unique(links: Iterable[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        if link.url not in seen or (seen[link.url].date is None and link.date is not None):
            seen[link.url] = link
    return list(seen.values())
