"""Line hints from the page tree: which part of each extracted line is the text of a link to another
page, and which lines are headings.

trafilatura returns plain text; to know which of its lines are links (a menu, a teaser list, a related
box), the text of every ``<a>`` that points to another page is wrapped in two mark characters in the
tree before extraction (:func:`mark_links`), and a heading's text starts with a third
(:func:`mark_headings`). The marks travel
with the text through trafilatura and the fallback's block reader; :func:`hinted_lines` reads each
line's hints from them and removes them. The marks are symbols of the Unicode Control Pictures block
that the page does not contain (trafilatura keeps visible symbols; it drops noncharacters and
private-use ones), so no text of the page is changed.

A link points to another page unless its ``href`` is empty, an in-page anchor (``#top``), a script
(``javascript:``), ``mailto:``/``tel:``, or a file (an attachment such as ``.pdf``, ``.doc``, ``.xls``,
``.zip``, an image): attachments belong to the article that lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from normalize.chars import han_count
from normalize.extract.tree import XML_UNSAFE
from normalize.structure.draft import Line
from normalize.structure.shapes import LIST_MARK

_CANDIDATES = [chr(c) for c in range(0x2400, 0x2427) if c != 0x2424]  # U+2424 is trafilatura's own
_HAS_TEXT = etree.XPath("boolean(//text()[contains(., $c)])")
_ANCHORS = etree.XPath("//a[@href][normalize-space(.)]")
_NOT_A_PAGE = re.compile(r"^\s*(?:#|javascript:|mailto:|tel:|$)", re.I)
# an attached document (附件): a file a reader downloads and keeps, named in the article's text ...
_DOCUMENTS = r"pdf|docx?|xlsx?|pptx?|wps|et|dps|ofd|txt|csv|zip|rar|7z"
# ... and the other files a link fetches: images, media, apps (widgets: 点击看大图, 下载客户端)
_OTHER_FILES = r"gz|jpe?g|png|gif|bmp|mp4|mp3|apk"
_DOCUMENT = re.compile(rf"\.(?:{_DOCUMENTS})(?:[?#].*)?$", re.I)
_FILE = re.compile(rf"\.(?:{_DOCUMENTS}|{_OTHER_FILES})(?:[?#].*)?$", re.I)


@dataclass(frozen=True)
class Marks:
    """The characters that open and close a link's text, and start a heading, in the extracted text."""

    open: str
    close: str
    heading: str

    def strip(self, text: str) -> str:
        """``text`` without the marks.

        >>> Marks("<", ">", "#").strip("#见<另一篇>")
        '见另一篇'
        """
        return text.replace(self.open, "").replace(self.close, "").replace(self.heading, "")


def choose_marks(text: str) -> Marks:
    """Three mark characters that ``text`` does not contain.

    >>> choose_marks("正文"), choose_marks("\\u2400 正文").open
    (Marks(open='␀', close='␁', heading='␂'), '␁')
    """
    free = [c for c in _CANDIDATES if c not in text]
    return Marks(free[0], free[1], free[2])


def points_elsewhere(href: str | None) -> bool:
    """A link to another page (not an anchor, script, mail address or attached file).

    >>> points_elsewhere("/xwzx/2020/content_1.html"), points_elsewhere("#top"), points_elsewhere(None)
    (True, False, False)
    >>> points_elsewhere("javascript:window.print()"), points_elsewhere("/files/附件1.pdf")
    (False, False)
    """
    return href is not None and not _NOT_A_PAGE.match(href) and not _FILE.search(href.strip())


def unwrap_attachments(tree: etree._Element) -> None:
    """Turn each link to an attached document into its text (in place): a government notice lists its
    附件 (1.申请表.docx, 2.网点名单.xlsx) as links, and a paragraph of nothing but links reads to
    trafilatura as a block of links, so the list left the article unseen, not even ``removed``. The
    names are the article's: its reference texts keep them. Links to pages, images, media and apps stay
    links.

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html("<body><p>附件：<a href='/f/1.docx'>1.申请表.docx</a>"
    ...                "<a href='/b.html'>另一篇</a></p></body>")
    >>> unwrap_attachments(t)
    >>> [(a.text, a.get("href")) for a in t.iter("a")], "".join(t.find(".//p").itertext())
    ([('另一篇', '/b.html')], '附件：1.申请表.docx另一篇')
    """
    for a in _ANCHORS(tree):
        if _DOCUMENT.search(a.get("href", "").strip()) and a.getparent() is not None:
            a.drop_tag()


