"""Content similarity for Chinese text: character shingles, MinHash signatures, exact Jaccard, LSH.

Why characters: Chinese has no spaces between words, so the unit is the character. An article's
*shingles* are its overlapping runs of :data:`SHINGLE_SIZE` characters after all whitespace is removed
(line breaks and paragraph splits therefore never change similarity). Each shingle is hashed to 64 bits
(a polynomial over code points, then the MurmurHash3 64-bit finaliser), in numpy, vectorised over a
whole batch of documents at once (:func:`shingle_batch`).

MinHash: signatures are rensa's R-MinHash (``rensa.RMinHash``, Rust, :data:`NUM_PERM` uint32 slots,
:data:`SEED`) of the set of shingle hashes, computed for a whole batch in one call. Each slot of two
signatures is equal with probability the Jaccard similarity of the two shingle sets, so the estimate
and the banded LSH below work as with classic MinHash (measured in tests/newsarchive/test_similarity.py
and bench/archive.py: unbiased, a smaller spread than datasketch's, LSH misses at the threshold no more
often than the banding formula says). :data:`FAMILY` names the algorithm version; the index stores it
and rebuilds itself when it changes, because signatures of different versions cannot be compared.

What remains of datasketch compatibility: a signature can be wrapped as a datasketch ``LeanMinHash``
(:func:`to_minhash`) and used with datasketch's ``MinHashLSH`` and ``jaccard`` against other signatures
of this module; it is *not* equal to the signature datasketch's own ``MinHash`` computes from the same
shingles (a different hash family), so the two must not be mixed. Up to layout version 2 the index held
datasketch-identical (affine32) signatures; an index of that layout is rebuilt once on first use.

LSH: :class:`LSHIndex` bands the signatures (``bands`` x ``rows`` = up to ``NUM_PERM``) and keeps one
sorted numpy array of 64-bit band keys per band: 12 bytes per band per record, instead of a Python set
per bucket (datasketch's ``MinHashLSH`` dictionaries need several hundred bytes per band per record).
Candidates are then verified with the exact Jaccard of the shingle sets (:func:`jaccard`).
"""

from __future__ import annotations

import array
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import rensa

SHINGLE_SIZE = 5  # characters; long enough that unrelated reports on the same topic share few shingles
NUM_PERM = 128
SEED = 1
FAMILY = f"rensa-rminhash-v{rensa.RMinHash.ALGORITHM_VERSION}"  # stored by the index; a change rebuilds it
EMPTY_SLOT = 0xFFFFFFFF  # every slot of the signature of an empty text

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

_POLY = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime, used as the polynomial base
_M64_1 = np.uint64(0xFF51AFD7ED558CCD)
_M64_2 = np.uint64(0xC4CEB9FE1A85EC53)
_EMPTY = np.zeros(0, dtype=np.uint64)
_U32_CODE = "I" if array.array("I").itemsize == 4 else "L"  # array.array's 32-bit unsigned type
_BATCH_CHARS = 1 << 16  # code points hashed per numpy pass: its uint64 arrays (512 KB) stay in the L2 cache


def _fmix64(h: U64) -> U64:
    h = h ^ (h >> np.uint64(33))
    return _fmix64_inplace(h)


def _fmix64_inplace(h: U64) -> U64:
    """MurmurHash3's 64-bit finaliser, after its first xor-shift, overwriting ``h``."""
    tmp = np.empty_like(h)
    h *= _M64_1
    h ^= np.right_shift(h, np.uint64(33), out=tmp)
    h *= _M64_2
    h ^= np.right_shift(h, np.uint64(33), out=tmp)
    return h


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
    flat, _ = shingle_batch([text], k)
    return _sorted_unique(flat)


