"""Reference labels that point into a page instead of copying its text (W3C Web Annotation style).

Pages under ../shared must not be copied into the project, so a hand-made label of such a page stores
*anchors*: short quotes that locate the article body in the page's text, in the manner of a W3C Web
Annotation ``RangeSelector`` whose start and end are ``TextQuoteSelector`` s. Resolving a label against
the page gives back the reference text; the label file holds only these short quotes and the
headline, date and source as metadata.

**Page text** (:func:`page_text`): the page bytes decoded as strict UTF-8 (a leading BOM dropped; every
labelled page is a UTF-8 rendered DOM, so an undecodable byte is an error, not a guess), parsed with
``lxml.html``; ``script``, ``style``, ``noscript`` and ``template`` elements and all comments and
processing instructions are removed (their tails kept); the text is the concatenation of every text node
under ``<body>``, in document order, with ALL whitespace removed (``str.isspace``: includes U+3000 and
U+00A0). Scoring (../shared/eval/README.md) is whitespace-free, so nothing is lost by this.

**Label** (one entry of ``pages`` in a labels JSON file)::

    {"path": "sina/2.html", "host": "finance.sina.com.cn", "site": "sina",
     "title": "...", "published": "2018-12-28 19:55", "source": "新京报" | null,
     "ranges": [["<start quote>", "<end quote>"], ...], "note": "what was excluded and why"}

Each range is resolved from a cursor (0 at first, then the end of the previous range): the start quote
must occur in the page text at or after the cursor exactly once (unique from there to the end of the
page); the end quote is its first occurrence at or after the start. The range covers the text from the
start quote's first character through the end quote's last. The reference body is the concatenation of
the ranges in order (:func:`resolve` joins them with a newline, which scoring ignores). Quotes are
short (about 6-16 characters) and whitespace-free.

Title, publish date (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``) and source are short metadata stored as
plain values. The labels of the national-news set are ``bench/labels/news-national.json``
(:data:`NEWS_LABELS`, pages under :data:`NEWS_PAGES`); bench/labels/README.md says how they were made.

bench/ is not a package and bench/extraction.py runs with bench/ off ``sys.path``, so load this module by
file path (as tests/extract/extract_testdata.py does)::

    spec = importlib.util.spec_from_file_location("quote_labels", ROOT / "bench" / "quote_labels.py")

Run it to resolve every label and print one line per page (exit 1 naming the page and quote that fail)::

    .venv/bin/python bench/quote_labels.py [LABELS_JSON [PAGES_DIR]]

>>> text = "导航首页正文第一段。正文第二段。广告正文第三段。责任编辑：某"
>>> resolve_ranges(text, [["正文第一段", "第二段。"], ["正文第三段", "第三段。"]], where="example")
['正文第一段。正文第二段。', '正文第三段。']
>>> resolve_ranges(text, [["正文", "。"]], where="example")
Traceback (most recent call last):
...
quote_labels.LabelError: example: range 1: start quote '正文' occurs 3 times at or after offset 0; \
use a longer quote that occurs once
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
NEWS_LABELS = ROOT / "bench" / "labels" / "news-national.json"
NEWS_PAGES = ROOT / ".." / "shared" / "eval" / "extraction" / "news-unlabeled"
DROPPED_ELEMENTS = ("script", "style", "noscript", "template")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WS = re.compile(r"\s+")

__all__ = ["NEWS_LABELS", "NEWS_PAGES", "Label", "LabelError", "cjk_count", "load_labels", "page_text",
           "resolve", "resolve_ranges"]


class LabelError(ValueError):
    """A label that does not resolve against its page (the message names the file and the quote)."""


@dataclass(frozen=True)
class Label:
    """One hand-made label; ``ranges`` are (start quote, end quote) pairs."""

    path: str
    host: str
    site: str
    title: str
    published: str | None
    source: str | None
    ranges: tuple[tuple[str, str], ...]
    note: str


def page_text(data: bytes, where: str = "<page>") -> str:
    """The whitespace-free visible text of a page's ``<body>`` (definition in the module docstring).

    >>> page_text('<html><head><title>T</title></head><body><p>甲\u3000乙<script>x()</script>丙'
    ...           '<!-- c -->丁</p><style>p{}</style> 戊\u00a0己</body></html>'.encode())
    '甲乙丙丁戊己'
    """
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LabelError(f"{where}: not valid UTF-8 at byte {err.start}; labelled pages must be UTF-8"
                         ) from err
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    body = root.find("body")
    if body is None:
        return ""
    etree.strip_elements(body, *DROPPED_ELEMENTS, etree.Comment, etree.ProcessingInstruction,
                         with_tail=False)
    return _WS.sub("", "".join(body.itertext()))


def resolve_ranges(text: str, ranges: list[list[str]] | tuple[tuple[str, str], ...],
                   where: str = "<label>") -> list[str]:
    """The text of each range, resolved in order from a moving cursor; :class:`LabelError` if one fails."""
    cursor, out = 0, []
    for n, pair in enumerate(ranges, 1):
        if len(pair) != 2 or not all(isinstance(q, str) and q for q in pair):
            raise LabelError(f"{where}: range {n} must be [start quote, end quote], got {pair!r}")
        start_quote, end_quote = pair
        for quote in pair:
            if _WS.search(quote):
                raise LabelError(f"{where}: range {n}: quote {quote!r} holds whitespace; page text has none")
        start = text.find(start_quote, cursor)
        if start < 0:
            raise LabelError(f"{where}: range {n}: start quote {start_quote!r} not found at or after "
                             f"offset {cursor} (the end of the previous range)")
        count = _count_overlapping(text, start_quote, cursor)
        if count > 1:
            raise LabelError(f"{where}: range {n}: start quote {start_quote!r} occurs {count} times at or "
                             f"after offset {cursor}; use a longer quote that occurs once")
        end = text.find(end_quote, start)
        if end < 0:
            raise LabelError(f"{where}: range {n}: end quote {end_quote!r} not found after its start quote "
                             f"{start_quote!r} (offset {start})")
        cursor = end + len(end_quote)
        out.append(text[start:cursor])
    return out


def _count_overlapping(text: str, quote: str, cursor: int) -> int:
    count, at = 0, text.find(quote, cursor)
    while at >= 0:
        count += 1
        at = text.find(quote, at + 1)
    return count


def load_labels(path: Path) -> list[Label]:
    """The labels of a JSON file (``{"pages": [...]}``); :class:`LabelError` naming the file and key."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise LabelError(f"{path}: cannot read labels: {err}") from err
    pages = doc.get("pages") if isinstance(doc, dict) else None
    if not isinstance(pages, list):
        raise LabelError(f'{path}: expected an object with a "pages" list')
    return [_label(entry, f"{path}: pages[{i}]") for i, entry in enumerate(pages)]


