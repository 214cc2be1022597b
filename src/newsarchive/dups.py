"""Clusters of exact and near-duplicate articles across the whole archive (reposts, mirror copies).

Two records are duplicates when their clean texts are identical (same ``text_sha256``) or when the exact
Jaccard similarity of their character shingles is at least ``threshold`` (default 0.8). Clusters are the
connected components of that relation (single linkage: a chain of near copies is one cluster; every
member's own similarity to the representative is reported).

How: identical texts are grouped by hash first, so LSH sees each distinct text once; the MinHash
signatures from the index go into a banded LSH (:mod:`newsarchive.similarity`) tuned so that a pair at
the threshold is missed with probability < 0.5 %; every candidate pair is then verified with the exact
Jaccard of the two texts' shingle sets (texts are read from the record files, each file once).

The representative of a cluster is the earliest capture from the most official host:

1. host rank (:func:`host_rank`): 0 = ``*.gov.cn``; 1 = other government hosts (a ``gov`` label, such as
   ``www.gov.hk``, ``xxx.gov``, or ``*.mil.cn``); 2 = news organisations (:data:`NEWS_HOSTS`, or a host
   label with ``news``, ``daily``, ``ribao``, ``xinwen``); 3 = anything else, and records without a URL
   (the seeds);
2. then the earliest ``fetched_at`` (records without one come after those with one), then the earliest
   ``published``;
3. then archive order (record file, position), so the choice is stable across runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsarchive import similarity
from newsarchive.index import ArchiveIndex, IndexedRecord
from newsarchive.records import host_of

DEFAULT_THRESHOLD = 0.8

NEWS_HOSTS = (
    "people.com.cn", "xinhuanet.com", "news.cn", "chinanews.com", "chinanews.com.cn", "cctv.com", "cctv.cn",
    "cnr.cn", "cri.cn", "gmw.cn", "ce.cn", "china.com.cn", "chinadaily.com.cn", "youth.cn", "cyol.com",
    "workercn.cn", "thepaper.cn", "sina.com.cn", "sina.cn", "163.com", "sohu.com", "qq.com", "ifeng.com",
    "dzwww.com", "jschina.com.cn", "zjol.com.cn", "southcn.com", "dahe.cn", "hebnews.cn", "cqnews.net",
    "bjnews.com.cn", "jfdaily.com", "eastday.com", "rednet.cn", "hnr.cn", "yunnan.cn", "zynews.cn",
)  # fmt: skip
_NEWS_WORDS = ("news", "daily", "ribao", "xinwen")


def host_rank(host: str | None) -> int:
    """How official a host is: 0 ``.gov.cn``, 1 other government, 2 news organisation, 3 other/unknown.

    >>> hosts = ("zhumadian.gov.cn", "www.gov.hk", "news.cn", "wap.zmdnews.cn", "blog.x.com", None)
    >>> [host_rank(h) for h in hosts]
    [0, 1, 2, 2, 3, 3]
    """
    if not host:
        return 3
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if host == "gov.cn" or host.endswith(".gov.cn"):
        return 0
    if "gov" in labels or host.endswith(".mil.cn"):
        return 1
    if any(host == h or host.endswith("." + h) for h in NEWS_HOSTS):
        return 2
    if any(word in label for label in labels[:-1] for word in _NEWS_WORDS):
        return 2
    return 3


def record_host(row: IndexedRecord) -> str | None:
    """The host of a record: from its URL, else its ``site`` when that is a host name."""
    return host_of(row.url) or (row.site.lower() if row.site and "." in row.site else None)


def representative_key(row: IndexedRecord) -> tuple[Any, ...]:
    """Sort key: the smallest key is the cluster's representative (see the module docstring)."""
    return (
        host_rank(record_host(row)),
        row.fetched_at is None,
        row.fetched_at or "",
        row.published is None,
        row.published or "",
        row.file,
        row.position,
    )


