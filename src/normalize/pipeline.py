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
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from normalize.errors import CleanError
from normalize.record import EncodingInfo, Record, Removed, Repair, ScriptInfo, sha256_bytes
from normalize.repairs.registry import apply_plan
from normalize.structure.draft import Draft, Head, plain_lines

if TYPE_CHECKING:
    from normalize.structure.stage import Article

KINDS = ("auto", "html", "text")
# HTML larger than this is refused with reason "too-large" (the raw capture stays in the archive): the
# parse, trafilatura and the tree walk cost ~4.5 s and ~60 MiB per million characters of table HTML (4M: 18 s,
# 237 MiB RSS), and a real article page
# is far smaller (the largest of 550 evaluation pages is ~1 MB). Text captures are cleaned whatever their
# size: every text step is linear (tests/normalize/test_linear_time.py).
MAX_HTML_CHARS = 2_000_000
MAX_JOIN_ROUNDS = 3
HTML_DOC = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
HTML_TAG = re.compile(
    r"</?(?:p|div|br|span|table|td|tr|a|img|meta|title|article|section|h[1-6]|ul|li)\b[^<>]*>", re.I
)
MIN_TAGS = 3
ID_CHARS = re.compile(r"[^\w.\-]+")


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


# --- drafts -> articles ----------------------------------------------------------------------------

@dataclass
class Cleaned:
    """An article on its way to a record: the structure stage's result and the character repairs
    counted for it."""

    article: Article
    char_repairs: list[Repair] = field(default_factory=list)


def _decode(data: bytes | str, http_charset: str | None,
            override: str | None) -> tuple[str, EncodingInfo, list[str]]:
    """(text, how it was decoded, the decoder's flags)."""
    if isinstance(data, str):
        return data, EncodingInfo(used="utf-8", why="str-input"), []
    from normalize.decoding import decode

    decoded = decode(data, http_charset, override=override)
    return decoded.text, decoded.encoding, list(decoded.flags)


INPUT_FLAGS = {"replace_lone_surrogates": "lone-surrogates", "strip_control_characters": "control-characters"}


def repair_input(text: str) -> tuple[str, list[Repair], list[str]]:
    """The decoded capture made text before anything reads it: line ends as ``"\\n"``, lone surrogates
    as U+FFFD, control characters gone (:data:`normalize.repairs.INPUT_REPAIRS`). Returns the text, the
    repairs and a flag for each step that changed it.

    >>> repair_input("a\\r\\nb\\ud800\\x1b[0m")
    ('a\\nb\\ufffd[0m', [Repair(step='replace_lone_surrogates', count=1), \
Repair(step='strip_control_characters', count=1)], ['lone-surrogates', 'control-characters'])
    """
    from normalize.repairs import INPUT_REPAIRS

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, repairs = apply_plan(text, INPUT_REPAIRS)
    return text, repairs, [INPUT_FLAGS[r.step] for r in repairs]


def repair_text(
    text: str, only: Collection[str] | None = None
) -> tuple[str, list[Repair], list[str], list[Removed]]:
    """Character repairs of a whole capture: (text, repairs, token flags, removed tokens).

    ``only``: run just these steps (in plan order) — the ones that changed the whole page, when an
    e-paper page's articles are counted one by one (:func:`_count_per_article`).
    """
    from normalize.repairs.tokens import token_report

    steps = plan().chars
    if only is not None:
        steps = tuple(s for s in steps if s in only or s == plan().token)
    at = steps.index(plan().token)
    text, before = apply_plan(text, steps[:at])
    flags, removed = token_report(text)
    text, after = apply_plan(text, steps[at:])
    return text, before + after, flags, removed


def _text_drafts(lines: list[str]) -> tuple[list[Draft], list[Removed], list[tuple[int, int]]]:
    """A text capture's drafts: one per article of an e-paper page (with its masthead and footer as
    the page's removed blocks and each article's lines on the page), else one."""
    from normalize.structure import epaper  # with the structure stage, on first use

    if not epaper.is_epaper(lines):
        return [Draft(plain_lines(lines))], [], []
    page = epaper.split_epaper(lines)
    drafts = [Draft(plain_lines(a.lines), Head(title=a.title, meta_date=page.published, byline=a.authors),
                    a.removed, epaper=True) for a in page.articles]
    return drafts, page.removed, [a.span for a in page.articles]


