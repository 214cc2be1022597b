"""Content similarity for Chinese text: character shingles, MinHash signatures, exact Jaccard, LSH.

Why characters: Chinese has no spaces between words, so the unit is the character. An article's
*shingles* are its overlapping runs of :data:`SHINGLE_SIZE` characters after all whitespace is removed
(line breaks and paragraph splits therefore never change similarity). Each shingle is hashed to 64 bits
(a polynomial over code points, then the MurmurHash3 64-bit finaliser), all in numpy, vectorised over
the whole document.

MinHash: the signature is the one datasketch computes with ``MinHash(num_perm=NUM_PERM, seed=SEED,
scheme="affine32", hashfunc=<upper 32 bits of our shingle hash>)`` — bit for bit (a test checks it) —
but computed in one numpy expression per document instead of one Python call per shingle, which is
what makes indexing 100,000 articles take seconds. :func:`to_minhash` turns a signature back into a
datasketch ``LeanMinHash`` for interoperability.

LSH: :class:`LSHIndex` bands the signatures (``bands`` x ``rows`` = up to ``NUM_PERM``) and keeps one
sorted numpy array of 64-bit band keys per band: 12 bytes per band per record, instead of a Python set
per bucket (datasketch's ``MinHashLSH`` dictionaries need several hundred bytes per band per record).
Candidates are then verified with the exact Jaccard of the shingle sets (:func:`jaccard`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

SHINGLE_SIZE = 5  # characters; long enough that unrelated reports on the same topic share few shingles
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # datasketch >= 2.0 permutation scheme the signatures follow

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]

_POLY = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime, used as the polynomial base
_M64_1 = np.uint64(0xFF51AFD7ED558CCD)
_M64_2 = np.uint64(0xC4CEB9FE1A85EC53)
_M32_1 = np.uint32(0x85EBCA6B)
_M32_2 = np.uint32(0xC2B2AE35)
_EMPTY = np.zeros(0, dtype=np.uint64)


def _fmix64(h: U64) -> U64:
    h = h ^ (h >> np.uint64(33))
    h = h * _M64_1
    h = h ^ (h >> np.uint64(33))
    h = h * _M64_2
    return h ^ (h >> np.uint64(33))


def _fmix32(h: U32) -> U32:
    h = h ^ (h >> np.uint32(16))
    h = h * _M32_1
    h = h ^ (h >> np.uint32(13))
    h = h * _M32_2
    return h ^ (h >> np.uint32(16))


def squeeze_whitespace(text: str) -> str:
    """Drop every whitespace character (line breaks, spaces, U+3000), the form shingles are taken from.

    >>> squeeze_whitespace("复工 复产\\n\\u3000第二段")
    '复工复产第二段'
    """
    return "".join(text.split())


def shingle_hashes(text: str, k: int = SHINGLE_SIZE) -> U64:
    """Sorted unique 64-bit hashes of the ``k``-character shingles of ``text`` (whitespace removed).

    A text shorter than ``k`` is one shingle; an empty text has none.

    >>> len(shingle_hashes("一二三四五六"))  # 一二三四五, 二三四五六
    2
    >>> len(shingle_hashes("一二 三四\\n五六")) == 2
    True
    >>> len(shingle_hashes(""))
    0
    """
    squeezed = squeeze_whitespace(text)
    if not squeezed:
        return _EMPTY
    cps = np.frombuffer(squeezed.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(k, len(cps))
    n = len(cps) - width + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(width):
            h = h * _POLY + cps[i : i + n] + np.uint64(1)
        return _sorted_unique(_fmix64(h))


def _sorted_unique(h: U64) -> U64:
    """Sorted unique values (np.unique's hash-based path is several times slower on these sizes)."""
    h.sort()
    if len(h) < 2:
        return h
    keep = np.empty(len(h), dtype=bool)
    keep[0] = True
    np.not_equal(h[1:], h[:-1], out=keep[1:])
    return h[keep]


def jaccard(a: U64, b: U64) -> float:
    """Exact Jaccard similarity of two shingle-hash sets (sorted unique arrays).

    >>> jaccard(shingle_hashes("今天天气很好我们出去玩"), shingle_hashes("今天天气很好我们出去玩"))
    1.0
    >>> jaccard(shingle_hashes("今天天气很好"), shingle_hashes("明日有雨不宜出行"))
    0.0
    >>> jaccard(_EMPTY, _EMPTY)
    1.0
    """
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def containment(a: U64, b: U64) -> float:
    """Share of ``a``'s shingles that also occur in ``b`` (1.0 when ``a`` is a part of ``b``)."""
    if len(a) == 0:
        return 1.0
    return len(np.intersect1d(a, b, assume_unique=True)) / len(a)


@lru_cache(maxsize=8)
def permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> tuple[U32, U32]:
    """The ``(a, b)`` permutation parameters datasketch's affine32 scheme draws for ``seed``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def signature(hashes: U64, num_perm: int = NUM_PERM, seed: int = SEED) -> U32:
    """MinHash signature (``num_perm`` uint32) of a shingle-hash set; all ``0xFFFFFFFF`` when empty."""
    a, b = permutations(num_perm, seed)
    if len(hashes) == 0:
        return np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    hv = _fmix32((hashes >> np.uint64(32)).astype(np.uint32))
    out = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    for start in range(0, len(hv), 4096):  # bound the temporary to 4096 x num_perm x 4 bytes
        block = np.multiply.outer(hv[start : start + 4096], a)
        block += b
        np.minimum(out, block.min(axis=0), out=out)
    return out


def signatures(hash_sets: Sequence[U64], num_perm: int = NUM_PERM, seed: int = SEED) -> U32:
    """Signatures of many shingle-hash sets, shape (n, num_perm).

    One document at a time on purpose: a document's (shingles x num_perm) block stays in the CPU cache,
    which measured ~10x faster than one big block with ``np.minimum.reduceat`` over many documents.
    """
    out = np.full((len(hash_sets), num_perm), 0xFFFFFFFF, dtype=np.uint32)
    for i, hashes in enumerate(hash_sets):
        out[i] = signature(hashes, num_perm, seed)
    return out


def text_signature(text: str) -> U32:
    """Signature of a text with the archive's default parameters."""
    return signature(shingle_hashes(text))


def estimate_jaccard(sig_a: U32, sig_b: U32) -> float:
    """Jaccard estimated from two signatures (share of equal positions)."""
    return float(np.mean(sig_a == sig_b))


def signature_to_blob(sig: U32) -> bytes:
    """Little-endian uint32 bytes, the form the index stores."""
    return np.asarray(sig, dtype="<u4").tobytes()


def signature_from_blob(blob: bytes) -> U32:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def to_minhash(sig: U32, seed: int = SEED) -> object:
    """The signature as a datasketch ``LeanMinHash`` (for code that wants datasketch objects)."""
    from datasketch import LeanMinHash, MinHash

    mh = MinHash(seed=seed, hashvalues=sig, scheme=SCHEME)
    return LeanMinHash(mh)


# --------------------------------------------------------------------------------------------- LSH


def false_negative_rate(threshold: float, bands: int, rows: int) -> float:
    """Probability that a pair with Jaccard ``threshold`` shares no band (is missed by LSH).

    >>> round(false_negative_rate(0.8, 32, 4), 6)
    0.0
    """
    return float((1.0 - threshold**rows) ** bands)


def lsh_params(threshold: float, num_perm: int = NUM_PERM, max_miss: float = 0.005) -> tuple[int, int]:
    """Bands and rows for finding pairs with Jaccard >= ``threshold``.

    Picks the largest ``rows`` (fewest false candidates) whose miss probability *at the threshold*
    is at most ``max_miss``; pairs above the threshold are missed even less often.

    >>> lsh_params(0.8)
    (21, 6)
    >>> lsh_params(0.5)
    (42, 3)
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"similarity threshold must be in (0, 1], got {threshold}")
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if false_negative_rate(threshold, bands, rows) <= max_miss:
            best = (bands, rows)
    return best


def _band_keys(sigs: U32, bands: int, rows: int, chunk: int = 4096) -> U64:
    """One 64-bit key per (record, band): shape (n, bands). Vectorised over bands (one query costs a
    few numpy calls), in chunks of records so that the uint64 temporaries stay small."""
    n = sigs.shape[0]
    keys = np.empty((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, n, chunk):
            part = sigs[start : start + chunk, : bands * rows].astype(np.uint64).reshape(-1, bands, rows)
            k = np.zeros(part.shape[:2], dtype=np.uint64)
            for r in range(rows):
                k = _fmix64(k * _POLY + part[:, :, r] + np.uint64(r + 1))
            keys[start : start + chunk] = k
    return keys


@dataclass
class LSHIndex:
    """Banded MinHash LSH over numpy arrays; items are integer ids given at :meth:`add`.

    >>> import numpy as np
    >>> sigs = np.stack([text_signature("国务院联防联控机制召开新闻发布会介绍复工复产情况" * 3),
    ...                  text_signature("某市召开全市安全生产工作会议部署下一阶段重点任务" * 3)])
    >>> lsh = LSHIndex.for_threshold(0.8)
    >>> lsh.add(sigs, [10, 11])
    >>> lsh.query(sigs[:1])
    [[10]]
    """

    bands: int
    rows: int
    _keys: list[U64] = field(default_factory=list)  # per chunk: (n, bands)
    _ids: list[npt.NDArray[np.int64]] = field(default_factory=list)
    _sorted: list[tuple[U64, npt.NDArray[np.int64]]] | None = None

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int = NUM_PERM) -> LSHIndex:
        bands, rows = lsh_params(threshold, num_perm)
        return cls(bands, rows)

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._ids)

    def add(self, sigs: U32, ids: Sequence[int] | npt.NDArray[np.int64]) -> None:
        """Add signatures (shape (n, num_perm)) under the given integer ids."""
        sigs = np.atleast_2d(sigs)
        ids_arr = np.asarray(ids, dtype=np.int64)
        if len(ids_arr) != sigs.shape[0]:
            raise ValueError(f"{sigs.shape[0]} signatures but {len(ids_arr)} ids")
        self._keys.append(_band_keys(sigs, self.bands, self.rows))
        self._ids.append(ids_arr)
        self._sorted = None

    def _tables(self) -> list[tuple[U64, npt.NDArray[np.int64]]]:
        if self._sorted is None:
            keys = np.concatenate(self._keys) if self._keys else np.zeros((0, self.bands), np.uint64)
            ids = np.concatenate(self._ids) if self._ids else np.zeros(0, np.int64)
            self._keys, self._ids = [keys], [ids]
            tables = []
            for band in range(self.bands):
                order = np.argsort(keys[:, band], kind="stable")
                tables.append((keys[order, band], ids[order]))
            self._sorted = tables
        return self._sorted

    def query(self, sigs: U32) -> list[list[int]]:
        """Candidate ids for each query signature (sorted, unique)."""
        sigs = np.atleast_2d(sigs)
        qkeys = _band_keys(sigs, self.bands, self.rows)
        found: list[list[npt.NDArray[np.int64]]] = [[] for _ in range(sigs.shape[0])]
        for band, (keys, ids) in enumerate(self._tables()):
            lo = np.searchsorted(keys, qkeys[:, band], side="left")
            hi = np.searchsorted(keys, qkeys[:, band], side="right")
            for q in np.nonzero(hi > lo)[0]:
                found[q].append(ids[lo[q] : hi[q]])
        return [np.unique(np.concatenate(f)).tolist() if f else [] for f in found]

    def candidate_pairs(self) -> set[tuple[int, int]]:
        """All pairs of ids sharing at least one band bucket (each pair once, smaller id first)."""
        pairs: set[tuple[int, int]] = set()
        for keys, ids in self._tables():
            if len(keys) < 2:
                continue
            starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
            ends = np.append(starts[1:], len(keys))
            for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
                bucket = sorted(set(ids[s:e].tolist()))
                pairs.update((x, y) for i, x in enumerate(bucket) for y in bucket[i + 1 :])
        return pairs


def best_match(query: U64, candidates: Iterable[tuple[int, U64]]) -> tuple[int, float] | None:
    """The candidate with the highest exact Jaccard to ``query`` (ties: the first), or None."""
    best: tuple[int, float] | None = None
    for cid, hashes in candidates:
        score = jaccard(query, hashes)
        if best is None or score > best[1]:
            best = (cid, score)
    return best
