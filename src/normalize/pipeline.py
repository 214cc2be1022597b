"""``clean()``: one capture (bytes or text, HTML or plain text) -> one record per article.

Pipeline (each stage a small function below):

- **decode** (:func:`normalize.decoding.decode`) unless the caller passed ``str``;
- **kind**: ``"auto"`` tells HTML from text by its markup (:func:`detect_kind`);
- HTML: :func:`normalize.extract.extract_html` gives the main text and metadata; text: the decoded text;
  an HTML page holding several articles (``Extraction.parts``) gives one record per article, each
  flagged ``"epaper-article"`` as on the text path, dated by the page when it has no date of its own;
- **character repairs** on the whole text (the steps of :data:`normalize.repairs.REPAIR_STEPS` not in
  ``LINE_REPAIRS``: pinyin annotations, script conversion, punctuation ..., with
  :func:`normalize.repairs.tokens.remove_injected_tokens` right after the pinyin step); extracted metadata
  gets the same repairs;
- **structure**: an e-paper page is split into its articles (:mod:`normalize.structure.epaper`); each article
  loses its boilerplate (:mod:`normalize.structure.boilerplate`), gets its **line repairs**
  (``normalize.repairs.LINE_REPAIRS``: joining sentences broken across lines), and then yields its
  metadata (:mod:`normalize.structure.metadata`) — on the joined lines, so that cleaning the output again sees
  the same lines; finally blank lines go: paragraphs are joined by ``"\\n"``.

Record ids are stable: ``BASE-N`` where N is the article's index in the capture (0 for a single
article) and BASE is the capture name without its extension (``000_2b85af4a3afa424e``) when ``name``
is given, else ``url-`` + the first 16 hex digits of SHA-256 of the URL, else ``sha256-`` + the first
16 hex digits of the raw bytes' SHA-256. The same input always gets the same ids.

``repairs`` merges the counts of a step over all phases; ``removed`` lists every block that left the
text (boilerplate, headline and dateline lines moved into fields, injected tokens) in page order.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from normalize.errors import CleanError
from normalize.record import EncodingInfo, Record, Removed, Repair, ScriptInfo, sha256_bytes
from normalize.repairs.registry import apply_plan
from normalize.structure import boilerplate, epaper, metadata
from normalize.structure.meta import Meta

if TYPE_CHECKING:
    from normalize.extract.page import Extraction

KINDS = ("auto", "html", "text")
MAX_JOIN_ROUNDS = 3
HTML_DOC = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
HTML_TAG = re.compile(
    r"</?(?:p|div|br|span|table|td|tr|a|img|meta|title|article|section|h[1-6]|ul|li)\b[^<>]*>", re.I
)
MIN_TAGS = 3
ID_CHARS = re.compile(r"[^\w.\-]+")


@dataclass
class Draft:
    """An article on its way to becoming a :class:`Record`."""

    lines: list[str]
    meta: Meta = field(default_factory=Meta)
    removed: list[Removed] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)  # line phase
    char_repairs: list[Repair] = field(default_factory=list)  # character phase (whole capture or article)


def detect_kind(text: str) -> str:
    """``"html"`` when the text is markup, else ``"text"``: it starts with markup and names a document
    part (doctype, html, head, body), or at least three common tags appear early on.

    >>> detect_kind("<!DOCTYPE html><html><body><p>正文</p></body></html>"), detect_kind("a <b> c")
    ('html', 'text')
    >>> detect_kind("网页以<html>开头，以</html>结尾。"), detect_kind("<div>一</div><p>二</p><br>三")
    ('text', 'html')
    """
    head = text[:4096]
    if head.lstrip("\ufeff \t\r\n")[:1] == "<" and HTML_DOC.search(head):
        return "html"
    return "html" if len(HTML_TAG.findall(head)) >= MIN_TAGS else "text"


def record_base(name: str | None, url: str | None, raw_sha256: str) -> str:
    """The id prefix of a capture's records (see the module docstring).

    >>> record_base("archive/seeds/000_2b85af4a3afa424e.txt", None, "ab")
    '000_2b85af4a3afa424e'
    >>> record_base(None, None, "0123456789abcdef0123")
    'sha256-0123456789abcdef'
    """
    if name:
        stem = PurePosixPath(name.replace("\\", "/")).name
        stem = stem.rsplit(".", 1)[0] if "." in stem[1:] else stem
        return ID_CHARS.sub("_", stem) or "capture"
    if url:
        return "url-" + sha256_bytes(url.encode("utf-8"))[:16]
    return "sha256-" + raw_sha256[:16]


# --- repairs ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """The repair plan of :func:`clean`, from :mod:`normalize.repairs` plus the injected-token step."""

    chars: tuple[str, ...]  # character steps, on the whole capture
    token: str  # the injected-token step (its removals are reported in ``removed``)
    lines: tuple[str, ...]  # line steps, on each article
    script: str  # the script-conversion step (a record says "converted" when it ran)
    after_script: tuple[str, ...]  # character steps after it: run again where lines were joined


@cache
def plan() -> Plan:
    """Injected-token removal joins the character steps right after pinyin annotations are stripped
    (a token is found once "錨點(diǎn)" reads "錨點") and before script conversion.

    >>> p = plan(); p.chars.index(p.token) == p.chars.index("strip_pinyin_annotations") + 1
    True
    """
    from normalize.repairs import CHARACTER_REPAIRS, LINE_REPAIRS, PINYIN_STEP, SCRIPT_STEP, TOKEN_STEP

    token = TOKEN_STEP
    chars = list(CHARACTER_REPAIRS)
    chars.insert(chars.index(PINYIN_STEP) + 1, token)
    after = tuple(chars[chars.index(SCRIPT_STEP) + 1:])
    return Plan(tuple(chars), token, LINE_REPAIRS, SCRIPT_STEP, after)


def merge_repairs(*groups: Iterable[Repair]) -> list[Repair]:
    """Sum the counts of the same step over several phases, keeping first-seen order.

    >>> merge_repairs([Repair("a", 2)], [Repair("b", 1), Repair("a", 1)])
    [Repair(step='a', count=3), Repair(step='b', count=1)]
    """
    totals: dict[str, int] = {}
    for group in groups:
        for r in group:
            totals[r.step] = totals.get(r.step, 0) + r.count
    return [Repair(s, n) for s, n in totals.items()]


def repair_chars(text: str) -> tuple[str, list[Repair]]:
    return apply_plan(text, plan().chars)


def repair_field(value: str | None, *, convert: bool = True) -> str | None:
    """Character repairs on a metadata field (title in traditional -> simplified, ...).

    ``convert=False`` when the article's text was not converted: a field is not judged on its own
    (a name such as 方韋 on a simplified page stays as printed).

    >>> repair_field("方韋", convert=False)
    '方韋'
    """
    if value is None:
        return None
    steps = plan().chars if convert else tuple(s for s in plan().chars if s != plan().script)
    out = apply_plan(value, steps)[0].strip()
    return out or None


def repair_lines(lines: list[str]) -> tuple[list[str], list[Repair]]:
    """Line repairs on one article (trailing spaces go first; blank lines stay: metadata reads them).

    Where lines were joined, the punctuation and spacing steps run again: a join can bring two marks
    together ("14,\\n，业" -> "14,，业") that they repair. Script conversion does not run again (one
    article of a simplified page must not be re-judged on its own).
    """
    text, repairs = apply_plan("\n".join(s.rstrip() for s in lines), plan().lines)
    changed = bool(repairs)
    for _ in range(MAX_JOIN_ROUNDS):  # until stable: a repaired mark or a join can allow one more join
        if not changed:
            break
        text, marks = apply_plan(text, plan().after_script)
        text, joins = apply_plan(text, plan().lines)
        repairs = merge_repairs(repairs, marks, joins)
        changed = bool(marks or joins)
    return text.split("\n"), repairs


# --- script ---------------------------------------------------------------------------------------

def script_of(text: str) -> ScriptInfo:
    """The script of the text before repairs (via :mod:`normalize.repairs.script`, loaded on first use)."""
    from normalize.repairs.script import detect_script

    return ScriptInfo(original=detect_script(text), converted=False)


# --- structure -----------------------------------------------------------------------------------

@dataclass
class Structure:
    drafts: list[Draft]
    removed: list[Removed]  # page-level blocks (e-paper masthead and footer)
    spans: list[tuple[int, int]]  # e-paper: each article's lines on the page; else empty


def structure(text: str, *, headline: bool = True) -> Structure:
    """Split repaired text into article drafts.

    ``headline=False`` when the headline is known already (HTML: the extractor found it).
    """
    lines = text.split("\n")
    if epaper.is_epaper(lines):
        page = epaper.split_epaper(lines)
        drafts = [_epaper_draft(a, page.published) for a in page.articles]
        return Structure(drafts, page.removed, [a.span for a in page.articles])
    return Structure([_text_draft(lines, headline=headline)], [], [])


def _text_draft(lines: list[str], *, headline: bool = True) -> Draft:
    stripped = boilerplate.strip_boilerplate(lines)
    joined, repairs = repair_lines(stripped.lines)
    ex = metadata.extract_metadata(joined, headline=headline)
    removed = _page_order(lines, stripped.removed + ex.removed)
    ex.meta.editor = stripped.editor
    return Draft(ex.body, ex.meta, removed, list(ex.meta.flags), repairs)


def _epaper_draft(article: epaper.PageArticle, published: str | None) -> Draft:
    stripped = boilerplate.strip_boilerplate(article.lines)
    joined, repairs = repair_lines(stripped.lines)
    ex = metadata.extract_metadata(joined, headline=False)
    meta = ex.meta
    meta.title = article.title
    meta.published = published or meta.published
    meta.authors = article.authors + [a for a in meta.authors if a not in article.authors]
    flags = ["epaper-article"]
    if article.photo_caption:  # the name under a photo and its caption is the photographer's
        meta.photographers = list(article.authors)
        meta.authors = [a for a in meta.authors if a not in article.authors]
        flags.append("photo-caption")
    meta.editor = stripped.editor
    removed = article.removed[:1] + stripped.removed + ex.removed + article.removed[1:]
    return Draft(ex.body, meta, removed, flags, repairs)


def _page_order(lines: list[str], removed: list[Removed]) -> list[Removed]:
    """Removed blocks sorted by where their first line stood in the capture."""
    where: dict[str, int] = {}
    for i, s in enumerate(lines):
        where.setdefault(s.strip(), i)

    def pos(r: Removed) -> int:
        first = r.text.split("\n", 1)[0]
        return where.get(first, next((i for i, s in enumerate(lines) if first and first in s), len(lines)))

    return sorted(removed, key=pos)


# --- records -------------------------------------------------------------------------------------

def _finish(draft: Draft) -> Draft:
    """Paragraphs one per line (blank lines go); flags for what is missing."""
    draft.lines = body = [s.strip() for s in draft.lines if s.strip()]
    draft.repairs = merge_repairs(draft.char_repairs, draft.repairs)
    if not body:
        draft.flags.append("empty-body")
    if draft.meta.title is None:
        draft.flags.append("no-title")
    return draft


def to_record(draft: Draft, *, rid: str, url: str | None, encoding: EncodingInfo, script: ScriptInfo,
              raw_sha256: str) -> Record:
    m = draft.meta
    return Record(
        id=rid, text="\n".join(draft.lines), title=m.title, kicker=m.kicker, subtitle=m.subtitle,
        published=m.published, source=m.source, authors=m.authors, photographers=m.photographers,
        editor=m.editor, url=url, encoding=encoding, script=script, repairs=draft.repairs,
        removed=draft.removed, flags=_unique(draft.flags), raw_sha256=raw_sha256,
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- entry points --------------------------------------------------------------------------------

def _decode(data: bytes | str, http_charset: str | None, override: str | None) -> tuple[str, EncodingInfo]:
    if isinstance(data, str):
        return data, EncodingInfo(used="utf-8", why="str-input")
    from normalize.decoding import decode

    decoded = decode(data, http_charset, override=override)
    return decoded.text, decoded.encoding


def repair_text(
    text: str, only: Collection[str] | None = None
) -> tuple[str, list[Repair], list[str], list[Removed]]:
    """Character repairs of a whole capture: (text, repairs, token flags, removed tokens).

    ``only``: run just these steps (in plan order) — the ones that changed the whole page, when an
    e-paper page's articles are counted one by one (:func:`_count_per_article`).
    """
    steps = plan().chars
    if only is not None:
        steps = tuple(s for s in steps if s in only or s == plan().token)
    at = steps.index(plan().token)
    text, before = apply_plan(text, steps[:at])
    from normalize.repairs.tokens import token_report

    flags, removed = token_report(text)
    text, after = apply_plan(text, steps[at:])
    return text, before + after, flags, removed


def _text_drafts(text: str, *, headline: bool = True) -> list[Draft]:
    """Text path: character repairs on the whole capture, then structure."""
    repaired, repairs, flags, token_removed = repair_text(text)
    found = structure(repaired, headline=headline)
    for d in found.drafts:
        d.char_repairs, d.flags = list(repairs), d.flags + flags
    first = found.drafts[0]
    first.removed = found.removed[:1] + first.removed + found.removed[1:]
    if found.spans and _count_per_article(text, repaired, found, repairs):
        return found.drafts
    first.removed += token_removed
    return found.drafts


def _count_per_article(raw: str, repaired: str, found: Structure, page_repairs: list[Repair]) -> bool:
    """E-paper: give each article the character repairs (and injected tokens) of its own lines.

    The character steps keep line breaks, so an article's lines on the raw page are its lines on the
    repaired page. Each article's lines are repaired again on their own, with only the steps that
    changed the page (a step that left the page alone has nothing to count); when every article gives
    exactly the page's result for its lines (the same decisions were taken), the articles get their
    own counts and True is returned. Otherwise all keep the page's counts, flagged
    ``repairs-counted-per-page``, and False is returned.
    """
    raw_lines, fixed_lines = raw.split("\n"), repaired.split("\n")
    if len(raw_lines) != len(fixed_lines):
        return _per_page(found)
    used = {r.step for r in page_repairs}
    own = [repair_text("\n".join(raw_lines[a:b]), only=used) for a, b in found.spans]
    pairs = zip(own, found.spans, strict=True)
    if any(alone != "\n".join(fixed_lines[a:b]) for (alone, *_), (a, b) in pairs):
        return _per_page(found)
    for d, (_, repairs, flags, removed) in zip(found.drafts, own, strict=True):
        d.char_repairs = repairs
        d.flags = [f for f in d.flags if not f.startswith("injected-token:")] + flags
        d.removed += removed
    return True


def _per_page(found: Structure) -> bool:
    for d in found.drafts:
        d.flags.append("repairs-counted-per-page")
    return False


def _html_drafts(ex: Extraction) -> list[Draft]:
    """HTML path: the extracted text goes the text path; extraction metadata gets the same repairs.

    When the extractor found the title, the text heuristics look for no headline; a first line that
    only repeats the title is removed (kind ``"title"``). A page holding several articles
    (``ex.parts``) gives one draft per article (:func:`_parts_drafts`).
    """
    if ex.parts:
        return _parts_drafts(ex)
    drafts = _text_drafts(ex.text, headline=ex.title is None)
    if len(drafts) == 1:
        _apply_extraction(drafts[0], ex)
    for d in drafts:
        d.removed = list(ex.removed) + d.removed
        d.flags = list(ex.flags) + d.flags
    return drafts


def _apply_extraction(draft: Draft, ex: Extraction) -> None:
    """Extraction metadata into the draft; a first line repeating the title goes."""
    _merge_extraction(draft, ex)
    if draft.meta.title:
        draft.lines, repeated = metadata.drop_repeated_title(draft.lines, draft.meta.title)
        draft.removed = repeated + draft.removed


def _parts_drafts(ex: Extraction) -> list[Draft]:
    """A page holding several articles: one draft per part, flagged ``"epaper-article"`` as the text
    path's e-paper articles are.

    As on the text path, the character repairs run on the whole page (one article of a simplified page
    is not re-judged on its own: 方韋 stays) and each article is then counted on its own lines
    (:func:`_count_per_article`). A part without a date of its own gets the page's (the masthead
    date), which beats a month-day read from its lead. The page's furniture goes to the first
    article's ``removed``; the page's flags go to every article.
    """
    texts = [p.text for p in ex.parts]
    page = "\n".join(texts)
    repaired, repairs, token_flags, token_removed = repair_text(page)
    fixed = repaired.split("\n")
    spans, at = [], 0
    for t in texts:
        spans.append((at, at + t.count("\n") + 1))
        at = spans[-1][1]
    if len(fixed) != at:  # a repair changed line breaks: repair each article on its own
        fixed = [line for t in texts for line in repair_text(t)[0].split("\n")]
    drafts = [_text_draft(fixed[a:b], headline=False) for a, b in spans]
    for d in drafts:
        d.char_repairs, d.flags = list(repairs), d.flags + token_flags
    if not _count_per_article(page, repaired, Structure(drafts, [], spans), repairs):
        drafts[0].removed += token_removed
    page_flags = [f for f in ex.flags if f != "no-date"]
    for d, part in zip(drafts, ex.parts, strict=True):
        dated = dataclasses.replace(part, published=part.published or ex.published)
        _apply_extraction(d, dated)
        d.removed = list(part.removed) + d.removed
        d.flags = page_flags + list(part.flags) + d.flags + ["epaper-article"]
    drafts[0].removed = list(ex.removed) + drafts[0].removed
    return drafts


def _extract(html: str, url: str | None) -> Extraction:
    from normalize.extract.page import extract_html

    return extract_html(html, url)


def _merge_extraction(draft: Draft, ex: Extraction) -> None:
    """Extraction metadata wins over what the text heuristics found; it gets the character repairs
    (script conversion only when the article's text was converted)."""
    m = draft.meta
    convert = _was_converted([draft])
    m.title = repair_field(ex.title, convert=convert) or m.title
    m.kicker = repair_field(ex.kicker, convert=convert) or m.kicker
    m.subtitle = repair_field(ex.subtitle, convert=convert) or m.subtitle
    m.source = repair_field(ex.source, convert=convert) or m.source
    if ex.published:  # the page's own date line beats a month-day read from the lead
        m.published = ex.published
        draft.flags = [f for f in draft.flags if f != "published-from-lead"]
    m.editor = repair_field(ex.editor, convert=convert) or m.editor
    m.authors = [n for v in ex.authors if (n := repair_field(v, convert=convert))] or m.authors
    m.photographers = [
        n for v in ex.photographers if (n := repair_field(v, convert=convert))
    ] or m.photographers


def clean(data: bytes | str, *, name: str | None = None, url: str | None = None,
          http_charset: str | None = None, encoding_override: str | None = None,
          kind: str = "auto") -> list[Record]:
    """Clean one capture into its article records (see the module docstring).

    Raises :class:`normalize.errors.CleanError` (reason ``"empty"``, ``"bad-kind"``, or the decoder's /
    extractor's reason) for input that cannot become an article.
    """
    if kind not in KINDS:
        raise CleanError("bad-kind", f"kind={kind!r}: use one of {', '.join(KINDS)}")
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    raw_sha = sha256_bytes(raw)
    text, encoding = _decode(data, http_charset, encoding_override)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CleanError("empty", f"{name or url or 'input'}: no text to clean (empty or only whitespace)")
    kind = detect_kind(text) if kind == "auto" else kind
    if kind == "html":
        ex = _extract(text, url)
        original, drafts = script_of(ex.text), _html_drafts(ex)
    else:
        original, drafts = script_of(text), _text_drafts(text)
    script = ScriptInfo(original.original, converted=_was_converted(drafts))
    base = record_base(name, url, raw_sha)
    return [to_record(_finish(d), rid=f"{base}-{i}", url=url, encoding=encoding, script=script,
                      raw_sha256=raw_sha) for i, d in enumerate(drafts)]


def _was_converted(drafts: list[Draft]) -> bool:
    return any(r.step == plan().script for d in drafts for r in [*d.char_repairs, *d.repairs])
