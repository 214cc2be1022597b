"""Benchmark: index, cluster and match a large generated archive; LSH matching against brute force.

    .venv/bin/python bench/archive.py                 # 100,000 records, 1,000 queries (~4-5 min, 2 cores)
    .venv/bin/python bench/archive.py --records 20000 # quicker
    .venv/bin/python bench/archive.py --index-only    # only step 3's index builds (~1.5 min)

What it does, all in one run and one temporary folder:

1. Generates ``--records`` Chinese-like articles: tokens drawn from a Zipf-distributed vocabulary of
   ~30,000 words of 1-4 characters (themselves drawn Zipf-wise from 3,500 CJK characters), so unrelated
   articles share common words as real reports on one topic do; ，。！？； and paragraph breaks among
   them; lengths log-normal (median ~1,000 characters, 80-8,000). 1 % of the articles are replaced by
   edited near-copies of earlier ones (planted duplicates inside the archive).
2. Signatures and shingles beside the peers, on the same 2,000 articles (median of 3 runs each):
   signatures per second from the same shingle hashes for datasketch (``MinHash.update_batch``), rensa
   (``RMinHash.digest_matrix_from_flat_token_hashes``, its batch API), the numpy baseline (the project's
   previous affine32 outer products, one document at a time) and the project (``flat_signatures``:
   rensa plus the numpy matrix); shingle hashing one text at a time (before) against batched (now).
3. Writes the articles as JSONL record segments (5,000 per file) in the archive layout and indexes them
   with :class:`newsarchive.index.ArchiveIndex` ``--index-runs`` times each way, alternating: as
   ``newsarchive index`` does (a process pool over the cores for a first index) and in one process
   (``--workers 1``); median wall time, the CPU seconds by stage summed over all processes (read and
   check, shingle, sign, SQLite write) and the cores kept busy; a second, no-change run. Then clusters
   the whole archive with :func:`newsarchive.dups.find_clusters` (``newsarchive dups``).
   Reading cost: every record file read with :func:`newsarchive.records.iter_record_file` (each record
   checked against schema/record.schema.json) against the baseline ``orjson.loads`` + ``Record.from_dict``
   with no check (the same parser: the checks' cost), and the stdlib ``json.loads`` + ``Record.from_dict``
   (the parser before issue 14), median of 3 runs each.
4. Makes ``--queries`` new articles: half are planted near-copies of random archive articles (sentences
   edited, inserted, deleted, paragraphs re-broken; exact Jaccard to the source known), half fresh.
5. Matching, each query timed on its own (median, p95): shingles + signature + LSH candidates
   (threshold 0.8) + exact Jaccard of each candidate's shingles. Against the first 10 % of the archive
   and against all of it (growth with archive size).
6. Brute force on a ``--brute``-record subset in the same run: exact Jaccard of one query against every
   subset record (a sparse incidence-matrix product: a strong, vectorised brute force; median over 100
   queries) and a plain per-pair loop (median over 10 queries), both extrapolated linearly to the full
   archive; and exact all pairs of the subset.
7. Recall: share of the true near-duplicate pairs (exact Jaccard >= 0.8) found by matching (planted pairs,
   the hardest 0.80-0.85 band, every pair brute force finds in the subset) and by the clustering.

The machine's load average is printed before and after (figures on a shared machine are only
comparable within one run: use the ratios). Prints a table, then (last line) one JSON object with the
figures and the ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the index's pool workers import this script as their main
    from scipy import sparse  # module (multiprocessing's rule), and a user's `newsarchive index` does not
    # make them import datasketch and scipy (0.7 s each, while the first pieces wait)

# bench/ holds scripts named like the packages (bench/normalize.py): keep them from shadowing the packages
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
import orjson  # noqa: E402
import rensa  # noqa: E402

from newsarchive import similarity as sim  # noqa: E402
from newsarchive.dups import find_clusters  # noqa: E402
from newsarchive.index import INDEX_NAME, ArchiveIndex, IndexStats  # noqa: E402
from newsarchive.records import dumps, iter_record_file  # noqa: E402
from normalize.record import Record  # noqa: E402

THRESHOLD = 0.8
SEGMENT = 5000
_TIDY = re.compile(r"[，。！？；\n]{2,}")  # runs of punctuation from independent draws: keep the last


# --------------------------------------------------------------------------------------- generation


@dataclass
class Corpus:
    tokens: np.ndarray  # object array: words, then punctuation tokens
    cum_p: np.ndarray  # cumulative token probabilities
    rng: np.random.Generator

    @classmethod
    def make(cls, seed: int) -> Corpus:
        rng = np.random.default_rng(seed)
        chars = np.array([chr(c) for c in rng.choice(np.arange(0x4E00, 0x9FA6), 3500, replace=False)])
        char_p = _zipf(len(chars), 1.0)
        lengths = rng.choice([1, 2, 2, 2, 3, 4], 30000)
        words = sorted({"".join(rng.choice(chars, n, p=char_p)) for n in lengths})
        rng.shuffle(words)
        # per token: ~13 % commas, ~5 % sentence ends, ~1 % paragraph breaks, the rest words (Zipf)
        punct = {"，": 0.13, "。": 0.035, "！": 0.003, "？": 0.003, "；": 0.009, "\n": 0.012}
        p = np.concatenate([_zipf(len(words), 1.05) * (1 - sum(punct.values())), list(punct.values())])
        return cls(np.array(words + list(punct), dtype=object), np.cumsum(p), rng)

    def _tokens(self, n: int) -> np.ndarray:
        idx = np.searchsorted(self.cum_p, self.rng.random(n) * self.cum_p[-1])
        return self.tokens[np.minimum(idx, len(self.tokens) - 1)]

    def article(self) -> str:
        n_chars = int(np.clip(self.rng.lognormal(np.log(900), 0.6), 80, 8000))
        text = "".join(self._tokens(int(n_chars / 1.9) + 4).tolist())
        return _TIDY.sub(lambda m: m.group(0)[-1], text).strip("\n，。！？；") + "。"

    def near_copy(self, text: str) -> str:
        """An edited copy: some sentences changed, inserted or deleted, paragraphs re-broken."""
        sents = [s for s in text.replace("\n", "").split("。") if s]
        edits = max(1, int(len(sents) * self.rng.uniform(0.0, 0.45)))
        for _ in range(edits):
            i = int(self.rng.integers(len(sents)))
            kind = self.rng.integers(3)
            if kind == 0 and len(sents) > 2:
                del sents[i]
            elif kind == 1:
                sents.insert(i, self.article()[:40].rstrip("。"))
            else:
                s = sents[i]
                pos = int(self.rng.integers(len(s) + 1))
                sents[i] = s[:pos] + "".join(self._tokens(2).tolist()).strip("\n") + s[pos:]
        return "\n".join("。".join(sents[k : k + 3]) + "。" for k in range(0, len(sents), 3))


def _zipf(n: int, s: float) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


# ------------------------------------------------------------------------------------------ archive


def write_archive(root: Path, texts: list[str]) -> None:
    folder = root / "captures" / "bench"
    folder.mkdir(parents=True)
    for start in range(0, len(texts), SEGMENT):
        lines = []
        for i in range(start, min(start + SEGMENT, len(texts))):
            url = f"http://www.bench{i % 50}.gov.cn/art/{i}.html"
            rec = Record(id=f"bench-{i:06d}-0", text=texts[i], title=texts[i][:20], site="bench", url=url)
            lines.append(dumps(rec.to_dict()))
        (folder / f"c-{start // SEGMENT:05d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def index_phase(root: Path, runs: int, search_runs: int) -> dict[str, float]:
    """The records index alone (what export, diff, dups and verify do first) ``runs`` times each way,
    alternating: a pool, as for a large first index, and one process; then ``newsarchive index`` (the
    records and the search tables) ``search_runs`` times with the pool; then one no-change run.
    Medians; each breakdown is that of its median run."""
    pooled, serial = [], []
    for _ in range(runs):
        pooled.append(_first_index(root, None, search=False))
        serial.append(_first_index(root, 1, search=False)[0])
    out = _index_figures("records_index", _median_run(pooled))
    out["records_index_serial_s"] = float(np.median(serial))
    out["records_index_pool_speedup"] = out["records_index_serial_s"] / out["records_index_s"]
    if search_runs:  # 0: the records index only (--index-only --search-runs 0)
        searched = [_first_index(root, None) for _ in range(search_runs)]
        out.update(_index_figures("index", _median_run(searched)))
    t0 = time.perf_counter()
    with ArchiveIndex(root) as index:
        again = index.update(search=bool(search_runs))  # with the search tables when they were built
    out |= {"index_runs": runs, "search_runs": search_runs, "reindex_unchanged_s": time.perf_counter() - t0,
            "reindex_files_read": again.files_read}  # fmt: skip
    return out


STAGES = ("read", "shingle", "sign", "search", "write_search", "commit", "write", "fts", "optimize",
          "history")
# write holds write_search and commit; fts: the FTS5 shards of a first build, built in parallel processes
# (newsarchive.search.end_bulk; their CPU); optimize: what end_bulk costs the writer (the shards copied in,
# and the shard builders' CPU when they run in this process); history: newsarchive.history after the
# records (every command)


def _median_run(runs: list[tuple[float, float, IndexStats]]) -> tuple[float, float, IndexStats]:
    return sorted(runs, key=lambda run: run[0])[len(runs) // 2]


def _index_figures(name: str, run: tuple[float, float, IndexStats]) -> dict[str, float]:
    wall, cpu, stats = run
    n = stats.records_total
    out = {f"{name}_s": wall, f"{name}_workers": stats.workers, f"{name}_records_per_s": n / wall,
           f"{name}_cpu_s": cpu, f"{name}_cores_busy": cpu / wall, "indexed": n,
           f"{name}_100k_s": wall * 100_000 / max(n, 1)}  # fmt: skip
    for stage in STAGES:
        out[f"{name}_{stage}_cpu_s"] = stats.seconds.get(stage, 0.0)
    counted = sum(stats.seconds.get(s, 0.0) for s in STAGES if s not in ("write_search", "commit"))
    out[f"{name}_other_cpu_s"] = cpu - counted
    if stats.search_total is not None:  # the search tables' share of the writer: their inserts, the commits
        out[f"{name}_write_search_cpu_s"] += out[f"{name}_commit_cpu_s"]
    out[f"{name}_records_write_cpu_s"] = out[f"{name}_write_cpu_s"] - out[f"{name}_write_search_cpu_s"]
    # what the run would take with both cores to itself: the CPU spread over the cores, but never less
    # than what the one writer process does alone (its SQLite work cannot be shared)
    serial = sum(out[f"{name}_{s}_cpu_s"] for s in ("write", "optimize", "history", "other"))
    out[f"{name}_idle_floor_s"] = max(cpu / len(os.sched_getaffinity(0)), serial)
    return out


def _first_index(root: Path, workers: int | None, *, search: bool = True) -> tuple[float, float, IndexStats]:
    """A first index from scratch: wall seconds, CPU seconds (this process, plus what the workers
    report for their tasks: they are the fork server's children, not ours), stats."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{root / INDEX_NAME}{suffix}").unlink(missing_ok=True)
    gc.collect()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    with ArchiveIndex(root) as index:
        stats = index.update(workers=workers, search=search)
    wall, own = time.perf_counter() - t0, time.process_time() - cpu0
    stages = ("read", "shingle", "sign", "search")
    in_workers = sum(stats.seconds.get(s, 0.0) for s in stages) if stats.workers > 1 else 0.0
    if stats.workers > 1:  # the FTS5 shard builders were worker processes too
        in_workers += stats.seconds.get("fts", 0.0)
    return wall, own + in_workers, stats


# ------------------------------------------------------------------------------ signatures beside peers


def numpy_baseline_signature(hashes: np.ndarray, num_perm: int = sim.NUM_PERM) -> np.ndarray:
    """The project's previous signatures: datasketch's affine32 MinHash in numpy outer products, one
    document at a time (bit-identical to datasketch's; kept here as the baseline)."""
    gen = np.random.RandomState(sim.SEED)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    out = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    if len(hashes) == 0:
        return out
    hv = _fmix32((hashes >> np.uint64(32)).astype(np.uint32))
    for start in range(0, len(hv), 4096):
        block = np.multiply.outer(hv[start : start + 4096], a)
        block += b
        np.minimum(out, block.min(axis=0), out=out)
    return out


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def per_text_shingles(text: str, k: int = sim.SHINGLE_SIZE) -> np.ndarray:
    """The project's previous shingle hashing, one text at a time (same values as sim.shingle_hashes)."""
    cps = np.frombuffer(sim.squeeze_whitespace(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) == 0:
        return np.zeros(0, np.uint64)
    width = min(k, len(cps))
    n = len(cps) - width + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(width):
            h = h * np.uint64(0x100000001B3) + cps[i : i + n] + np.uint64(1)
        return sim._sorted_unique(sim._fmix64(h))


def signature_peers(texts: list[str], runs: int = 3) -> dict[str, float]:
    """Signatures per second from the same shingle-hash sets, and shingle hashing per text."""
    hashes = [sim.shingle_hashes(t) for t in texts]
    upper = [(h >> np.uint64(32)).tolist() for h in hashes]  # datasketch hashes Python ints, one call each
    flat = np.concatenate(hashes)
    offsets = np.concatenate([[0], np.cumsum([len(h) for h in hashes])]).astype(np.uint64)
    from datasketch import MinHash  # here, not at the top: see TYPE_CHECKING above

    def datasketch() -> None:
        for values in upper:
            m = MinHash(num_perm=sim.NUM_PERM, seed=sim.SEED, scheme="affine32", hashfunc=_same)
            m.update_batch(values)

    peers = {
        "datasketch": datasketch,
        "numpy_baseline": lambda: [numpy_baseline_signature(h) for h in hashes],
        "rensa": lambda: rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, sim.NUM_PERM, 1),
        "project": lambda: sim.flat_signatures(flat, offsets),  # what the index does, from the same buffer
    }  # fmt: skip
    out = {f"sig_per_s_{name}": len(texts) / _median_s(run, runs) for name, run in peers.items()}
    out["sig_project_vs_datasketch"] = out["sig_per_s_project"] / out["sig_per_s_datasketch"]
    out["sig_project_vs_numpy_baseline"] = out["sig_per_s_project"] / out["sig_per_s_numpy_baseline"]
    out["sig_project_vs_rensa"] = out["sig_per_s_project"] / out["sig_per_s_rensa"]
    out["sig_rensa_vs_datasketch"] = out["sig_per_s_rensa"] / out["sig_per_s_datasketch"]
    before = _median_s(lambda: [per_text_shingles(t) for t in texts], runs)
    now = _median_s(lambda: sim.shingle_batch(texts), runs)
    out |= {"shingle_us_per_text_before": 1e6 * before / len(texts), "sig_sample": len(texts),
            "shingle_us_per_text": 1e6 * now / len(texts), "shingle_speedup": before / now}  # fmt: skip
    return out


def _same(x: int) -> int:
    return x


def _median_s(run: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def reading_cost(root: Path, index_s: float, runs: int = 3) -> dict[str, float]:
    """Reading every record file: validated (the archive's reader) vs unchecked (the baseline)."""
    files = sorted((root / "captures").rglob("*.jsonl"))

    def validated() -> int:
        problems: list[str] = []
        n = sum(1 for f in files for _ in iter_record_file(f, problems))
        assert not problems, problems[:3]
        return n

    def unchecked() -> int:  # the same parser (orjson), no schema or hash check
        n = 0
        for f in files:
            with f.open("rb") as fh:
                n += sum(1 for line in fh if line.strip() and Record.from_dict(orjson.loads(line)))
        return n

    def stdlib_json() -> int:  # the parser before issue 14 (json), no check
        n = 0
        for f in files:
            with f.open(encoding="utf-8") as fh:
                n += sum(1 for line in fh if line.strip() and Record.from_dict(json.loads(line)))
        return n

    def median_s(read: Any) -> tuple[float, int]:
        times, n = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            n = read()
            times.append(time.perf_counter() - t0)
        return float(np.median(times)), n

    checked_s, n = median_s(validated)
    plain_s, _ = median_s(unchecked)
    stdlib_s, _ = median_s(stdlib_json)
    return {"read_validated_us_per_record": 1e6 * checked_s / n,
            "read_unchecked_json_us_per_record": 1e6 * stdlib_s / n,
            "read_unchecked_us_per_record": 1e6 * plain_s / n, "read_validation_ratio": checked_s / plain_s,
            "validation_share_of_index": (checked_s - plain_s) / index_s}  # fmt: skip


def load_signatures(root: Path) -> np.ndarray:
    with ArchiveIndex(root) as index:
        rowids, sigs = index.signatures()
        order = {r.rowid: int(r.id.split("-")[1]) for r in index.rows()}
    out = np.empty_like(sigs)
    out[[order[int(r)] for r in rowids]] = sigs
    return out


# ----------------------------------------------------------------------------------------- matching


@dataclass
class MatchRun:
    size: int
    build_s: float
    median_ms: float  # per query, each query timed on its own
    p95_ms: float
    candidates: float  # mean LSH candidates per query
    found: list[set[int]]
    lsh_mb: float


def run_matching(sigs: np.ndarray, texts: list[str], queries: list[str], size: int) -> MatchRun:
    """Per query: shingles + signature + LSH candidates + exact Jaccard of each candidate (its text
    shingled on the fly, as a real lookup would read it)."""
    tracemalloc.start()
    t0 = time.perf_counter()
    lsh = sim.LSHIndex.for_threshold(THRESHOLD)
    lsh.add(sigs[:size], np.arange(size))
    lsh.query(sigs[:1])  # build the sorted band tables
    build = time.perf_counter() - t0
    lsh_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    times, found, n_cands = [], [], []
    for q in queries:
        t0 = time.perf_counter()
        qh = sim.shingle_hashes(q)
        [cands] = lsh.query(sim.signature(qh))
        found.append({c for c in cands if sim.jaccard(qh, sim.shingle_hashes(texts[c])) >= THRESHOLD})
        times.append(time.perf_counter() - t0)
        n_cands.append(len(cands))
    ms = 1000 * np.array(times)
    return MatchRun(size, build, float(np.median(ms)), float(np.percentile(ms, 95)), float(np.mean(n_cands)),
                    found, lsh_mb)  # fmt: skip


# -------------------------------------------------------------------------------------- brute force


def incidence(hash_sets: list[np.ndarray], vocab: np.ndarray) -> sparse.csr_matrix:
    from scipy import sparse

    cols = np.concatenate([np.searchsorted(vocab, h) for h in hash_sets])
    rows = np.repeat(np.arange(len(hash_sets)), [len(h) for h in hash_sets])
    return sparse.csr_matrix(
        (np.ones(len(cols), np.float32), (rows, cols)), shape=(len(hash_sets), len(vocab))
    )


def jaccard_matrix(
    a: sparse.csr_matrix, b: sparse.csr_matrix, na: np.ndarray, nb: np.ndarray
) -> sparse.coo_matrix:
    from scipy import sparse

    inter = (a @ b.T).tocoo()
    j = inter.data / (na[inter.row] + nb[inter.col] - inter.data)
    keep = j >= THRESHOLD
    return sparse.coo_matrix((j[keep], (inter.row[keep], inter.col[keep])), shape=inter.shape)


def brute_force(texts: list[str], queries: list[str], subset: int, timed: int = 100) -> dict[str, object]:
    """Exact Jaccard of every query against every subset record (the pairs: ground truth for recall), the
    median time of one query against the whole subset (``timed`` queries, each shingled inside the
    timing), and all pairs of the subset."""
    sub_h = [sim.shingle_hashes(t) for t in texts[:subset]]
    q_h = [sim.shingle_hashes(q) for q in queries]
    vocab = np.unique(np.concatenate(sub_h + q_h))
    xs, xq = incidence(sub_h, vocab), incidence(q_h, vocab)
    ns = np.array([len(h) for h in sub_h], np.float64)
    nq = np.array([len(h) for h in q_h], np.float64)
    qpairs = jaccard_matrix(xq, xs, nq, ns)
    found: list[set[int]] = [set() for _ in queries]
    for r, c in zip(qpairs.row, qpairs.col, strict=True):
        found[int(r)].add(int(c))
    xst = xs.T.tocsr()  # (vocab x subset) CSR, so that one query row @ it needs no conversion
    times = []
    for q in queries[:timed]:
        t0 = time.perf_counter()
        h = sim.shingle_hashes(q)
        row = incidence([h], vocab)
        jaccard_matrix(row, xst.T, np.array([len(h)], np.float64), ns)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    internal: set[tuple[int, int]] = set()
    for start in range(0, subset, 1000):  # upper-triangle blocks: each pair once
        block = jaccard_matrix(xs[start : start + 1000], xs[start:], ns[start : start + 1000], ns[start:])
        keep = block.row + start < block.col + start
        internal.update(
            zip((block.row[keep] + start).tolist(), (block.col[keep] + start).tolist(), strict=True)
        )
    return {"query_median_s": float(np.median(times)), "allpairs_s": time.perf_counter() - t0,
            "found": found, "internal": internal}  # fmt: skip


def naive_query_median(texts: list[str], queries: list[str], subset: int, n_queries: int = 10) -> float:
    """Median seconds of one query against the subset with the plain loop: exact Jaccard per pair."""
    sub_h = [sim.shingle_hashes(t) for t in texts[:subset]]
    times = []
    for q in queries[:n_queries]:
        t0 = time.perf_counter()
        qh = sim.shingle_hashes(q)
        for h in sub_h:
            sim.jaccard(qh, h)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


# -------------------------------------------------------------------------------------------- main


@dataclass
class Workload:
    texts: list[str]
    queries: list[str]
    query_pairs: dict[tuple[int, int], float]  # (query, archive record) -> exact Jaccard, planted
    internal_pairs: dict[tuple[int, int], float]  # (source, copy) inside the archive, planted

    def true(
        self, pairs: dict[tuple[int, int], float], lo: float = THRESHOLD, hi: float = 1.01
    ) -> set[tuple[int, int]]:
        return {p for p, j in pairs.items() if lo <= j < hi}


def generate(n: int, n_queries: int, seed: int) -> Workload:
    """Fresh articles, 1 % of them replaced by near-copies of earlier ones; half the queries planted."""
    corpus = Corpus.make(seed)
    texts = [corpus.article() for _ in range(n)]
    internal = {}
    for i in sorted(corpus.rng.choice(np.arange(1, n), max(n // 100, 1), replace=False)):
        src = int(corpus.rng.integers(i))
        texts[i] = corpus.near_copy(texts[src])
        internal[(src, int(i))] = _exact(texts[src], texts[i])
    planted = corpus.rng.choice(n, n_queries // 2, replace=False)
    queries = [corpus.near_copy(texts[s]) for s in planted]
    queries += [corpus.article() for _ in range(n_queries - len(queries))]
    pairs = {(q, int(s)): _exact(queries[q], texts[s]) for q, s in enumerate(planted)}
    return Workload(texts, queries, pairs, internal)


def _exact(a: str, b: str) -> float:
    return sim.jaccard(sim.shingle_hashes(a), sim.shingle_hashes(b))


def cluster_archive(root: Path) -> tuple[float, dict[int, int]]:
    """``newsarchive dups`` on the whole index: seconds, and record number -> cluster id."""
    t0 = time.perf_counter()
    with ArchiveIndex(root) as index:
        clusters = find_clusters(index, THRESHOLD)
    elapsed = time.perf_counter() - t0
    return elapsed, {int(m.row.id.split("-")[1]): c.id for c in clusters for m in c.members}


def _share(found: Iterable[bool]) -> float:
    hits = list(found)
    return sum(hits) / max(len(hits), 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--brute", type=int, default=5000, help="subset size for brute force")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, help="where to write the archive (default: a temp folder)")
    ap.add_argument("--index-runs", type=int, default=3, help="records-index builds timed each way (median)")
    ap.add_argument("--search-runs", type=int, default=1, help="`newsarchive index` builds (0: none)")
    ap.add_argument("--sig-sample", type=int, default=2000, help="articles the signature peers are timed on")
    ap.add_argument("--index-only", action="store_true",
                    help="only generate, write and index the archive (step 3 without the reading cost)")
    args = ap.parse_args(argv)
    n, small, subset = args.records, max(args.records // 10, 1), min(args.brute, args.records)
    f: dict[str, object] = {"records": n, "queries": args.queries, "small": small, "brute_subset": subset,
                            "index_runs": args.index_runs, "search_runs": args.search_runs,
                            "load_before": os.getloadavg()[0],
                            "cores": len(os.sched_getaffinity(0))}  # fmt: skip

    t0 = time.perf_counter()
    w = generate(n, 0 if args.index_only else args.queries, args.seed)
    f["generate_s"] = time.perf_counter() - t0
    if args.index_only:
        return index_only(w, args.workdir, f)
    f["median_chars"] = float(np.median([len(t) for t in w.texts]))
    f.update(signature_peers(w.texts[: args.sig_sample]))
    sigs, labels = archive_phase(w, args.workdir, f)
    runs = {size: run_matching(sigs, w.texts, w.queries, size) for size in (small, n)}
    recall_phase(w, runs, labels, small, f)
    brute_phase(w, runs[n], subset, labels, f)
    for size, run in runs.items():
        f[f"match_{size}_median_ms"] = run.median_ms
        f[f"match_{size}_p95_ms"] = run.p95_ms
        f[f"match_{size}_candidates_per_query"] = run.candidates
        f[f"lsh_build_{size}_s"] = run.build_s
        f[f"lsh_{size}_mb"] = run.lsh_mb
    f["growth_ratio_time"] = runs[n].median_ms / runs[small].median_ms
    f["growth_ratio_size"] = n / small
    f["signatures_mb_per_100k"] = sigs.nbytes / 2**20 * 100_000 / n
    f["lsh_mb_per_100k"] = runs[n].lsh_mb * 100_000 / n
    f["index_mb_per_100k"] = float(f["index_mb"]) * 100_000 / n  # type: ignore[arg-type]
    f["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    f["load_after"] = os.getloadavg()[0]
    print_table(f, n, small)
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in f.items()}))
    return 0


def index_only(w: Workload, workdir: Path | None, f: dict[str, object]) -> int:
    """``--index-only``: write the archive, time the index builds (:func:`index_phase`), print their rows
    of the table and the JSON line."""
    work = workdir or Path(tempfile.mkdtemp(prefix="bench-archive-"))
    try:
        write_and_index(w, work, f)
    finally:
        if not workdir:
            shutil.rmtree(work, ignore_errors=True)
    f["load_after"] = os.getloadavg()[0]
    for label, fmt in TABLE:
        try:
            row = label.format_map(f), fmt.format_map(f)
        except KeyError:  # a figure of the steps not run
            continue
        print(f"{row[0]:<90}  {row[1]}")
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in f.items()}))
    return 0


def write_and_index(w: Workload, work: Path, f: dict[str, object]) -> None:
    """Write the articles as the archive's record segments in ``work`` and time its index builds."""
    t0 = time.perf_counter()
    write_archive(work, w.texts)
    f["write_jsonl_s"] = time.perf_counter() - t0
    f.update(index_phase(work, f["index_runs"], f["search_runs"]))  # type: ignore[arg-type]


def archive_phase(
    w: Workload, workdir: Path | None, f: dict[str, object]
) -> tuple[np.ndarray, dict[int, int]]:
    """Write, index (twice), cluster; return the signatures (in record order) and cluster labels."""
    work = workdir or Path(tempfile.mkdtemp(prefix="bench-archive-"))
    try:
        write_and_index(w, work, f)
        f.update(reading_cost(work, float(f["records_index_s"])))  # type: ignore[arg-type]
        f["index_mb"] = (work / "index.sqlite").stat().st_size / 2**20
        sigs = load_signatures(work)
        f["dups_s"], labels = cluster_archive(work)
    finally:
        if not workdir:
            shutil.rmtree(work, ignore_errors=True)
    gc.collect()
    return sigs, labels


def recall_phase(
    w: Workload, runs: dict[int, MatchRun], labels: dict[int, int], small: int, f: dict[str, object]
) -> None:
    n = len(w.texts)
    true = w.true(w.query_pairs)
    f["planted_true_pairs"] = len(true)
    f["recall_planted"] = _share(s in runs[n].found[q] for q, s in true)
    hard = w.true(w.query_pairs, 0.8, 0.85)
    f["planted_pairs_hard"] = len(hard)
    f["recall_planted_hard"] = _share(s in runs[n].found[q] for q, s in hard)
    f["recall_planted_small"] = _share(s in runs[small].found[q] for q, s in true if s < small)
    internal = w.true(w.internal_pairs)
    f["planted_internal_pairs"] = len(internal)
    f["dups_recall_planted"] = _share(labels.get(a, -1) == labels.get(b, -2) for a, b in internal)


def brute_phase(
    w: Workload, big: MatchRun, subset: int, labels: dict[int, int], f: dict[str, object]
) -> None:
    n = len(w.texts)
    bf = brute_force(w.texts, w.queries, subset)
    bf_pairs = {(q, s) for q, ss in enumerate(bf["found"]) for s in ss}  # type: ignore[attr-defined]
    f["brute_pairs_in_subset"] = len(bf_pairs)
    f["brute_unplanted_pairs"] = len(bf_pairs - w.true(w.query_pairs))
    internal = bf["internal"]
    f["brute_internal_pairs"] = len(internal)  # type: ignore[arg-type]
    f["brute_internal_unplanted"] = len(internal - w.true(w.internal_pairs))  # type: ignore[operator]
    f["dups_recall_vs_brute_subset"] = _share(labels.get(a, -1) == labels.get(b, -2) for a, b in internal)  # type: ignore[attr-defined]
    f["recall_vs_brute_subset"] = _share(s in big.found[q] for q, s in bf_pairs)
    scale = n / subset  # brute force grows linearly with the archive
    f["brute_vectorised_median_ms_at_n"] = 1000 * float(bf["query_median_s"]) * scale  # type: ignore[arg-type]
    f["brute_naive_median_ms_at_n"] = 1000 * naive_query_median(w.texts, w.queries, subset) * scale
    f["brute_allpairs_subset_s"] = bf["allpairs_s"]
    f["speedup_vs_vectorised_brute"] = f["brute_vectorised_median_ms_at_n"] / big.median_ms  # type: ignore[operator]
    f["speedup_vs_naive_brute"] = f["brute_naive_median_ms_at_n"] / big.median_ms  # type: ignore[operator]


TABLE = [  # (label, format over the figures; {n} / {small} are the two archive sizes)
    ("records / queries / brute-force subset", "{records:,} / {queries:,} / {brute_subset:,}"),
    ("median article length (chars)", "{median_chars:.0f}"),
    ("generate / write JSONL (s)", "{generate_s:.1f} / {write_jsonl_s:.1f}"),
    ("load average (1 min) before / after; cores", "{load_before:.1f} / {load_after:.1f}; {cores}"),
    ("signatures/s, same shingle hashes ({sig_sample:,} articles): datasketch",
     "{sig_per_s_datasketch:,.0f}"),
    ("  numpy baseline (previous: affine32 outer products)", "{sig_per_s_numpy_baseline:,.0f}"),
    ("  rensa R-MinHash, batch call", "{sig_per_s_rensa:,.0f}"),
    ("  project (similarity.flat_signatures: rensa + numpy matrix)", "{sig_per_s_project:,.0f}"),
    ("project vs datasketch / numpy baseline / rensa",
     "x{sig_project_vs_datasketch:.1f} / x{sig_project_vs_numpy_baseline:.1f} / x{sig_project_vs_rensa:.2f}"),
    ("shingle hashing per text: one at a time (before) / batched (us)",
     "{shingle_us_per_text_before:.1f} / {shingle_us_per_text:.1f} (x{shingle_speedup:.1f})"),
    ("records index (what export/diff/dups do) (s), median of {index_runs}, {records_index_workers} "
     "processes", "{records_index_s:.1f} ({records_index_records_per_s:,.0f} records/s; for 100k: "
     "{records_index_100k_s:.1f}, target <= 10)"),
    ("  in one process (s), median; pool speed-up",
     "{records_index_serial_s:.1f}; x{records_index_pool_speedup:.2f}"),
    ("  CPU s: read+check / shingle / sign / SQLite / history / other",
     "{records_index_read_cpu_s:.1f} / {records_index_shingle_cpu_s:.1f} / {records_index_sign_cpu_s:.1f} / "
     "{records_index_write_cpu_s:.1f} / {records_index_history_cpu_s:.1f} / {records_index_other_cpu_s:.1f} "
     "(cores busy {records_index_cores_busy:.2f})"),
    ("  on an idle machine at best: max(CPU / cores, the writer's CPU) (s)",
     "{records_index_idle_floor_s:.1f}"),
    ("newsarchive index, with the search tables (s), {index_workers} processes",
     "{index_s:.1f} ({index_records_per_s:,.0f} records/s; for 100k: {index_100k_s:.1f})"),
    ("  CPU s: read+check / shingle / sign / search rows (workers)",
     "{index_read_cpu_s:.1f} / {index_shingle_cpu_s:.1f} / {index_sign_cpu_s:.1f} / "
     "{index_search_cpu_s:.1f}"),
    ("  CPU s: FTS5 shards (built in parallel after the records, newsarchive.search.end_bulk)",
     "{index_fts_cpu_s:.1f}"),
    ("  CPU s, the writer: records / search rows / shards copied in / "
     "history / other",
     "{index_records_write_cpu_s:.1f} / {index_write_search_cpu_s:.1f} / {index_optimize_cpu_s:.1f} / "
     "{index_history_cpu_s:.1f} / {index_other_cpu_s:.1f} (cores busy {index_cores_busy:.2f})"),
    ("  on an idle machine at best: max(CPU / cores, the writer's CPU) (s)", "{index_idle_floor_s:.1f}"),
    ("re-index, nothing changed (s), files read", "{reindex_unchanged_s:.2f}, {reindex_files_read}"),
    ("read records, schema-checked / unchecked baseline / unchecked with stdlib json (us each)",
     "{read_validated_us_per_record:.0f} / {read_unchecked_us_per_record:.0f} / "
     "{read_unchecked_json_us_per_record:.0f} (x{read_validation_ratio:.2f})"),
    ("schema checks' share of the records index time", "{validation_share_of_index:.1%}"),
    ("match one query at {small:,}: median / p95 (ms)", "{match_small_ms:.3f} / {match_small_p95:.3f}"),
    ("match one query at {n:,}: median / p95 (ms)", "{match_n_ms:.3f} / {match_n_p95:.3f}"),
    ("matching time growth for x{growth_ratio_size:.0f} records", "x{growth_ratio_time:.2f}"),
    ("LSH candidates per query at {n:,}", "{candidates_n:.2f}"),
    ("brute force one query at {n:,}, vectorised: median (ms)", "{brute_vectorised_median_ms_at_n:.1f}"),
    ("brute force one query at {n:,}, naive loop: median (ms)", "{brute_naive_median_ms_at_n:.1f}"),
    ("speed-up vs vectorised / naive brute force",
     "x{speedup_vs_vectorised_brute:.0f} / x{speedup_vs_naive_brute:.0f}"),
    ("brute-force all pairs of the subset (s)", "{brute_allpairs_subset_s:.1f}"),
    ("recall, planted near-duplicates", "{recall_planted:.4f} of {planted_true_pairs}"),
    ("recall, planted pairs with Jaccard 0.80-0.85 (hardest)",
     "{recall_planted_hard:.4f} of {planted_pairs_hard}"),
    ("recall vs brute force on the subset", "{recall_vs_brute_subset:.4f} of {brute_pairs_in_subset}"),
    ("unplanted pairs >= 0.8 in the subset (queries / all pairs)",
     "{brute_unplanted_pairs} / {brute_internal_unplanted}"),
    ("newsarchive dups on the whole archive (s)", "{dups_s:.1f}"),
    ("dups recall, planted copies", "{dups_recall_planted:.4f} of {planted_internal_pairs}"),
    ("dups recall vs brute-force all pairs of the subset",
     "{dups_recall_vs_brute_subset:.4f} of {brute_internal_pairs}"),
    ("memory per 100k: signatures / LSH / SQLite (MB)",
     "{signatures_mb_per_100k:.1f} / {lsh_mb_per_100k:.1f} / {index_mb_per_100k:.1f}"),
    ("peak RSS of the whole run (MB)", "{peak_rss_mb:.0f}"),
]  # fmt: skip


def print_table(f: dict[str, object], n: int, small: int) -> None:
    values = {
        **f,
        "n": n,
        "small": small,
        "match_small_ms": f[f"match_{small}_median_ms"],
        "match_small_p95": f[f"match_{small}_p95_ms"],
        "match_n_p95": f[f"match_{n}_p95_ms"],
        "match_n_ms": f[f"match_{n}_median_ms"],
        "candidates_n": f[f"match_{n}_candidates_per_query"],
    }
    rows = [(label.format_map(values), fmt.format_map(values)) for label, fmt in TABLE]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