def shingle_batch(texts: Sequence[str], k: int = SHINGLE_SIZE) -> tuple[U64, I64]:
    """The shingle hashes of many texts in one pass: ``flat[offsets[i]:offsets[i + 1]]`` are those of
    ``texts[i]``, in text order, repeats kept (a signature depends only on the set; :func:`shingle_hashes`
    sorts and dedups). The same values as :func:`shingle_hashes`, at a fraction of the cost per text.

    >>> flat, offsets = shingle_batch(["一二三四五六", "", "复工"])
    >>> offsets.tolist()
    [0, 2, 2, 3]
    >>> bool(np.array_equal(np.sort(flat[:2]), shingle_hashes("一二三四五六")))
    True
    """
    points, lengths = _squeezed_code_points(texts)
    counts = np.where(lengths >= k, lengths - k + 1, np.minimum(lengths, 1))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    starts = np.zeros(len(texts) + 1, dtype=np.int64)  # of each text in ``points``
    np.cumsum(lengths, out=starts[1:])
    flat = np.empty(int(offsets[-1]), dtype=np.uint64)
    start = 0
    while start < len(texts):  # batches of about _BATCH_CHARS code points (one long text alone)
        stop = start + max(1, int(np.searchsorted(starts[start + 1 :] - starts[start], _BATCH_CHARS)))
        flat[offsets[start] : offsets[stop]] = _hash_joined(
            points[starts[start] : starts[stop]], lengths[start:stop], k
        )
        start = stop
    return flat, offsets


def _squeezed_code_points(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint32], I64]:
    """The code points of all texts, whitespace removed (:func:`squeeze_whitespace`, done on the array
    of the joined texts rather than text by text), and the length of each text without its whitespace.

    >>> points, lengths = _squeezed_code_points(["复工 复产", "", "\\u3000\\n", "a\\u00a0b"])
    >>> "".join(map(chr, points)), lengths.tolist()
    ('复工复产ab', [4, 0, 0, 2])
    """
    raw = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    low = np.flatnonzero(raw <= _LAST_WHITESPACE)  # few in Chinese text: look only these up
    spaces = low[_WHITESPACE[raw[low]]]
    removed = np.bincount(np.searchsorted(ends, spaces, side="right"), minlength=len(texts))[: len(texts)]
    lengths = np.diff(ends, prepend=0) - removed
    if len(spaces) == 0:
        return raw, lengths
    keep = np.ones(len(raw), dtype=bool)
    keep[spaces] = False
    return raw[keep], lengths


_LAST_WHITESPACE = 0x3000  # the highest code point str.split() drops (IDEOGRAPHIC SPACE; a test checks)
_WHITESPACE = np.array([chr(c).isspace() for c in range(_LAST_WHITESPACE + 1)])  # by code point


def _hash_joined(points: npt.NDArray[np.uint32], lengths: I64, k: int) -> U64:
    """Shingle hashes of some whitespace-free texts, given as their code points one after another, hashed
    as one string: the windows that cross from one text into the next are dropped; a text shorter than
    ``k`` keeps its one, shorter, window."""
    n = int(lengths.sum())
    if n == 0:
        return _EMPTY
    cps = np.zeros(n + k - 1, dtype=np.uint64)  # padded, so that every position starts a full window
    np.add(points, np.uint64(1), out=cps[:n])  # code point + 1, in the padded uint64 array
    ends = np.cumsum(lengths)
    starts = ends - lengths
    short = (lengths > 0) & (lengths < k)
    h = cps[:n].copy()
    short_values = np.where(short & (lengths == 1), h[np.minimum(starts, n - 1)], np.uint64(0))
    with np.errstate(over="ignore"):
        for i in range(1, k):
            h *= _POLY
            h += cps[i : i + n]
            done = short & (lengths == i + 1)
            short_values[done] = h[starts[done]]
    valid = np.ones(n, dtype=bool)
    tail = (ends[lengths > 0, None] - np.arange(1, k)).ravel()  # windows that run past their text's end
    valid[tail[tail >= np.repeat(starts[lengths > 0], k - 1)]] = False
    valid[starts[short]] = True
    h[starts[short]] = short_values[short]
    h = h[valid]
    h ^= h >> np.uint64(33)
    return _fmix64_inplace(h)


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


