"""Benchmark: normalize.extract.extract_html against bare trafilatura.extract on waddle-zh.

    .venv/bin/python bench/extraction.py [DATASET_DIR] [--worst N] [--json-out FILE] [--repeat N]

DATASET_DIR defaults to ../shared/eval/extraction/waddle-zh (beside the repo root); the bench skips
with a message (exit 0) when it is absent. Scoring follows ../shared/eval/README.md:

- character F1: all whitespace (incl. U+3000, U+00A0) removed, characters compared as multisets;
- shingle F1: the same on multisets of consecutive 4-character shingles (order-aware);
- an empty or failed prediction scores 0.

What is compared: the article BODY without the headline. The reference's first ``<p>`` is the title, so
it is dropped from the reference; our prediction is ``Extraction.text`` (the title is a separate field);
bare trafilatura is scored on its whole output against the same reference (its output holds the title
on some pages, which costs it a little precision: that is what a user of it would get). Title accuracy
(exact match after whitespace removal) is reported separately for ours.

Pages are decoded with normalize.decode when it exists (else a local strict UTF-8 then GB18030 decode,
said in the output). Hosts are split deterministically into a tuning and a validation half by a hash of
the host (the id is ``<date>_<host>_<hash>``). Times are medians over pages of per-page wall time
(with --repeat N, the fastest of N alternating runs per page: use it on a shared machine).

The last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
# `python bench/extraction.py` puts bench/ first on sys.path, where bench/normalize.py would shadow the
# normalize package: look packages up without it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
DEFAULT_DATASET = ROOT / ".." / "shared" / "eval" / "extraction" / "waddle-zh"
_WS = re.compile(r"[\s\u3000\u00a0]+")
_P = re.compile(r"<p>(.*?)</p>", re.S)


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


def reference(path: Path) -> tuple[str, str]:
    """(title, body) of a reference file: ``<p>`` lines, title first, entities unescaped."""
    paras = [html.unescape(p) for p in _P.findall(path.read_text("utf-8"))]
    return (paras[0] if paras else ""), "\n".join(paras[1:])


def decoder() -> tuple[Callable[[bytes], str], str]:
    """normalize.decode when available, else a local minimal decode (named in the output)."""
    try:
        from normalize.decode import decode  # type: ignore[import-not-found,unused-ignore]
    except ImportError as err:
        return _local_decode, f"local utf-8/gb18030 (normalize.decode not importable: {err})"
    return (lambda data: decode(data).text), "normalize.decode"


def _local_decode(data: bytes) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", "replace")


def host_half(page_id: str) -> str:
    """'tune' or 'valid', by a stable hash of the host part of the id."""
    host = page_id.split("_")[1] if page_id.count("_") >= 2 else page_id
    return "tune" if hashlib.sha256(host.encode()).digest()[0] % 2 == 0 else "valid"


@dataclass
class PageScore:
    id: str
    half: str
    ours: tuple[float, float, float]
    ours_shingle: float
    ours_ms: float
    bare: tuple[float, float, float]
    bare_shingle: float
    bare_ms: float
    title_ok: bool
    date_found: bool
    date_plausible: bool
    method: str
    error: str | None


def run_ours(text: str) -> tuple[str, str | None, str | None, str, str | None]:
    """(body, title, published, method, error reason) of our extractor."""
    from normalize.errors import ExtractionError
    from normalize.extract import extract_html

    try:
        ex = extract_html(text)
    except ExtractionError as err:
        return "", None, None, "error", err.reason
    return ex.text, ex.title, ex.published, ex.method, None


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


def score_page(path: Path, ref_dir: Path, decode: Callable[[bytes], str], repeat: int = 1) -> PageScore:
    """Both extractors on one page; each timing is the fastest of ``repeat`` runs, ours and bare
    alternating, so that load from other processes on a shared machine hits both alike."""
    text = decode(path.read_bytes())
    ref_title, ref_body = reference(ref_dir / path.name)
    ours_ms, bare_ms = [], []
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        ours, title, published, method, error = run_ours(text)
        t1 = time.perf_counter()
        bare = trafilatura.extract(text) or ""
        t2 = time.perf_counter()
        ours_ms.append((t1 - t0) * 1000)
        bare_ms.append((t2 - t1) * 1000)
    return PageScore(
        id=path.name,
        half=host_half(path.name),
        ours=char_f1(ours, ref_body),
        ours_shingle=shingle_f1(ours, ref_body),
        ours_ms=min(ours_ms),
        bare=char_f1(bare, ref_body),
        bare_shingle=shingle_f1(bare, ref_body),
        bare_ms=min(bare_ms),
        title_ok=title is not None and squeeze(title) == squeeze(ref_title),
        date_found=published is not None,
        date_plausible=date_plausible(published, path.name),
        method=method,
        error=error,
    )


def summary(pages: list[PageScore]) -> dict[str, float | int]:
    """The figures of one set of pages (both extractors)."""
    if not pages:
        return {"pages": 0}
    ours_f = [p.ours[0] for p in pages]
    bare_f = [p.bare[0] for p in pages]
    return {
        "pages": len(pages),
        "ours_f1_mean": round(statistics.mean(ours_f), 4),
        "ours_f1_median": round(statistics.median(ours_f), 4),
        "ours_precision_mean": round(statistics.mean(p.ours[1] for p in pages), 4),
        "ours_recall_mean": round(statistics.mean(p.ours[2] for p in pages), 4),
        "ours_shingle_f1_mean": round(statistics.mean(p.ours_shingle for p in pages), 4),
        "ours_below_0_5": sum(f < 0.5 for f in ours_f),
        "ours_title_exact": round(statistics.mean(p.title_ok for p in pages), 4),
        "ours_date_found": round(statistics.mean(p.date_found for p in pages), 4),
        "ours_date_plausible": round(statistics.mean(p.date_plausible for p in pages), 4),
        "ours_errors": sum(p.error is not None for p in pages),
        "ours_fallback_pages": sum(p.method == "fallback" for p in pages),
        "bare_f1_mean": round(statistics.mean(bare_f), 4),
        "bare_f1_median": round(statistics.median(bare_f), 4),
        "bare_precision_mean": round(statistics.mean(p.bare[1] for p in pages), 4),
        "bare_recall_mean": round(statistics.mean(p.bare[2] for p in pages), 4),
        "bare_shingle_f1_mean": round(statistics.mean(p.bare_shingle for p in pages), 4),
        "bare_below_0_5": sum(f < 0.5 for f in bare_f),
        "regressions_below_0_5_where_bare_above_0_8": sum(
            p.ours[0] < 0.5 and p.bare[0] > 0.8 for p in pages
        ),
        "ours_ms_median": round(statistics.median(p.ours_ms for p in pages), 2),
        "bare_ms_median": round(statistics.median(p.bare_ms for p in pages), 2),
    }


def print_table(figures: dict[str, dict[str, float | int]]) -> None:
    halves = list(figures)
    keys = [k for k in figures["all"] if k != "pages"]
    print(f"{'figure':44}" + "".join(f"{h:>10}" for h in halves))
    print(f"{'pages':44}" + "".join(f"{figures[h].get('pages', 0):>10}" for h in halves))
    for key in keys:
        print(f"{key:44}" + "".join(f"{figures[h].get(key, ''):>10}" for h in halves))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATASET)
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages (ours)")
    ap.add_argument("--json-out", type=Path, help="write per-page scores to this file")
    ap.add_argument("--repeat", type=int, default=1, help="time each page N times, keep the fastest")
    args = ap.parse_args(argv)
    html_dir, ref_dir = args.dataset / "html", args.dataset / "reference"
    if not html_dir.is_dir() or not ref_dir.is_dir():
        print(f"SKIP: dataset not found at {args.dataset.resolve()} (needs html/ and reference/)")
        print(json.dumps({"skipped": True, "dataset": str(args.dataset)}))
        return 0
    decode, decode_name = decoder()
    print(f"dataset: {args.dataset.resolve()}  decoding: {decode_name}")
    paths = [p for p in sorted(html_dir.iterdir()) if (ref_dir / p.name).exists()]
    pages = [score_page(p, ref_dir, decode, args.repeat) for p in paths]
    figures = {
        "all": summary(pages),
        "tune": summary([p for p in pages if p.half == "tune"]),
        "valid": summary([p for p in pages if p.half == "valid"]),
    }
    print_table(figures)
    if args.worst:
        for p in sorted(pages, key=lambda p: p.ours[0])[: args.worst]:
            print(f"{p.ours[0]:.3f} P{p.ours[1]:.2f} R{p.ours[2]:.2f} bare {p.bare[0]:.3f} "
                  f"{p.half:5} {p.method:11} {p.id[:70]}")
    if args.json_out:
        args.json_out.write_text(json.dumps([p.__dict__ for p in pages], ensure_ascii=False))
    ratio = figures["all"]["ours_ms_median"] / max(float(figures["all"]["bare_ms_median"]), 1e-9)
    print(f"time ratio (ours/bare, medians): {ratio:.2f}")
    print(json.dumps({"decoding": decode_name, "time_ratio": round(ratio, 3), **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