@dataclass
class Member:
    row: IndexedRecord
    similarity: float  # exact Jaccard to the representative's text
    exact: bool  # same text as the representative


@dataclass
class Cluster:
    id: int
    representative: IndexedRecord
    members: list[Member] = field(default_factory=list)  # the representative first

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def sites(self) -> list[str]:
        return sorted({h for m in self.members if (h := record_host(m.row) or m.row.site)})


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def find_clusters(
    index: ArchiveIndex, threshold: float = DEFAULT_THRESHOLD, problems: list[str] | None = None
) -> list[Cluster]:
    """Duplicate clusters (two or more records) of the indexed archive, largest first. A record whose
    file cannot be read again is left out of the near-duplicate check and named in ``problems``."""
    rows = {row.rowid: row for row in index.rows()}
    uf = _UnionFind()
    first_of_text: dict[str, int] = {}
    for rowid, row in rows.items():
        uf.union(first_of_text.setdefault(row.text_sha256, rowid), rowid)
    unique = np.asarray(sorted(first_of_text.values()), dtype=np.int64)
    rowids, sigs = index.signatures()
    keep = np.isin(rowids, unique)
    lsh = similarity.LSHIndex.for_threshold(threshold)
    lsh.add(sigs[keep], rowids[keep])
    pairs = sorted(lsh.candidate_pairs())
    hashes = _shingles(index, {x for pair in pairs for x in pair}, problems)
    for a, b in pairs:
        if a in hashes and b in hashes and similarity.jaccard(hashes[a], hashes[b]) >= threshold:
            uf.union(a, b)
    return _build(rows, uf, index, hashes, problems)


def _shingles(
    index: ArchiveIndex, rowids: Iterable[int], problems: list[str] | None
) -> dict[int, similarity.U64]:
    loaded = index.load_records(rowids, problems)
    return {rid: similarity.shingle_hashes(rec.text) for rid, rec in loaded.items()}


def _build(
    rows: dict[int, IndexedRecord],
    uf: _UnionFind,
    index: ArchiveIndex,
    hashes: dict[int, similarity.U64],
    problems: list[str] | None,
) -> list[Cluster]:
    groups: dict[int, list[IndexedRecord]] = {}
    for rowid, row in rows.items():
        groups.setdefault(uf.find(rowid), []).append(row)
    multi = [sorted(g, key=representative_key) for g in groups.values() if len(g) > 1]
    multi.sort(key=lambda g: (-len(g), g[0].file, g[0].position))
    needed = {r.rowid for g in multi for r in g if r.text_sha256 != g[0].text_sha256} | {
        g[0].rowid for g in multi
    }
    hashes.update(_shingles(index, needed - hashes.keys(), problems))
    clusters = []
    for n, group in enumerate(multi, 1):
        rep = group[0]
        members = [Member(r, _similarity(hashes, rep, r), r.text_sha256 == rep.text_sha256) for r in group]
        clusters.append(Cluster(n, rep, members))
    return clusters


def _similarity(hashes: dict[int, similarity.U64], rep: IndexedRecord, row: IndexedRecord) -> float:
    """Exact Jaccard of a member to the representative (1.0 for the same text; 0.0 when either text
    could not be read again, which ``problems`` names)."""
    if row.text_sha256 == rep.text_sha256:
        return 1.0
    if rep.rowid not in hashes or row.rowid not in hashes:
        return 0.0
    return round(similarity.jaccard(hashes[rep.rowid], hashes[row.rowid]), 4)


def cluster_map(clusters: Iterable[Cluster]) -> dict[int, tuple[int, int, bool]]:
    """rowid -> (cluster id, cluster size, is representative), for records that have duplicates."""
    out: dict[int, tuple[int, int, bool]] = {}
    for c in clusters:
        for m in c.members:
            out[m.row.rowid] = (c.id, c.size, m.row.rowid == c.representative.rowid)
    return out
