"""Character shingles, MinHash signatures (bit-identical to datasketch) and the numpy LSH."""

from __future__ import annotations

import numpy as np
import pytest
from archive_helpers import article
from datasketch import LeanMinHash, MinHash, MinHashLSH

from newsarchive import similarity as sim


def _datasketch_minhash(text: str) -> MinHash:
    """The reference: datasketch's own MinHash, fed one shingle hash at a time."""
    hashes = sim.shingle_hashes(text)
    m = MinHash(num_perm=sim.NUM_PERM, seed=sim.SEED, scheme=sim.SCHEME, hashfunc=lambda x: x)
    for h in hashes:
        m.update(int(h >> np.uint64(32)))
    return m


@pytest.mark.parametrize("name", ["suqian", "gangzha", "unrelated"])
def test_signature_is_bit_identical_to_datasketch(name: str) -> None:
    text = article(name).text
    assert np.array_equal(sim.text_signature(text), _datasketch_minhash(text).hashvalues)


def test_signature_estimates_jaccard_like_datasketch() -> None:
    a, b = article("suqian").text, article("suqian").text.replace("管用", "管锚点用")
    exact = sim.jaccard(sim.shingle_hashes(a), sim.shingle_hashes(b))
    ours = sim.estimate_jaccard(sim.text_signature(a), sim.text_signature(b))
    theirs = _datasketch_minhash(a).jaccard(_datasketch_minhash(b))
    assert ours == pytest.approx(theirs)
    assert abs(ours - exact) < 0.1
    lean = sim.to_minhash(sim.text_signature(a))
    assert isinstance(lean, LeanMinHash)
    assert lean.jaccard(LeanMinHash(_datasketch_minhash(a))) == 1.0


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
    sig = sim.text_signature(article("zhumadian").text)
    blob = sim.signature_to_blob(sig)
    assert len(blob) == 4 * sim.NUM_PERM
    assert np.array_equal(sim.signature_from_blob(blob), sig)


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9])
def test_lsh_params_miss_little_at_the_threshold(threshold: float) -> None:
    bands, rows = sim.lsh_params(threshold)
    assert bands * rows <= sim.NUM_PERM
    assert sim.false_negative_rate(threshold, bands, rows) <= 0.005
    assert sim.false_negative_rate(0.2, bands, rows) > 0.5  # unrelated texts rarely become candidates


def test_lsh_finds_near_duplicates_and_agrees_with_datasketch_lsh() -> None:
    names = ["suqian", "gangzha", "zhumadian", "unrelated"]
    texts = [article(n).text for n in names]
    near = texts[0].replace("管用", "管锚点用") + "会议还研究了其他事项。"
    sigs = np.stack([sim.text_signature(t) for t in texts])
    lsh = sim.LSHIndex.for_threshold(0.8)
    lsh.add(sigs, range(len(texts)))
    assert lsh.query(sim.text_signature(near)) == [[0]]
    assert lsh.query(sim.text_signature(texts[3])) == [[3]]

    bands, rows = sim.lsh_params(0.8)
    ref = MinHashLSH(num_perm=sim.NUM_PERM, params=(bands, rows))
    for i, t in enumerate(texts):
        ref.insert(i, LeanMinHash(_datasketch_minhash(t)))
    assert sorted(ref.query(LeanMinHash(_datasketch_minhash(near)))) == [0]


def test_lsh_candidate_pairs_and_incremental_add() -> None:
    base = article("gangzha").text
    lsh = sim.LSHIndex.for_threshold(0.8)
    lsh.add(np.stack([sim.text_signature(base), sim.text_signature(article("suqian").text)]), [1, 2])
    lsh.add(sim.text_signature(base + "会议还研究了其他事项。"), [7])
    assert len(lsh) == 3
    assert lsh.candidate_pairs() == {(1, 7)}


def test_lsh_rejects_mismatched_ids() -> None:
    with pytest.raises(ValueError, match="2 signatures but 1 ids"):
        sim.LSHIndex.for_threshold(0.8).add(np.zeros((2, sim.NUM_PERM), np.uint32), [1])
