"""Is this page an article that is gone? Placeholder wording, the site's own not-found page, garbage.

Portals rarely answer 404 for a withdrawn report. They show a page saying so (该信息已删除, 已撤稿,
页面不存在, 信息已过期, 您访问的页面不存在...), or their "not found" page with status 200 — a *soft 404*.

- :func:`placeholder_phrase`: a short main text (at most :data:`PLACEHOLDER_MAX_CHARS` characters) that
  says the page was deleted, withdrawn, expired or does not exist. An article that merely mentions
  such words (a report on deleting old records) is long, and is not taken for a placeholder.
- Soft 404: the crawler requests one URL of the site that cannot exist (:func:`probe_url`: an article
  URL's folder and a random name with :data:`PROBE_TOKEN`) and archives the answer like any other;
  a later capture whose visible text is at least :data:`SOFT_404_MIN_SIMILARITY` similar to it
  (:func:`fingerprint` + :func:`resemblance`: character shingles of the visible text, ASCII left out
  when there is Chinese text, so that the URL a not-found page echoes does not count), or that
  redirects where the probe was redirected, is the site's not-found page.
- :func:`is_garbage`: a body that is not text at all (binary, NUL bytes, undecodable).

The text here is for recognising pages only; the archive's text comes from :mod:`normalize`.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

from newsarchive import similarity

PLACEHOLDERS = (
    "已删除", "已被删除", "已经删除", "被删除", "已撤稿", "已撤销", "已撤回", "已撤除", "已下线", "已下架",
    "已过期", "信息已过期", "已失效", "页面不存在", "信息不存在", "文章不存在", "内容不存在", "稿件不存在",
    "您访问的页面", "您所访问的页面", "您要访问的页面", "您查找的页面", "找不到您", "无法找到该页",
    "页面已删除", "页面无法访问", "该信息已", "该文章已", "该稿件已", "该页面已", "暂无此信息",
    "此信息已", "此页面不存在", "您访问的内容", "页面没有找到", "页面未找到", "page not found",
)  # fmt: skip
PLACEHOLDER_MAX_CHARS = 300
SOFT_404_MIN_SIMILARITY = 0.9
SOFT_404_MAX_CHARS = 1000  # a record longer than this is an article, not a not-found message
PROBE_TOKEN = "newsarchive-not-found-"
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS), re.I)  # alternation of literals
_BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!",
                 b"\x1f\x8b")
_CJK = re.compile(r"[\u3400-\u9fff]")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_-]{1,20})""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_-]{1,20})", re.I)


def placeholder_phrase(text: str | None) -> str | None:
    """The placeholder wording of a short main text, or None.

    >>> placeholder_phrase("对不起，该信息已删除！"), placeholder_phrase("您访问的页面不存在或已被删除")
    ('该信息已', '您访问的页面')
    >>> placeholder_phrase("市档案馆已删除过期数据十万条。" * 30) is None
    True
    """
    squeezed = " ".join((text or "").split())
    if not squeezed or len(squeezed) > PLACEHOLDER_MAX_CHARS:
        return None
    found = _PLACEHOLDER.search(squeezed)
    return found.group(0) if found else None


def placeholder_in_page(text: str | None, limit: int = 5000) -> str | None:
    """The placeholder wording anywhere in the visible text of a page that holds no article (one the
    normaliser found no article on): a short page whole, or the first ``limit`` characters.

    >>> placeholder_in_page("首页 政务要闻 工作动态 提示 对不起，该信息已删除！ 版权所有：示例市人民政府")
    '该信息已'
    """
    found = _PLACEHOLDER.search(" ".join((text or "")[:limit].split()))
    return found.group(0) if found else None


def probe_url(article_url: str, seed: str) -> str:
    """A URL of the site that cannot exist: the article's folder, a name made from ``seed``, its extension.

    >>> probe_url("http://a.gov.cn/art/2020/2/20/art_1229_1001.html?x=1", "crawl-1")
    'http://a.gov.cn/art/2020/2/20/newsarchive-not-found-d4a0ad0ecf34.html'
    """
    parts = urlsplit(article_url)
    folder, _, name = parts.path.rpartition("/")
    ext = name[name.rfind("."):] if "." in name else ".html"
    token = hashlib.sha256(seed.encode()).hexdigest()[:12]
    return urlunsplit((parts.scheme, parts.netloc, f"{folder}/{PROBE_TOKEN}{token}{ext}", "", ""))


def is_probe(url: str) -> bool:
    """
    >>> is_probe("http://a.gov.cn/art/newsarchive-not-found-6d0e1c8c09f2.html"), is_probe("http://a/x.html")
    (True, False)
    """
    return PROBE_TOKEN in urlsplit(url).path


def is_garbage(payload: bytes) -> bool:
    """A body that is not a text page: binary magic, NUL bytes, or not decodable as any charset we read.

    >>> is_garbage(b"\\x89PNG\\r\\n..."), is_garbage("<p>正文</p>".encode("gb18030")), is_garbage(b"")
    (True, False, False)
    """
    head = payload[:1024].lstrip()
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return True
    return bool(payload) and visible_text(payload) is None


def visible_text(payload: bytes, content_type: str | None = None) -> str | None:
    """The text a reader sees on an HTML page (script, style and tags left out), or None when the bytes do
    not decode in the declared charset, UTF-8 or GB18030 (with at most 2% replacement characters)."""
    text = _decoded(payload, content_type)
    if text is None:
        return None
    try:
        import lxml.html

        tree = lxml.html.document_fromstring(text)
    except (ValueError, TypeError, Exception):  # lxml raises ParserError and XMLSyntaxError on junk
        return " ".join(text.split())
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return " ".join(tree.text_content().split())


def _decoded(payload: bytes, content_type: str | None) -> str | None:
    names = []
    declared = _HEADER_CHARSET.search(content_type or "")
    if declared:
        names.append(declared.group(1))
    meta = _META_CHARSET.search(payload[:4096])
    if meta:
        names.append(meta.group(1).decode("ascii"))
    for name in [*names, "utf-8", "gb18030"]:
        codec = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950"}.get(name.lower(), name)
        try:
            return payload.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    text = payload.decode("utf-8", errors="replace")
    return text if text.count("\ufffd") <= len(text) * 0.02 else None


def fingerprint(text: str | None) -> similarity.U64:
    """Shingle hashes of a page's visible text for comparing not-found pages: digits dropped, and all
    ASCII when the page has Chinese text (the requested URL a not-found page echoes is ASCII)."""
    text = text or ""
    kept = "".join(ch for ch in text if not ch.isascii()) if len(_CJK.findall(text)) >= 20 else text
    kept = "".join(ch for ch in kept if not ch.isdigit())
    return similarity.shingle_hashes(kept)


def resemblance(a: similarity.U64, b: similarity.U64) -> float:
    """Exact Jaccard of two fingerprints (0 when either is empty)."""
    return similarity.jaccard(a, b) if len(a) and len(b) else 0.0