def mark_links(tree: etree._Element) -> Marks:
    """Choose the marks, and wrap the text of every link to another page in the link marks (in place).

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html("<body><p>见<a href='/a.html'>另一篇</a>与<a href='/f.pdf'>附件</a></p></body>")
    >>> marks = mark_links(t)
    >>> "".join(t.find(".//p").itertext()) == f"见{marks.open}另一篇{marks.close}与附件"
    True
    """
    marks = choose_marks("".join(c for c in _CANDIDATES[:6] if _HAS_TEXT(tree, c=c)))
    for a in _ANCHORS(tree):
        if not points_elsewhere(a.get("href")):
            continue
        a.text = marks.open + _safe(a.text)
        last = a[-1] if len(a) else None
        if last is None:
            a.text += marks.close
        else:
            last.tail = _safe(last.tail) + marks.close
    return marks


def mark_headings(tree: etree._Element, marks: Marks) -> None:
    """Start every heading's text with the heading mark (in place).

    >>> from normalize.extract.tree import parse_html
    >>> t = parse_html("<body><h2>标题</h2></body>")
    >>> mark_headings(t, Marks("<", ">", "#")); t.find(".//h2").text
    '#标题'
    """
    for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        h.text = marks.heading + _safe(h.text)


def _safe(text: str | None) -> str:
    """Text lxml accepts back (the parser keeps control characters that assignment refuses)."""
    return XML_UNSAFE.sub("", text or "")


def hinted_lines(lines: list[str], marks: Marks, *, main: bool | None = True) -> list[Line]:
    """Lines with their link share read from the marks, the marks removed; a link may span lines.

    The share is of the line's Han characters (a teaser's date or comment count beside it does not
    dilute it); of its other visible characters when it has none.

    >>> m = Marks("<", ">", "#")
    >>> [(ln.text, round(ln.link or 0, 2), ln.heading)
    ...  for ln in hinted_lines(["#小标题", "- <链接标题>", "相关：<甲", "乙>"], m)]
    [('小标题', 0, True), ('- 链接标题', 1.0, False), ('相关：甲', 0.33, False), ('乙', 1.0, False)]
    """
    out: list[Line] = []
    inside = False
    for raw in lines:
        text = marks.strip(raw).strip()
        if not text:
            inside = _ends_inside(raw, marks, inside)
            continue
        heading = marks.heading in raw
        if marks.open not in raw and marks.close not in raw:  # most lines: no link begins or ends here
            out.append(Line(text, link=1.0 if inside else 0.0, heading=heading, main=main))
            continue
        linked = [0, 0]  # Han characters, other visible characters inside links
        total = [0, 0]
        visible = LIST_MARK.sub("", raw.replace(marks.heading, ""), count=1)
        for n, piece in enumerate(_pieces(visible, marks)):
            if n:  # every piece after the first follows a mark
                inside = piece[0] == marks.open
                piece = piece[1:]
            han = han_count(piece)
            size = (han, len(piece) - sum(map(str.isspace, piece)) - han)
            for k in (0, 1):
                total[k] += size[k]
                linked[k] += size[k] if inside else 0
        k = 0 if total[0] else 1  # the share of the Han text; of the other characters when it has none
        out.append(Line(text, link=linked[k] / total[k] if total[k] else 0.0, heading=heading, main=main,
                        free_han=total[0] - linked[0]))
    return out


def _pieces(line: str, marks: Marks) -> list[str]:
    """The line cut before every link mark (each piece after the first starts with its mark)."""
    return re.split(f"(?=[{re.escape(marks.open)}{re.escape(marks.close)}])", line)


def _ends_inside(raw: str, marks: Marks, inside: bool) -> bool:
    """Whether a link is open after ``raw``."""
    for ch in raw:
        if ch == marks.open:
            inside = True
        elif ch == marks.close:
            inside = False
    return inside
