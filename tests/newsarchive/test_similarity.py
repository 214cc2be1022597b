"""Character shingles, MinHash signatures (rensa's R-MinHash, datasketch as the peer) and the numpy LSH.

The signatures are not datasketch's values (another hash family); what has to hold is what a user of
`dups` and `diff` notices: the estimate is as good as datasketch's, and the banded LSH misses a pair at
the threshold no more often than the banding formula promises. Measured here on shingle sets of known
exact Jaccard, small, medium and long, with fixed seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
from archive_helpers import article
from datasketch import LeanMinHash, MinHash, MinHashLSH

from newsarchive import similarity as sim

M64 = (1 << 64) - 1


def _reference_hash(shingle: str) -> int:
    """A shingle's 64-bit hash in plain Python: the polynomial over code points, MurmurHash3's fmix64."""
    h = 0
    for ch in shingle:
        h = (h * 0x100000001B3 + ord(ch) + 1) & M64
    for mult in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):
        h ^= h >> 33
        h = (h * mult) & M64
    return h ^ (h >> 33)


def _reference_shingles(text: str, k: int = sim.SHINGLE_SIZE) -> list[int]:
    s = "".join(text.split())
    if not s:
        return []
    width = min(k, len(s))
    return sorted({_reference_hash(s[i : i + width]) for i in range(len(s) - width + 1)})


def _datasketch_minhash(hashes: np.ndarray) -> MinHash:
    """The peer: datasketch's own MinHash of the same shingle hashes (upper 32 bits, its affine32 scheme)."""
    m = MinHash(num_perm=sim.NUM_PERM, seed=sim.SEED, scheme="affine32", hashfunc=lambda x: x)
    m.update_batch((hashes >> np.uint64(32)).tolist())
    return m


def _pairs(rng: np.random.Generator, n: int, j: float, sizes: list[int]) -> tuple[list, list, np.ndarray]:
    """``n`` pairs of random 64-bit hash sets whose union has one of ``sizes`` and Jaccard ~``j``."""
    a, b, exact = [], [], []
    for i in range(n):
        union = sizes[i % len(sizes)]
        shared = round(j * union)
        only_a = (union - shared) // 2
        drawn = rng.integers(0, 2**63, union, dtype=np.int64).astype(np.uint64) * np.uint64(3)
        h = rng.permutation(np.unique(drawn))
        a.append(np.sort(h[: shared + only_a]))
        b.append(np.sort(np.concatenate([h[:shared], h[shared + only_a :]])))
        exact.append(sim.jaccard(a[-1], b[-1]))
    return a, b, np.array(exact)


TEXTS = ["", " \n\u3000", "复", "复工", "复工复产", "复工复产忙", "一二三四五六七", "一二 三四\n五六",
         "😀😀😀😀😀😀", article("suqian").text, article("gangzha").text]  # fmt: skip


@pytest.mark.parametrize("text", TEXTS)
def test_shingle_hashes_are_the_documented_hash(text: str) -> None:
    assert sim.shingle_hashes(text).tolist() == _reference_shingles(text)


def test_batch_shingles_equal_one_text_at_a_time() -> None:
    texts = TEXTS + TEXTS[::-1]  # short and empty texts between long ones
    flat, offsets = sim.shingle_batch(texts)
    for i, text in enumerate(texts):
        assert np.unique(flat[offsets[i] : offsets[i + 1]]).tolist() == _reference_shingles(text)
    assert np.array_equal(sim.text_signatures(texts), np.stack([sim.text_signature(t) for t in texts]))


def test_whitespace_is_what_str_split_drops() -> None:
    """Every code point that str.split() drops is below U+3001 and none of the others is."""
    assert max(c for c in range(0x110000) if chr(c).isspace()) == 0x3000


def test_signature_is_a_function_of_the_shingle_set() -> None:
    h = sim.shingle_hashes(article("zhumadian").text)
    shuffled = np.random.default_rng(3).permutation(np.concatenate([h, h[:40]]))
    assert np.array_equal(sim.signature(h), sim.signature(shuffled))
    assert sim.signature(h).dtype == np.uint32 and sim.signature(h).shape == (sim.NUM_PERM,)
    empty = sim.text_signature(" \n")
    assert (empty == sim.EMPTY_SLOT).all() and sim.estimate_jaccard(empty, sim.text_signature("")) == 1.0