def _text_articles(text: str) -> list[Cleaned]:
    """Text path: character repairs on the whole capture, then drafts, then structure."""
    from normalize.structure.stage import structure_article

    repaired, repairs, flags, token_removed = repair_text(text)
    drafts, page_removed, spans = _text_drafts(repaired.split("\n"))
    out = [Cleaned(structure_article(d, repair_lines), list(repairs)) for d in drafts]
    for c in out:
        c.article.flags += flags
    first = out[0].article
    first.removed = page_removed[:1] + first.removed + page_removed[1:]
    if not (spans and _count_per_article(text, repaired, out, spans, repairs)):
        first.removed += token_removed
    return out


def _count_per_article(raw: str, repaired: str, out: list[Cleaned], spans: list[tuple[int, int]],
                       page_repairs: list[Repair]) -> bool:
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
        return _per_page(out)
    used = {r.step for r in page_repairs}
    own = [repair_text("\n".join(raw_lines[a:b]), only=used) for a, b in spans]
    pairs = zip(own, spans, strict=True)
    if any(alone != "\n".join(fixed_lines[a:b]) for (alone, *_), (a, b) in pairs):
        return _per_page(out)
    for c, (_, repairs, flags, removed) in zip(out, own, strict=True):
        c.char_repairs = repairs
        c.article.flags = [f for f in c.article.flags if not f.startswith("injected-token:")] + flags
        c.article.removed += removed
    return True


def _per_page(out: list[Cleaned]) -> bool:
    for c in out:
        c.article.flags.append("repairs-counted-per-page")
    return False


def _html_articles(html: str, url: str | None) -> tuple[str, list[Cleaned]]:
    """HTML path: the page's drafts, character repairs on all their lines at once (one article of a
    simplified page is not re-judged on its own: 方韋 stays) and on the page head, then structure.

    Returns the extracted text before repairs (its script is the record's) and the articles. The
    page's own furniture goes to the first article's ``removed``; the page's flags to every article.
    """
    from normalize.extract.page import extract_page, nonempty
    from normalize.structure.stage import structure_article

    page = extract_page(html, url)
    texts = ["\n".join(line.text for line in d.lines) for d in page.drafts]
    raw = "\n".join(texts)
    repaired, repairs, token_flags, token_removed = repair_text(raw)
    spans = _spans(texts)
    fixed = repaired.split("\n")
    if len(fixed) != spans[-1][1]:  # a repair changed line breaks: repair each article on its own
        fixed = [line for t in texts for line in repair_text(t)[0].split("\n")]
    convert = any(r.step == plan().script for r in repairs)
    articles = []
    for d, (a, b) in zip(page.drafts, spans, strict=True):
        d.lines = [dataclasses.replace(line, text=t) for line, t in zip(d.lines, fixed[a:b], strict=True)]
        d.kinds = None  # the repaired lines are classified again
        d.head = _repaired_head(d.head, convert)
        articles.append(structure_article(d, repair_lines))
    out = [Cleaned(a, list(repairs)) for a in nonempty(articles)]
    for c in out:
        c.article.flags = page.flags + c.article.flags + token_flags
    first = out[0].article
    first.removed = page.removed + first.removed
    if not (len(out) > 1 and _count_per_article(raw, repaired, out, spans, repairs)):
        first.removed += token_removed
    return raw, out


def _spans(texts: list[str]) -> list[tuple[int, int]]:
    """Each text's lines in the texts joined by newlines: [(start, end)].

    >>> _spans(["甲\\n乙", "丙"])
    [(0, 2), (2, 3)]
    """
    spans, at = [], 0
    for t in texts:
        spans.append((at, at + t.count("\n") + 1))
        at = spans[-1][1]
    return spans