def flat_signatures(flat: U64, offsets: I64, num_perm: int = NUM_PERM, seed: int = SEED) -> U32:
    """Signatures, shape (n, num_perm), of the hash sets ``flat[offsets[i]:offsets[i + 1]]`` (as
    :func:`shingle_batch` returns them; repeats and order do not matter): one rensa call for all."""
    values = array.array(_U32_CODE)
    for row in _digest_rows(flat, offsets, num_perm, seed):
        values.extend(row)
    return np.frombuffer(values, dtype=np.uint32).reshape(-1, num_perm)


def flat_signature_blobs(flat: U64, offsets: I64, num_perm: int = NUM_PERM, seed: int = SEED) -> list[bytes]:
    """:func:`signature_to_blob` of each of :func:`flat_signatures`, without the matrix in between."""
    blobs = []
    for row in _digest_rows(flat, offsets, num_perm, seed):
        values = array.array(_U32_CODE, row)
        if sys.byteorder == "big":
            values.byteswap()
        blobs.append(values.tobytes())
    return blobs


def _digest_rows(flat: U64, offsets: I64, num_perm: int, seed: int) -> list[list[int]]:
    if len(offsets) < 2:
        return []
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        np.ascontiguousarray(flat, dtype=np.uint64), np.ascontiguousarray(offsets, dtype=np.uint64),
        num_perm, seed,
    )
    rows: list[list[int]] = matrix.to_rows()
    return rows


def signature(hashes: U64, num_perm: int = NUM_PERM, seed: int = SEED) -> U32:
    """MinHash signature (``num_perm`` uint32) of a shingle-hash set; all :data:`EMPTY_SLOT` when empty.

    >>> h = shingle_hashes("国务院联防联控机制召开新闻发布会")
    >>> bool(np.array_equal(signature(h), signature(np.concatenate([h[::-1], h[:3]]))))  # a set function
    True
    >>> int(signature(_EMPTY).min()) == EMPTY_SLOT
    True
    """
    return flat_signatures(hashes, np.array([0, len(hashes)]), num_perm, seed)[0]


def signatures(hash_sets: Sequence[U64], num_perm: int = NUM_PERM, seed: int = SEED) -> U32:
    """Signatures of many shingle-hash sets, shape (n, num_perm), in one rensa call."""
    offsets = np.zeros(len(hash_sets) + 1, dtype=np.int64)
    np.cumsum([len(h) for h in hash_sets], out=offsets[1:])
    flat = np.concatenate(list(hash_sets)) if len(hash_sets) else _EMPTY
    return flat_signatures(flat, offsets, num_perm, seed)


def text_signatures(texts: Sequence[str]) -> U32:
    """Signatures of many texts with the archive's default parameters: what the index stores."""
    return flat_signatures(*shingle_batch(texts))


def text_signature(text: str) -> U32:
    """Signature of a text with the archive's default parameters."""
    return text_signatures([text])[0]


def estimate_jaccard(sig_a: U32, sig_b: U32) -> float:
    """Jaccard estimated from two signatures (share of equal positions)."""
    return float(np.mean(sig_a == sig_b))


def signature_to_blob(sig: U32) -> bytes:
    """Little-endian uint32 bytes, the form the index stores."""
    return np.asarray(sig, dtype="<u4").tobytes()


def signature_blobs(sigs: U32) -> list[bytes]:
    """:func:`signature_to_blob` of each row of an (n, num_perm) matrix, from one copy."""
    data = np.ascontiguousarray(sigs, dtype="<u4").tobytes()
    size = 4 * sigs.shape[1] if sigs.ndim == 2 else 0
    return [data[i : i + size] for i in range(0, len(data), size)] if size else []


def signature_from_blob(blob: bytes) -> U32:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def to_minhash(sig: U32, seed: int = SEED) -> object:
    """The signature as a datasketch ``LeanMinHash``: usable with datasketch's ``MinHashLSH`` and
    ``jaccard`` against other signatures of this module, never against datasketch's own ``MinHash``
    values (see the module docstring). Needs datasketch installed (it is a dev dependency)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=np.asarray(sig, dtype=np.uint64))


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
