"""Benchmark: normalize's HTML extraction against bare trafilatura.extract, on every evaluation set.

    .venv/bin/python bench/extraction.py [--sets NAME,...] [--shared DIR] [--worst N] [--explain]
                                         [--json-out FILE] [--repeat N]

Sets (each skipped with a message when its files are absent; ``--shared`` defaults to ../shared beside
the repo root):

- ``waddle-zh``: 401 news pages, reference body as ``<p>`` lines, title first (no date labels: a date is
  counted *plausible* when it lies within a year before the capture day in the page id);
- ``gov-labelled``: 17 government portal pages, reference body one paragraph a line, title / published /
  source / must_not_contain in meta.json;
- ``news-national``: the project's own labels of news-unlabeled pages (bench/labels/news-national.json,
  text-quote anchors resolved into the page by bench/quote_labels.py), when present;
- ``gov-unlabeled``: 32 government pages without reference: only the recall check against bare
  trafilatura and the furniture check.

Scoring follows ../shared/eval/README.md: character F1 with all whitespace (incl. U+3000, U+00A0)
removed, characters as multisets; shingle F1 the same on 4-character shingles; an empty or failed
prediction scores 0. What is scored is the article BODY without the headline (ours: ``Extraction.text``;
bare trafilatura: its whole output, which holds the title on some pages — what its user would get).

Recall against bare trafilatura: ``keeps`` = the share of the CJK characters of bare trafilatura's
output (as a multiset) that our text holds too. A page with ``keeps < 0.7`` is counted on every set;
``--explain`` prints, for each such page, every line of bare trafilatura's output that our text lacks and
the kind under which our extraction removed it (``removed`` of the Extraction), or ``NOT REMOVED`` when
our extractor never saw it as a line.

Titles: ``title_right`` against the references as published; ``title_right_errata`` with the corrections
of bench/labels/waddle-zh-title-errata.toml (20 waddle-zh references that are not the page's headline:
breadcrumbs, a gallery counter, a site name run in, another article's title; each checked by reading
the page, each failing loudly when it no longer applies).

Pages are decoded with normalize's decoder. Hosts are split deterministically into a tuning and a
validation half by a hash of the host. Time per page is the fastest of ``--repeat`` alternating runs
of ours and bare; the ratio is of the medians over pages (ours / bare), per set and over all pages.

The table is printed first; the last line is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib.util
import json
import re
import statistics
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
# `python bench/extraction.py` puts bench/ first on sys.path, where bench/normalize.py would shadow the
# normalize package: look packages up without it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
DEFAULT_SHARED = ROOT / ".." / "shared"
SETS = ("waddle-zh", "gov-labelled", "news-national", "gov-unlabeled")
NEWS_LABELS = ROOT / "bench" / "labels" / "news-national.json"
TITLE_ERRATA = ROOT / "bench" / "labels" / "waddle-zh-title-errata.toml"
KEEP_FLOOR = 0.7  # "keeps < 70% of bare trafilatura's CJK"
_WS = re.compile(r"[\s\u3000\u00a0]+")
_P = re.compile(r"<p>(.*?)</p>", re.S)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TABLE_MARKS = re.compile(r"(?m)^\s*[-•·]\s+|\\?\|")


def squeeze(text: str) -> str:
    return _WS.sub("", text)


def f1_of(pred: Counter[str], ref: Counter[str]) -> tuple[float, float, float]:
    """(F1, precision, recall) of two multisets; empty prediction or reference scores 0."""
    if not pred or not ref:
        return 0.0, 0.0, 0.0
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    p = overlap / sum(pred.values())
    r = overlap / sum(ref.values())
    return 2 * p * r / (p + r), p, r


def char_f1(pred: str, ref: str) -> tuple[float, float, float]:
    return f1_of(Counter(squeeze(pred)), Counter(squeeze(ref)))


def shingle_f1(pred: str, ref: str, k: int = 4) -> float:
    a, b = squeeze(pred), squeeze(ref)
    return f1_of(Counter(a[i : i + k] for i in range(len(a) - k + 1)),
                 Counter(b[i : i + k] for i in range(len(b) - k + 1)))[0]


def keeps_of_bare(ours: str, bare: str) -> float:
    """The share of bare trafilatura's CJK characters (multiset) that our text holds; 1.0 when bare
    has none.

    >>> keeps_of_bare("正文一", "导航正文一"), keeps_of_bare("", "")
    (0.6, 1.0)
    """
    theirs = Counter(_CJK.findall(bare))
    if not theirs:
        return 1.0
    return sum((Counter(_CJK.findall(ours)) & theirs).values()) / sum(theirs.values())


def reference(path: Path) -> tuple[str, str]:
    """(title, body) of a waddle-zh reference file: ``<p>`` lines, title first, entities unescaped."""
    paras = [html.unescape(p) for p in _P.findall(path.read_text("utf-8"))]
    return (paras[0] if paras else ""), "\n".join(paras[1:])


def host_half(page_id: str) -> str:
    """'tune' or 'valid', by a stable hash of the host part of a waddle-zh id (or of a host)."""
    host = page_id.split("_")[1] if page_id.count("_") >= 2 else page_id
    return "tune" if hashlib.sha256(host.encode()).digest()[0] % 2 == 0 else "valid"


def date_plausible(published: str | None, page_id: str) -> bool:
    """A publish date at most a day after the capture day in the id (YYYYMMDD_...), under a year before.

    >>> date_plausible("2011-12-08T10:00", "20111209_x_y"), date_plausible("2013-01-01", "20111209_x_y")
    (True, False)
    """
    if not published or len(published) < 10 or not page_id[:8].isdigit():
        return False
    from datetime import date

    try:
        pub = date.fromisoformat(published[:10])
    except ValueError:
        return False
    crawled = date(int(page_id[:4]), int(page_id[4:6]), int(page_id[6:8]))
    return -1 <= (crawled - pub).days <= 366  # -1: capture day in UTC, page in China time


def same_day(published: str | None, labelled: str | None) -> bool:
    """Our ISO date names the labelled day ("2026-04-29 09:22" vs "2026-04-29T09:22").

    >>> same_day("2026-04-29T09:22", "2026-04-29 09:22"), same_day("--04-29", "2026-04-29")
    (True, False)
    """
    return bool(published and labelled) and (published or "")[:10] == (labelled or "")[:10]


# --- the sets --------------------------------------------------------------------------------------

@dataclass
class Page:
    """One page of a set, with what its labels say (None: not labelled)."""

    set: str
    id: str
    half: str
    data: bytes
    body: str | None = None
    title: str | None = None
    published: str | None = None
    must_not_contain: list[str] = field(default_factory=list)
    erratum: dict[str, str] | None = None  # bench/labels/waddle-zh-title-errata.toml entry, if any


def title_errata(path: Path = TITLE_ERRATA) -> dict[str, dict[str, str]]:
    """The waddle-zh title errata by page (see the file's header)."""
    if not path.exists():
        return {}
    return {e["page"]: e for e in tomllib.loads(path.read_text("utf-8"))["erratum"]}


def waddle_pages(root: Path) -> Iterator[Page]:
    html_dir, ref_dir = root / "html", root / "reference"
    errata = title_errata()
    for path in sorted(html_dir.iterdir()):
        if (ref_dir / path.name).exists():
            title, body = reference(ref_dir / path.name)
            yield Page("waddle-zh", path.name, host_half(path.name), path.read_bytes(), body, title,
                       erratum=errata.get(path.name))


def corrected_title(page: Page, text: str) -> str | None:
    """The reference title with the page's erratum applied (squeezed); an erratum that does not apply
    any more raises, so a changed reference or page is noticed."""
    if page.title is None or page.erratum is None:
        return None if page.title is None else squeeze(page.title)
    ref, e = squeeze(page.title), page.erratum
    if "strip_prefix" in e or "strip_suffix" in e:
        prefix, suffix = squeeze(e.get("strip_prefix", "")), squeeze(e.get("strip_suffix", ""))
        if not (ref.startswith(prefix) and ref.endswith(suffix)):
            raise ValueError(f"{TITLE_ERRATA.name}: erratum for {page.id} does not apply: the reference "
                             "no longer has the furniture it strips; update or remove the entry")
        return ref[len(prefix):len(ref) - len(suffix)]
    found = _parse(text).xpath(e["element"])
    if not found:
        raise ValueError(f"{TITLE_ERRATA.name}: erratum for {page.id}: {e['element']} not on the page; "
                         "update or remove the entry")
    headline = squeeze(found[0].text_content())
    return headline.split(squeeze(e["before"]))[0] if e.get("before") else headline


def gov_pages(root: Path, name: str) -> Iterator[Page]:
    meta = json.loads((root / "meta.json").read_text("utf-8"))
    for path in sorted((root / "html").glob("*.html")):
        m = meta.get(path.stem, {})
        ref = root / "reference" / f"{path.stem}.txt"
        body = ref.read_text("utf-8") if ref.exists() else None
        yield Page(name, path.stem, host_half(m.get("host", path.stem)), path.read_bytes(), body,
                   m.get("title"), m.get("published"), list(m.get("must_not_contain", [])))


def news_pages(shared: Path) -> Iterator[Page]:
    """The national-news labels (bench/labels/news-national.json) resolved by bench/quote_labels.py."""
    spec = importlib.util.spec_from_file_location("quote_labels", ROOT / "bench" / "quote_labels.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
    if spec.name not in sys.modules:
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    pages_dir = shared / "eval" / "extraction" / "news-unlabeled"
    for label in module.load_labels(NEWS_LABELS):
        title, published, body = module.resolve(label, pages_dir)
        yield Page("news-national", label.path, host_half(label.host), (pages_dir / label.path).read_bytes(),
                   body, title, published)


def load_set(name: str, shared: Path) -> tuple[list[Page], str | None]:
    """The pages of one set, or ([], why it is skipped)."""
    root = shared / "eval" / "extraction" / name
    if name == "news-national":
        if not NEWS_LABELS.exists() or not (ROOT / "bench" / "quote_labels.py").exists():
            return [], f"{NEWS_LABELS.relative_to(ROOT)} not found (the labels have not landed)"
        if not (shared / "eval" / "extraction" / "news-unlabeled").is_dir():
            return [], "news-unlabeled not found under --shared"
        return list(news_pages(shared)), None
    if not (root / "html").is_dir():
        return [], f"{root.resolve()} not found"
    return (list(waddle_pages(root)) if name == "waddle-zh" else list(gov_pages(root, name))), None


# --- running both extractors ----------------------------------------------------------------------

@dataclass
class Ours:
    text: str = ""
    title: str | None = None
    published: str | None = None
    method: str = "error"
    error: str | None = None
    removed: list[tuple[str, str]] = field(default_factory=list)


def decoder() -> Callable[[bytes], str]:
    from normalize import decode

    return lambda data: decode(data).text


def run_ours(text: str) -> Ours:
    """Our extractor's body, title, date, method and removed blocks (or the error reason)."""
    from normalize import ExtractionError, extract_html

    try:
        ex = extract_html(text)
    except ExtractionError as err:
        return Ours(error=err.reason)
    removed = [(r.kind, r.text) for r in ex.removed]
    return Ours(ex.text, ex.meta.title, ex.meta.published, ex.method, None, removed)


@dataclass
class PageScore:
    set: str
    id: str
    half: str
    labelled: bool
    ours: tuple[float, float, float]
    ours_shingle: float
    bare: tuple[float, float, float]
    bare_shingle: float
    keeps: float
    ours_ms: float
    bare_ms: float
    title_ok: bool | None
    title_ok_errata: bool | None  # the same, against the reference with its title erratum applied
    date_ok: bool | None
    date_found: bool
    furniture_left: list[str]
    method: str
    error: str | None
    missing: list[tuple[str, str]]  # bare's lines we lack: (kind we removed it as, or "", line)


def timed(repeat: int, text: str) -> tuple[Ours, str, float, float]:
    """Both extractors on one page, alternating, each timing the fastest of ``repeat`` runs."""
    ours_ms, bare_ms = [], []
    ours, bare = Ours(), ""
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        ours = run_ours(text)
        t1 = time.perf_counter()
        bare = trafilatura.extract(text) or ""
        t2 = time.perf_counter()
        ours_ms.append((t1 - t0) * 1000)
        bare_ms.append((t2 - t1) * 1000)
    return ours, bare, min(ours_ms), min(bare_ms)


def missing_lines(ours: Ours, bare: str, page: str) -> list[tuple[str, str]]:
    """Lines (table cells: the two extractors render tables apart) of bare trafilatura's output with CJK
    text that our body does not hold, each with why:
    the kind our extraction removed it under; else, for a line that never was a line of our article
    (outside the container we extracted), ``outside:<kind>`` when our line classifier names it or
    ``outside:<region>`` when the page marks the block holding it as a region that is not the article
    (:func:`page_region`: comments, footer, navigation, sidebar, related ...); else "" (unexplained)."""
    from normalize.structure.furniture import classify_line

    have = _comparable(ours.text)
    removed = [(kind, _comparable(text)) for kind, text in ours.removed]
    out = []
    root = None
    for cell in (c for line in bare.split("\n") for c in re.split(r"(?<!\\)\|", line)):
        whole = _comparable(cell)
        rest = "" if whole in have else _leftover(whole, [have])  # what of it our text does not hold
        if not _CJK.search(rest):
            continue
        kind = "title" if ours.title and whole == _comparable(ours.title) else ""
        kind = kind or next((k for k, t in removed if whole in t or (len(t) >= 4 and t in whole)), "")
        kind = kind or next((k for k, t in removed if not _CJK.search(_leftover(rest, [t]))), "")
        outside = "" if kind else classify_line(cell.strip(" -"))
        if not kind and not outside:
            root = _parse(page) if root is None else root
            outside = page_region(root, rest) or page_region(root, whole)
        out.append((kind or (f"outside:{outside}" if outside else ""), cell.strip()))
    return out


def _leftover(text: str, holders: list[str], least: int = 4) -> str:
    """``text`` without its pieces of ``least`` or more characters that one of ``holders`` contains
    (a bare trafilatura cell may join a line we kept to one we removed).

    >>> _leftover("正文一段【2012/01/11联合晚报】", ["他说正文一段的话"])
    '【2012/01/11联合晚报】'
    """
    out, i = [], 0
    while i < len(text):
        lo, hi = 0, len(text) - i
        while lo < hi:  # the longest piece from i that a holder contains
            mid = (lo + hi + 1) // 2
            if any(text[i:i + mid] in h for h in holders):
                lo = mid
            else:
                hi = mid - 1
        if lo >= least:
            i += lo
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _parse(page: str) -> Any:
    from lxml import html as lxml_html

    try:
        return lxml_html.document_fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return lxml_html.fromstring("<html></html>")


_REGION = re.compile(
    r"comment|pinglun|gentie|reply|discuss|footer|foot|copyright|nav|menu|header|top|sidebar|side|aside"
    r"|right|left|related|relate|xgxw|recommend|tuijian|hot|rank|paihang|share|fenxiang|ad[sv_-]|banner|login"
    r"|crumb|weizhi|dqwz|position|logo|brand|masthead",
    re.I,
)


LINKED_SHARE = 0.6  # a block whose text is mostly link text is a menu or a list of links
MENU_LABEL_CHARS = 8  # a label this short is judged with the block around it (区县 beside its links)
_ELLIPSIS_END = re.compile(r"(?:\.{3,}|…+)\s*$")


def page_region(root: Any, text: str) -> str:
    """Where on the page ``text`` stands, when it was never a line of our article: ``link`` when it
    is the text of a link to another page, else the region the class/id of the smallest element
    containing its first characters (or of its ancestors) names, else ``teaser`` when it is cut short
    ("...") beside a link to another page in the same block (another article's lead under its linked
    headline), else ``links`` when that element's text (for a label of at most
    :data:`MENU_LABEL_CHARS` characters, the text of the block around it: 区县 beside its districts)
    is mostly link text (a menu bar of many links) ("" when none). Table pipes are ignored on both
    sides (bare trafilatura renders a bar's cells with them)."""
    from normalize.extract.links import points_elsewhere

    probe = text.replace("|", "")[:12]
    if not probe:
        return ""
    holders = [el for el in root.iter() if isinstance(el.tag, str) and probe in _flat(el)]
    if not holders:
        return ""
    el = holders[-1]
    links = [a for a in root.iter("a") if probe[:6] in _flat(a)]
    if any(points_elsewhere(a.get("href")) for a in links):
        return "link"  # the text of a link to another page (a menu entry, a teaser)
    block = el
    while el is not None:
        for attr in ("class", "id"):
            if m := _REGION.search(el.get(attr) or ""):
                return m.group(0).lower().strip("_-")
        el = el.getparent()
    parent = block.getparent()
    if _ELLIPSIS_END.search(text) and parent is not None and any(
            points_elsewhere(a.get("href")) for a in parent.iter("a")):
        return "teaser"
    while (len(_flat(block)) <= MENU_LABEL_CHARS and next(block.iter("a"), None) is None
           and block.getparent() is not None):  # a label (no link of its own) beside its links
        block = block.getparent()
    own = len(_flat(block))
    linked = sum(len(_flat(a)) for a in block.iter("a"))
    return "links" if own and linked >= LINKED_SHARE * own else ""


def _flat(el: Any) -> str:
    return squeeze("".join(el.itertext())).replace("|", "")


def _comparable(text: str) -> str:
    """Text without whitespace, list marks and table pipes (the two extractors render tables apart)."""
    return squeeze(_TABLE_MARKS.sub("", text))


def score_page(page: Page, decode: Callable[[bytes], str], repeat: int) -> PageScore:
    text = decode(page.data)
    ours, bare, ours_ms, bare_ms = timed(repeat, text)
    ref = page.body
    keeps = keeps_of_bare(ours.text, bare)
    if page.title is not None:
        title_ok: bool | None = ours.title is not None and squeeze(ours.title) == squeeze(page.title)
        title_ok_errata: bool | None = ours.title is not None and \
            squeeze(ours.title) == corrected_title(page, text)
    else:
        title_ok = title_ok_errata = None
    if page.published is not None:
        date_ok: bool | None = same_day(ours.published, page.published)
    elif page.set == "waddle-zh":
        date_ok = date_plausible(ours.published, page.id)
    else:
        date_ok = None
    return PageScore(
        set=page.set, id=page.id, half=page.half, labelled=ref is not None,
        ours=char_f1(ours.text, ref) if ref is not None else (0.0, 0.0, 0.0),
        ours_shingle=shingle_f1(ours.text, ref) if ref is not None else 0.0,
        bare=char_f1(bare, ref) if ref is not None else (0.0, 0.0, 0.0),
        bare_shingle=shingle_f1(bare, ref) if ref is not None else 0.0,
        keeps=round(keeps, 4), ours_ms=ours_ms, bare_ms=bare_ms, title_ok=title_ok, date_ok=date_ok,
        title_ok_errata=title_ok_errata,
        date_found=ours.published is not None,
        furniture_left=[s for s in page.must_not_contain if squeeze(s) in squeeze(ours.text)],
        method=ours.method, error=ours.error,
        missing=missing_lines(ours, bare, text) if keeps < KEEP_FLOOR else [],
    )


# --- figures ---------------------------------------------------------------------------------------

def _mean(values: list[float]) -> float:
    return round(statistics.mean(values), 4) if values else float("nan")


def summary(pages: list[PageScore]) -> dict[str, Any]:
    """The figures of one set of pages (both extractors)."""
    if not pages:
        return {"pages": 0}
    out: dict[str, Any] = {"pages": len(pages)}
    scored = [p for p in pages if p.labelled]
    if scored:
        out |= {
            "ours_f1_mean": _mean([p.ours[0] for p in scored]),
            "ours_precision_mean": _mean([p.ours[1] for p in scored]),
            "ours_recall_mean": _mean([p.ours[2] for p in scored]),
            "ours_f1_median": round(statistics.median(p.ours[0] for p in scored), 4),
            "ours_shingle_f1_mean": _mean([p.ours_shingle for p in scored]),
            "ours_below_0_5": sum(p.ours[0] < 0.5 for p in scored),
            "bare_f1_mean": _mean([p.bare[0] for p in scored]),
            "bare_precision_mean": _mean([p.bare[1] for p in scored]),
            "bare_recall_mean": _mean([p.bare[2] for p in scored]),
            "bare_f1_median": round(statistics.median(p.bare[0] for p in scored), 4),
            "bare_shingle_f1_mean": _mean([p.bare_shingle for p in scored]),
            "bare_below_0_5": sum(p.bare[0] < 0.5 for p in scored),
            "regressions_below_0_5_where_bare_above_0_8": sum(
                p.ours[0] < 0.5 and p.bare[0] > 0.8 for p in scored),
        }
    titled = [p.title_ok for p in pages if p.title_ok is not None]
    titled_errata = [p.title_ok_errata for p in pages if p.title_ok_errata is not None]
    dated = [p.date_ok for p in pages if p.date_ok is not None]
    out |= {
        "title_right": _mean([float(t) for t in titled]) if titled else None,
        "title_right_errata": _mean([float(t) for t in titled_errata]) if titled_errata else None,
        "date_right": _mean([float(d) for d in dated]) if dated else None,
        "keeps_below_0_7": sum(p.keeps < KEEP_FLOOR for p in pages),
        "unexplained_drops": sum(1 for p in pages for kind, _ in p.missing if not kind),
        "keeps_min": min(p.keeps for p in pages),
        "furniture_pages": sum(bool(p.furniture_left) for p in pages),
        "errors": sum(p.error is not None for p in pages),
        "ours_ms_median": round(statistics.median(p.ours_ms for p in pages), 2),
        "bare_ms_median": round(statistics.median(p.bare_ms for p in pages), 2),
    }
    out["time_ratio"] = round(out["ours_ms_median"] / max(out["bare_ms_median"], 1e-9), 3)
    return out


def print_table(figures: dict[str, dict[str, Any]]) -> None:
    cols = list(figures)
    keys: list[str] = []
    for col in cols:
        keys += [k for k in figures[col] if k not in keys]
    width = max(12, *(len(c) + 2 for c in cols))
    print(f"{'figure':44}" + "".join(f"{c:>{width}}" for c in cols))
    for key in keys:
        cells = (figures[c].get(key, "") for c in cols)
        print(f"{key:44}" + "".join(f"{'' if v is None else v:>{width}}" for v in cells))


def print_worst(pages: list[PageScore], n: int) -> None:
    scored = sorted((p for p in pages if p.labelled), key=lambda p: p.ours[0])[:n]
    for p in scored:
        print(f"{p.ours[0]:.3f} P{p.ours[1]:.2f} R{p.ours[2]:.2f} bare {p.bare[0]:.3f} keeps {p.keeps:.2f} "
              f"{p.set:13} {p.half:5} {p.method:11} {p.id[:60]}")


def print_explanations(pages: list[PageScore]) -> None:
    """Every page keeping < 70% of bare trafilatura's CJK: the lines we lack and our kind for each."""
    for p in pages:
        if p.keeps >= KEEP_FLOOR:
            continue
        print(f"\n## {p.set}/{p.id}: keeps {p.keeps:.2f} of bare trafilatura's CJK ({p.method})")
        for kind, line in p.missing:
            print(f"  [{kind or 'NOT REMOVED'}] {line[:100]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the ../shared folder")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst labelled pages (ours)")
    ap.add_argument("--explain", action="store_true",
                    help="for each page keeping < 70%% of bare's CJK, list what we dropped and why")
    ap.add_argument("--json-out", type=Path, help="write per-page scores to this file")
    ap.add_argument("--repeat", type=int, default=1, help="time each page N times, keep the fastest")
    args = ap.parse_args(argv)
    decode = decoder()
    pages: list[PageScore] = []
    skipped: dict[str, str] = {}
    for name in args.sets.split(","):
        found, why = load_set(name, args.shared)
        if why:
            print(f"SKIP {name}: {why}")
            skipped[name] = why
        pages += [score_page(p, decode, args.repeat) for p in found]
    figures = {name: summary([p for p in pages if p.set == name])
               for name in args.sets.split(",") if name not in skipped}
    for half in ("tune", "valid"):
        figures[f"labelled-{half}"] = summary([p for p in pages if p.labelled and p.half == half])
    figures["all"] = summary(pages)
    print_table(figures)
    if args.worst:
        print_worst(pages, args.worst)
    if args.explain:
        print_explanations(pages)
    if args.json_out:
        args.json_out.write_text(json.dumps([p.__dict__ for p in pages], ensure_ascii=False))
    print(f"time ratio (ours/bare, medians over all pages): {figures['all'].get('time_ratio')}")
    print(json.dumps({"sets": figures, "skipped": skipped}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
