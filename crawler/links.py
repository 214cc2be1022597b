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

Pagination, the next page only (so paging is a chain that ``since`` can stop): ``下一页``/``下页``/``后页``
links; else the next page of TRS's ``createPageHTML(pages, current, "index", "html")`` script call (which
draws the pager in JavaScript); else ``index_N.html`` links in the same folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

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
_INDEX_PAGE_RE = re.compile(r"(?:^|/)index_\d+\.s?html?$")
_CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
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
    """
    for m in _DATE_RE.finditer(text):
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
    return " ".join(el.text_content().split())


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
            return find_date(item.text_content())
        return None
    return None


def article_links(html: str, url: str, pattern: re.Pattern[str] | None = None,
                  css: str | None = None) -> list[Link]:
    """Article links of a list page, in page order, without duplicates (see the module docstring)."""
    if css:
        root = parse_html(html)
        if root is None:
            return []
        return _unique(link for a in root.cssselect(css) if a.tag == "a" and (link := _link(a, url)))
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
            date_ = find_date(item.text_content()) if len(anchors) == 1 else None
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


def pagination_links(html: str, url: str) -> list[str]:
    """The next page(s) of the same column list, most specific signal first: 下一页 links; else the next
    page of a ``createPageHTML`` pager; else the ``index_N`` links of the same folder.

    Following the *next* page (not all N pages at once) keeps paging a chain, so ``since`` can stop it
    and ``max_pages`` bounds it.
    """
    links = page_links(html, url)
    found = [link.url for link in links if _is_next_text(link.text)]
    if not found:
        found = create_page_urls(html, url)
    if not found:
        found = [link.url for link in links
                 if _INDEX_PAGE_RE.search(urlsplit(link.url).path) and _same_folder(link.url, url)]
    return [u for u in dict.fromkeys(found) if u != url]


def _is_next_text(text: str) -> bool:
    text = text.replace(" ", "")
    return any(t in text for t in PAGINATION_TEXTS) or text.lower() in ("next", "next>", ">")


def _same_folder(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return pa.netloc == pb.netloc and pa.path.rsplit("/", 1)[0] == pb.path.rsplit("/", 1)[0]


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
