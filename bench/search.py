"""Benchmark: Chinese full-text search from the index (``newsarchive serve``) against a LIKE scan.

    .venv/bin/python bench/search.py                  # 100,000 records (~15 min on 2 cores)
    .venv/bin/python bench/search.py --records 10000  # quicker

In one run and one temporary folder:

1. Generates ``--records`` Chinese-like articles with bench/archive.py's generator (Zipf vocabulary of
   1-4-character words over 3,500 CJK characters, punctuation, log-normal lengths, median ~1,000
   characters), each with a title, one of 30 sites, one of 20 sources and a publish date in 2019-2023
   (5 % without a year), written as JSONL record segments in the archive layout.
2. Indexes them with ``ArchiveIndex.update`` — the records index and the search tables
   (:mod:`newsarchive.search`) — and reports the time and the index size per 100k records, split into
   the search tables (FTS5 bigram index incl. its 1-character prefix index; the documents table with the
   zlib-compressed text and facet columns) and the rest of the index.
3. Queries: ``--queries`` substrings each of 1, 2 and 4 characters cut from random articles (so every
   query has hits, common and rare alike). Per query, each timed on its own (median, p95):
   *search* = total count + first page of 20 by relevance with highlighted snippets, what the search
   page shows; *facets* = the counts by site, month, state and source of the whole result set.
4. Baseline in the same run: the same texts in a plain SQLite table (uncompressed title and text, facet
   columns), queried with ``title LIKE '%q%' OR text LIKE '%q%'`` — total + first 20 by date (search) and
   one scan + counts by the four facets (facets) — on the first ``--like-queries`` queries of each size.
   Both search each form of the query (as typed and simplified: the random characters include
   traditional ones) and their hit counts are compared (they must agree: the index has substring
   semantics).
5. The article page's data for 20 random records (record from its file, versions with diffs, reposts
   via the LSH table, which the first call builds).

Prints a table, then (last line) one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

# bench/ holds scripts named like the packages (bench/normalize.py): keep them from shadowing the packages
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import numpy as np  # noqa: E402

from newsarchive.index import ArchiveIndex  # noqa: E402
from newsarchive.records import dumps  # noqa: E402
from newsarchive.search import Searcher, parse_query  # noqa: E402
from newsarchive.serve.store import Store  # noqa: E402
from normalize.record import Record  # noqa: E402

SEGMENT = 5000
SITES = [f"site{i:02d}" for i in range(30)]
SOURCES = [f"来源{i:02d}报社" for i in range(20)]
SIZES = (1, 2, 4)


def _archive_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_archive", HERE / "archive.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_archive"] = module
    spec.loader.exec_module(module)
    return module


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    corpus = _archive_bench().Corpus.make(seed)
    rng = np.random.default_rng(seed + 1)
    docs = []
    for i in range(n):
        text = corpus.article()
        title = corpus.article()[: int(rng.integers(8, 28))].strip("，。！？；\n")
        day = int(rng.integers(0, 5 * 365))
        year, rest = 2019 + day // 365, day % 365
        date = f"{year}-{rest // 31 % 12 + 1:02d}-{rest % 28 + 1:02d}"
        published = date if rng.random() > 0.05 else date[4:].replace("-", "--", 1)[:7]
        docs.append({"title": title, "text": text, "site": SITES[int(rng.integers(len(SITES)))],
                     "source": SOURCES[int(rng.integers(len(SOURCES)))], "published": published, "i": i})
    return docs


def write_archive(root: Path, docs: list[dict[str, Any]]) -> None:
    folder = root / "captures" / "bench"
    folder.mkdir(parents=True)
    for start in range(0, len(docs), SEGMENT):
        lines = []
        for d in docs[start : start + SEGMENT]:
            rec = Record(id=f"bench-{d['i']:06d}-0", text=d["text"], title=d["title"], site=d["site"],
                         source=d["source"], published=d["published"], url=f"http://{d['site']}.gov.cn/{d['i']}")
            lines.append(dumps(rec.to_dict()))
        (folder / f"c-{start // SEGMENT:05d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def table_sizes(db_path: Path) -> dict[str, int]:
    db = sqlite3.connect(db_path)
    sizes = Counter[str]()
    for name, size in db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
        docs_or_rest = "docs" if name.startswith("search_") else "records"
        group = "fts" if name.startswith("search_fts") else docs_or_rest
        sizes[group] += size
    db.close()
    return dict(sizes)


def build_plain(path: Path, docs: list[dict[str, Any]]) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE plain (rowid INTEGER PRIMARY KEY, site TEXT, source TEXT, published TEXT, "
               "month TEXT, state TEXT, title TEXT, text TEXT)")
    rows = [(d["i"] + 1, d["site"], d["source"], d["published"], d["published"][:7], d["title"], d["text"])
            for d in docs]  # fmt: skip
    db.executemany("INSERT INTO plain VALUES (?, ?, ?, ?, ?, 'live', ?, ?)", rows)
    db.commit()
    db.close()


def pick_queries(docs: list[dict[str, Any]], per_size: int, seed: int) -> dict[int, list[str]]:
    rng = np.random.default_rng(seed + 2)
    out: dict[int, list[str]] = {k: [] for k in SIZES}
    for size in SIZES:
        while len(out[size]) < per_size:
            text = docs[int(rng.integers(len(docs)))]["text"]
            at = int(rng.integers(max(1, len(text) - size)))
            piece = text[at : at + size]
            han = all("\u4e00" <= c <= "\u9fff" for c in piece)
            if len(piece) == size and han and piece not in out[size]:
                out[size].append(piece)
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return (time.perf_counter() - t0) * 1000, value


def stats(ms: list[float]) -> dict[str, float]:
    return {"median_ms": statistics.median(ms), "p95_ms": float(np.percentile(ms, 95))}


def run_index(searcher: Searcher, queries: list[str]) -> dict[str, Any]:
    search_ms, facet_ms, totals = [], [], []
    for q in queries:
        query = parse_query(q)
        t, result = timed(lambda query=query: searcher.search(query, per_page=20, with_facets=False))
        search_ms.append(t)
        totals.append(result.total)
        t, _ = timed(lambda query=query: searcher.facet_counts(query))
        facet_ms.append(t)
    return {"search": stats(search_ms), "facets": stats(facet_ms), "totals": totals}


def run_like(db: sqlite3.Connection, queries: list[str]) -> dict[str, Any]:
    """The same searches as LIKE scans: each form of the query (as typed, simplified) in title or text."""
    search_ms, facet_ms, totals = [], [], []
    for q in queries:
        forms = parse_query(q).terms[0].variants
        where = "WHERE " + " OR ".join(["title LIKE ? OR text LIKE ?"] * len(forms))
        pattern = [f"%{form}%" for form in forms for _ in (0, 1)]

        def search(pattern: list[str] = pattern, where: str = where) -> int:
            rows = db.execute(f"SELECT rowid, published FROM plain {where}", pattern).fetchall()
            rows.sort(key=lambda r: r[1] or "", reverse=True)
            db.execute(f"SELECT rowid, title, substr(text, 1, 120) FROM plain WHERE rowid IN "
                       f"({','.join(str(r[0]) for r in rows[:20]) or 'NULL'})").fetchall()  # fmt: skip
            return len(rows)

        def facets(pattern: list[str] = pattern, where: str = where) -> dict[str, Counter[str]]:
            counts: dict[str, Counter[str]] = {f: Counter() for f in ("site", "month", "state", "source")}
            for site, month, state, source in db.execute(
                f"SELECT site, month, state, source FROM plain {where}", pattern
            ):
                for name, value in (("site", site), ("month", month), ("state", state), ("source", source)):
                    counts[name][value] += 1
            return counts

        t, total = timed(search)
        search_ms.append(t)
        totals.append(total)
        t, _ = timed(facets)
        facet_ms.append(t)
    return {"search": stats(search_ms), "facets": stats(facet_ms), "totals": totals}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=40, help="queries per size (1, 2, 4 characters)")
    ap.add_argument("--like-queries", type=int, default=8, help="of them, run as LIKE scans too")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--workdir", type=Path, help="where to write the archive (default: a temp folder)")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    f: dict[str, Any] = {"records": args.records, "queries_per_size": args.queries,
                         "like_queries_per_size": args.like_queries}  # fmt: skip
    try:
        run(args, work, f)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print_table(f)
    figures = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in f.items()}
    print(json.dumps(figures, ensure_ascii=False))
    return 0


def run(args: argparse.Namespace, work: Path, f: dict[str, Any]) -> None:
    t0 = time.perf_counter()
    docs = generate(args.records, args.seed)
    f["generate_s"] = time.perf_counter() - t0
    f["median_chars"] = float(np.median([len(d["text"]) for d in docs]))
    text_bytes = sum(len(d["text"].encode()) + len(d["title"].encode()) for d in docs)
    f["text_mb_per_100k"] = text_bytes / 2**20 * 100_000 / args.records
    probe = docs[:2000]
    zipped = sum(len(zlib.compress(d["text"].encode(), 6)) for d in probe)
    f["text_zlib_mb_per_100k"] = zipped / 2**20 * 100_000 / len(probe)
    write_archive(work, docs)
    t0 = time.perf_counter()
    with ArchiveIndex(work) as index:
        index.update()  # what the other commands do: the records index alone ...
    f["records_index_s"] = time.perf_counter() - t0
    (work / "index.sqlite").unlink()
    t0 = time.perf_counter()
    with ArchiveIndex(work) as index:
        index.update(search=True)  # ... and what `newsarchive index` does, with the search tables
    f["index_s"] = time.perf_counter() - t0
    f["search_tables_s"] = f["index_s"] - f["records_index_s"]
    t0 = time.perf_counter()
    with ArchiveIndex(work) as index:
        index.update(search=True)
    f["reindex_unchanged_s"] = time.perf_counter() - t0
    scale = 100_000 / args.records / 2**20
    sizes = table_sizes(work / "index.sqlite")
    f["fts_mb_per_100k"] = sizes.get("fts", 0) * scale
    f["docs_mb_per_100k"] = sizes.get("docs", 0) * scale
    f["records_index_mb_per_100k"] = sizes.get("records", 0) * scale
    f["search_mb_per_100k"] = f["fts_mb_per_100k"] + f["docs_mb_per_100k"]
    build_plain(work / "plain.sqlite", docs)
    f["like_table_mb_per_100k"] = (work / "plain.sqlite").stat().st_size * scale
    queries = pick_queries(docs, args.queries, args.seed)
    del docs
    with ArchiveIndex.open_read_only(work) as index:
        searcher = Searcher(index.db)
        for size in SIZES:
            searcher.search(parse_query(queries[size][0]), with_facets=False)  # warm the page cache
            f[f"index_{size}"] = run_index(searcher, queries[size])
    article_phase(work, args.records, args.seed, f)
    plain = sqlite3.connect(work / "plain.sqlite")
    for size in SIZES:
        f[f"like_{size}"] = run_like(plain, queries[size][: args.like_queries])
    plain.close()
    for size in SIZES:
        idx, like = f[f"index_{size}"], f[f"like_{size}"]
        n = len(like["totals"])
        f[f"agree_{size}"] = idx["totals"][:n] == like["totals"]
        f[f"median_hits_{size}"] = float(np.median(idx["totals"]))
        for what in ("search", "facets"):
            f[f"speedup_{what}_{size}"] = like[what]["median_ms"] / idx[what]["median_ms"]
        idx.pop("totals")
        like.pop("totals")


def article_phase(work: Path, n: int, seed: int, f: dict[str, Any], pages: int = 20) -> None:
    """The article page's data (record, versions with diffs, reposts) for random records: the first one
    also builds the LSH table of all signatures (once per app start)."""
    store = Store(work)
    rng = np.random.default_rng(seed + 3)
    rowids = [int(r) for r in rng.integers(1, n + 1, pages + 1)]
    with store.session() as s:
        f["article_first_ms"], _ = timed(lambda: s.article(rowids[0]))
        ms = [timed(lambda r=r: s.article(r))[0] for r in rowids[1:]]  # type: ignore[misc]
    f["article"] = stats(ms)


def print_table(f: dict[str, Any]) -> None:
    rows = [
        ("records / queries per size (LIKE: first N)", f"{f['records']:,} / {f['queries_per_size']} "
                                                     f"({f['like_queries_per_size']})"),
        ("median article length (chars)", f"{f['median_chars']:.0f}"),
        ("newsarchive index (s) = records index + search tables; re-index, nothing changed (s)",
         f"{f['index_s']:.0f} = {f['records_index_s']:.0f} + {f['search_tables_s']:.0f}; "
         f"{f['reindex_unchanged_s']:.2f}"),
        ("per 100k: search tables = FTS5 bigrams + docs (MB)",
         f"{f['search_mb_per_100k']:.0f} = {f['fts_mb_per_100k']:.0f} + {f['docs_mb_per_100k']:.0f}"),
        ("per 100k: rest of the index / raw text / LIKE table (MB)",
         f"{f['records_index_mb_per_100k']:.0f} / {f['text_mb_per_100k']:.0f} / "
         f"{f['like_table_mb_per_100k']:.0f}"),
    ]
    for size in SIZES:
        idx, like = f[f"index_{size}"], f[f"like_{size}"]
        rows.append((f"{size}-char query, median hits", f"{f[f'median_hits_{size}']:,.0f} (agree with LIKE: "
                                                      f"{f[f'agree_{size}']})"))
        for what in ("search", "facets"):
            rows.append((
                f"{size}-char {what}: index median / p95 vs LIKE median / p95 (ms)",
                f"{idx[what]['median_ms']:.1f} / {idx[what]['p95_ms']:.1f} vs "
                f"{like[what]['median_ms']:.0f} / {like[what]['p95_ms']:.0f}  "
                f"(x{f[f'speedup_{what}_{size}']:.1f})",
            ))
    art = f["article"]
    rows.append(("article page data: first (builds LSH) / median / p95 (ms)",
                 f"{f['article_first_ms']:.0f} / {art['median_ms']:.0f} / {art['p95_ms']:.0f}"))
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