def _repaired_head(head: Head, convert: bool) -> Head:
    """The page head's text with the character repairs (script conversion only when the article's
    text was converted: a field is not judged on its own)."""
    def fix(value: str | None) -> str | None:
        return repair_field(value, convert=convert)

    return dataclasses.replace(
        head, title=fix(head.title), title_tag=fix(head.title_tag), meta_title=fix(head.meta_title),
        headings=_fixed(head.headings, fix), h1=fix(head.h1), kicker=fix(head.kicker),
        subtitle=fix(head.subtitle),
        source=fix(head.source),
        meta_lines=_fixed(head.meta_lines, fix), byline=_fixed(head.byline, fix),
    )


def _fixed(values: list[str], fix: Callable[[str | None], str | None]) -> list[str]:
    return [v for value in values if (v := fix(value))]


# --- records -------------------------------------------------------------------------------------

def to_record(c: Cleaned, *, rid: str, url: str | None, encoding: EncodingInfo, script: ScriptInfo,
              raw_sha256: str) -> Record:
    """The record of one article: paragraphs one per line (blank lines go), flags for what is missing."""
    a, m = c.article, c.article.meta
    body = [s.strip() for s in a.lines if s.strip()]
    flags = a.flags + (["empty-body"] if not body else []) + (["no-title"] if m.title is None else [])
    return Record(
        id=rid, text="\n".join(body), title=m.title, kicker=m.kicker, subtitle=m.subtitle,
        published=m.published, source=m.source, authors=m.authors, photographers=m.photographers,
        editor=m.editor, url=url, encoding=encoding, script=script,
        repairs=merge_repairs(c.char_repairs, a.repairs), removed=a.removed, flags=_unique(flags),
        raw_sha256=raw_sha256,
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- entry point ---------------------------------------------------------------------------------

def clean(data: bytes | str, *, name: str | None = None, url: str | None = None,
          http_charset: str | None = None, encoding_override: str | None = None,
          kind: str = "auto", max_html_chars: int | None = None) -> list[Record]:
    """Clean one capture into its article records (see the module docstring).

    ``max_html_chars``: the most characters of HTML a page may have (default :data:`MAX_HTML_CHARS`);
    a larger page is refused as ``too-large`` before it is parsed.

    Raises :class:`normalize.errors.CleanError` (reason ``"empty"``, ``"bad-kind"``, or the decoder's /
    extractor's reason) for input that cannot become an article.
    """
    if kind not in KINDS:
        raise CleanError("bad-kind", f"kind={kind!r}: use one of {', '.join(KINDS)}")
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    raw_sha = sha256_bytes(raw)
    text, encoding, flags = _decode(data, http_charset, encoding_override)
    text, input_repairs, input_flags = repair_input(text)
    if not text.strip():
        raise CleanError("empty", f"{name or url or 'input'}: no text to clean (empty or only whitespace)")
    kind = detect_kind(text) if kind == "auto" else kind
    limit = MAX_HTML_CHARS if max_html_chars is None else max_html_chars
    if kind == "html" and len(text) > limit:
        raise CleanError("too-large", f"{name or url or 'input'}: {len(text):,} characters of HTML, over the "
                         f"{limit:,} a page may have; the raw capture is kept — raise the limit "
                         "(max_html_chars; default normalize.pipeline.MAX_HTML_CHARS) or clean it as text "
                         "(kind='text')")
    if kind == "html":
        extracted, out = _html_articles(text, url)
        original = script_of(extracted)
    else:
        original, out = script_of(text), _text_articles(text)
    script = ScriptInfo(original.original, converted=_was_converted(out))
    base = record_base(name, url, raw_sha)
    for c in out:
        c.char_repairs = merge_repairs(input_repairs, c.char_repairs)
        c.article.flags = flags + input_flags + c.article.flags
    return [to_record(c, rid=f"{base}-{i}", url=url, encoding=encoding, script=script, raw_sha256=raw_sha)
            for i, c in enumerate(out)]


def _was_converted(out: list[Cleaned]) -> bool:
    return any(r.step == plan().script for c in out for r in [*c.char_repairs, *c.article.repairs])