def _label(entry: Any, where: str) -> Label:
    if not isinstance(entry, dict):
        raise LabelError(f"{where}: expected an object")
    for key in ("path", "host", "site", "title", "ranges", "note"):
        if key not in entry:
            raise LabelError(f"{where}: missing key {key!r}")
    published = entry.get("published")
    if published is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d(?: \d\d:\d\d)?", published):
        raise LabelError(f"{where}: published {published!r} is not YYYY-MM-DD or YYYY-MM-DD HH:MM")
    ranges = entry["ranges"]
    if not isinstance(ranges, list) or not ranges:
        raise LabelError(f"{where} ({entry['path']}): ranges must be a non-empty list")
    for n, pair in enumerate(ranges, 1):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(q, str) and q for q in pair)):
            raise LabelError(f"{where} ({entry['path']}): range {n} must be [start quote, end quote], "
                             f"got {pair!r}")
    return Label(path=entry["path"], host=entry["host"], site=entry["site"], title=entry["title"],
                 published=published, source=entry.get("source"),
                 ranges=tuple((pair[0], pair[1]) for pair in ranges), note=entry["note"])


def resolve(label: Label, pages_dir: Path) -> tuple[str, str | None, str]:
    """(title, published, body) of a label against its page under ``pages_dir``.

    The body is the label's ranges joined by newlines. Raises :class:`LabelError` naming the page file
    and the quote that fails to resolve.
    """
    page = pages_dir / label.path
    try:
        data = page.read_bytes()
    except OSError as err:
        raise LabelError(f"{page}: cannot read the labelled page: {err}") from err
    text = page_text(data, where=str(page))
    return label.title, label.published, "\n".join(resolve_ranges(text, label.ranges, where=str(page)))


def cjk_count(text: str) -> int:
    """Han characters in ``text`` (CJK Unified Ideographs, Extension A, compatibility block).

    >>> cjk_count("iPhone11售价5499元")
    3
    """
    return len(_CJK.findall(text))


def main(argv: list[str] | None = None) -> int:
    """Resolve every label of a file against its pages; one line per page, exit 1 on the first failure."""
    args = sys.argv[1:] if argv is None else argv
    labels_path = Path(args[0]) if args else NEWS_LABELS
    pages_dir = Path(args[1]) if len(args) > 1 else NEWS_PAGES
    if not pages_dir.is_dir():
        print(f"pages not found at {pages_dir.resolve()}; nothing to resolve (not an error)")
        return 0
    try:
        labels = load_labels(labels_path)
        for label in labels:
            title, published, body = resolve(label, pages_dir)
            print(f"{label.path:28} {cjk_count(body):6d} CJK  {published or '-':16}  {title}")
    except LabelError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{len(labels)} labels resolve against {pages_dir.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