@pytest.mark.parametrize("j", [0.5, 0.8, 0.9])
def test_estimate_is_unbiased_and_as_tight_as_datasketch(j: float) -> None:
    a, b, exact = _pairs(np.random.default_rng(int(j * 10)), 120, j, [30, 120, 600, 2000])
    pairs = zip(sim.signatures(a), sim.signatures(b), strict=True)
    ours = np.array([sim.estimate_jaccard(x, y) for x, y in pairs])
    peer = [_datasketch_minhash(x).jaccard(_datasketch_minhash(y)) for x, y in zip(a, b, strict=True)]
    theirs = np.array(peer)
    assert abs(np.mean(ours - exact)) < 0.01  # unbiased
    rmse_ours, rmse_theirs = np.sqrt(np.mean((ours - exact) ** 2)), np.sqrt(np.mean((theirs - exact) ** 2))
    assert rmse_ours <= 1.15 * rmse_theirs, (rmse_ours, rmse_theirs)


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_lsh_misses_at_the_threshold_no_more_than_the_banding_formula(threshold: float) -> None:
    """3,000 pairs exactly at the threshold: the share LSH misses stays near (1 - t^r)^b, and pairs far
    below it (Jaccard - 0.3) become candidates no more often than the formula says (precision)."""
    bands, rows = sim.lsh_params(threshold)
    rng = np.random.default_rng(42)
    for j, check in ((threshold, "miss"), (threshold - 0.3, "hit")):
        a, b, exact = _pairs(rng, 3000, j, [20, 60, 128, 400, 1500])
        lsh = sim.LSHIndex(bands, rows)
        lsh.add(sim.signatures(a), np.arange(len(a)))
        found = np.array([i in c for i, c in enumerate(lsh.query(sim.signatures(b)))])
        formula = 1 - (1 - exact**rows) ** bands  # chance that a pair shares a band
        if check == "miss":
            expected = np.sum(1 - formula)
            assert np.sum(~found) <= 2 * expected + 3, (np.sum(~found), expected)
        else:
            assert np.mean(found) <= np.mean(formula) + 0.03, (np.mean(found), np.mean(formula))


def test_whitespace_and_line_breaks_do_not_change_shingles() -> None:
    text = article("gangzha").text
    spaced = "\u3000\u3000" + text.replace("\n", "\n\n\u3000\u3000").replace("，", "， ")
    assert np.array_equal(sim.shingle_hashes(text), sim.shingle_hashes(spaced))


def test_exact_jaccard_on_known_sets() -> None:
    # "一二三四五六七" has shingles 一二三四五, 二三四五六, 三四五六七; the other shares the first two.
    a, b = sim.shingle_hashes("一二三四五六七"), sim.shingle_hashes("一二三四五六八")
    assert sim.jaccard(a, b) == pytest.approx(2 / 4)
    assert sim.containment(sim.shingle_hashes("一二三四五六"), a) == 1.0


def test_short_texts_are_one_shingle_and_empty_has_none() -> None:
    assert len(sim.shingle_hashes("复工")) == 1
    assert sim.jaccard(sim.shingle_hashes("复工"), sim.shingle_hashes("复产")) == 0.0
    assert len(sim.shingle_hashes(" \n\u3000")) == 0


def test_signature_blob_round_trip() -> None:
    texts = [article("zhumadian").text, article("suqian").text]
    sigs = sim.text_signatures(texts)
    blobs = sim.signature_blobs(sigs)
    assert blobs == sim.flat_signature_blobs(*sim.shingle_batch(texts))
    assert [len(b) for b in blobs] == [4 * sim.NUM_PERM] * 2
    assert blobs[1] == sim.signature_to_blob(sigs[1])
    assert np.array_equal(sim.signature_from_blob(blobs[0]), sigs[0])


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9])
def test_lsh_params_miss_little_at_the_threshold(threshold: float) -> None:
    bands, rows = sim.lsh_params(threshold)
    assert bands * rows <= sim.NUM_PERM
    assert sim.false_negative_rate(threshold, bands, rows) <= 0.005
    assert sim.false_negative_rate(0.2, bands, rows) > 0.5  # unrelated texts rarely become candidates


def test_lsh_finds_near_duplicates_like_datasketch_lsh_on_its_own_signatures() -> None:
    names = ["suqian", "gangzha", "zhumadian", "unrelated"]
    texts = [article(n).text for n in names]
    near = texts[0].replace("管用", "管锚点用") + "会议还研究了其他事项。"
    lsh = sim.LSHIndex.for_threshold(0.8)
    lsh.add(sim.text_signatures(texts), range(len(texts)))
    assert lsh.query(sim.text_signature(near)) == [[0]]
    assert lsh.query(sim.text_signature(texts[3])) == [[3]]

    ref = MinHashLSH(num_perm=sim.NUM_PERM, params=sim.lsh_params(0.8))
    for i, t in enumerate(texts):
        ref.insert(i, LeanMinHash(_datasketch_minhash(sim.shingle_hashes(t))))
    assert sorted(ref.query(LeanMinHash(_datasketch_minhash(sim.shingle_hashes(near))))) == [0]


def test_lsh_candidate_pairs_and_incremental_add() -> None:
    base = article("gangzha").text
    lsh = sim.LSHIndex.for_threshold(0.8)
    lsh.add(sim.text_signatures([base, article("suqian").text]), [1, 2])
    lsh.add(sim.text_signature(base + "会议还研究了其他事项。"), [7])
    assert len(lsh) == 3
    assert lsh.candidate_pairs() == {(1, 7)}


def test_lsh_rejects_mismatched_ids() -> None:
    with pytest.raises(ValueError, match="2 signatures but 1 ids"):
        sim.LSHIndex.for_threshold(0.8).add(np.zeros((2, sim.NUM_PERM), np.uint32), [1])
