"""Diff new articles against earlier ones: match by content, then a sentence-aligned character diff.

Matching (:func:`match_articles`): every new article is paired with its *closest earlier article by
content*, never by URL (the seeds have no URL and mirrors copy articles under other URLs). MinHash LSH
(:mod:`newsarchive.similarity`) proposes candidates; the exact Jaccard of character shingles picks the
best one; below ``min_similarity`` (default 0.5) the article has no earlier match — unless it is an
excerpt of an earlier article, or an earlier article is an excerpt of it (see :func:`match_articles`).

Both sides are records, i.e. *clean* text (raw captures are cleaned first by :mod:`newsarchive.sources`),
so encoding or script damage repaired by the normaliser never shows up as an edit.

Comparison (:func:`compare`): whitespace and line breaks are ignored; the text is split into sentences
after 。！？； and line breaks (closing quotes stay with their sentence); the sentence sequences are
aligned with ``difflib.SequenceMatcher(autojunk=False)``; inside a block of differing sentences, old and
new sentences are paired by similarity (an order-keeping alignment), a sentence split in two or two
joined into one count as one changed sentence, and each pair gets a character-level diff (a ``Row``'s
``old_index`` / ``new_index`` is then its first sentence).

Result per article (:data:`STATUSES`): ``identical``; ``metadata-differs`` (same text, some of
:data:`METADATA_FIELDS` differ — listed); ``edited`` (sentences added, removed, changed, with the
inserted and deleted characters); ``no-match``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsarchive import similarity
from newsarchive.index import ArchiveIndex
from normalize.record import Record

STATUSES = ("identical", "metadata-differs", "edited", "no-match")
METADATA_FIELDS = ("title", "kicker", "subtitle", "published", "source", "authors", "photographers", "editor")
DEFAULT_MIN_SIMILARITY = 0.5
PAIR_MIN_RATIO = 0.4  # two sentences this similar are "the same sentence, changed"

_SENTENCE = re.compile(r"[^。！？；\n]*(?:[。！？；]+[”’」』）)]*|\n|$)")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: cut after 。！？； (closing quotes kept) and at line breaks; whitespace
    inside a sentence removed, empty pieces dropped.

    >>> split_sentences("他说：“好。”然后走了！\\n第二段；结束")
    ['他说：“好。”', '然后走了！', '第二段；', '结束']
    >>> split_sentences("要强化主动服务\\n\\n意识。")
    ['要强化主动服务', '意识。']
    """
    out = []
    for piece in _SENTENCE.findall(text):
        squeezed = similarity.squeeze_whitespace(piece)
        if squeezed:
            out.append(squeezed)
    return out


# ------------------------------------------------------------------------------------------- model


@dataclass
class CharOp:
    """One character-level change inside a changed sentence (positions are within the sentences)."""

    op: str  # "insert" | "delete" | "replace"
    old: str
    new: str
    old_at: int
    new_at: int


@dataclass
class Row:
    """One line of the side-by-side alignment."""

    kind: str  # "equal" | "changed" | "added" | "removed"
    old: str | None
    new: str | None
    old_index: int | None
    new_index: int | None
    ops: list[CharOp] = field(default_factory=list)


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class ArticleDiff:
    status: str
    new: Record
    old: Record | None = None
    similarity: float | None = None  # exact Jaccard to the match (or best candidate when no match)
    containment: float | None = None  # set when matched as an excerpt: share of the smaller text contained
    metadata: list[FieldChange] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def changes(self) -> list[Row]:
        return [r for r in self.rows if r.kind != "equal"]

    def counts(self) -> dict[str, int]:
        kinds = [r.kind for r in self.rows]
        return {k: kinds.count(k) for k in ("added", "removed", "changed", "equal")}

    def insertions(self) -> list[str]:
        """Inserted text: whole added sentences and characters inserted into changed ones."""
        out = [r.new for r in self.rows if r.kind == "added" and r.new]
        out += [op.new for r in self.rows for op in r.ops if op.op in ("insert", "replace")]
        return out

    def deletions(self) -> list[str]:
        out = [r.old for r in self.rows if r.kind == "removed" and r.old]
        out += [op.old for r in self.rows for op in r.ops if op.op in ("delete", "replace")]
        return out


# ---------------------------------------------------------------------------------------- matching


@dataclass
class _Prepared:
    hashes: list[similarity.U64]
    sigs: similarity.U32


def _prepare(records: Sequence[Record]) -> _Prepared:
    hashes = [similarity.shingle_hashes(r.text) for r in records]
    if not hashes:
        return _Prepared([], np.zeros((0, similarity.NUM_PERM), dtype=np.uint32))
    return _Prepared(hashes, np.stack([similarity.signature(h) for h in hashes]))


@dataclass
class Match:
    """The closest earlier article of one new article."""

    index: int | None  # position in the old list, None = no earlier match
    similarity: float | None  # exact Jaccard to it (or to the best candidate when there is no match)
    containment: float | None = None  # set when matched as an excerpt / extension (see below)


def match_articles(
    new: Sequence[Record], old: Sequence[Record], min_similarity: float = DEFAULT_MIN_SIMILARITY
) -> list[Match]:
    """The closest earlier article of each new one (LSH candidates, exact Jaccard).

    Excerpts: a mirror that copies only part of an article (or a seed capture cut short) has a low
    Jaccard to the whole. When the old side is small (<= :data:`EXCERPT_SEARCH_MAX` articles, e.g. the
    seeds), an unmatched new article is also compared exactly with every old one, and matched when the
    smaller of the two texts is at least :data:`EXCERPT_MIN_CONTAINMENT` contained in the other (and has
    at least :data:`EXCERPT_MIN_SHINGLES` shingles, so that a short phrase does not match).
    """
    if not new:
        return []
    old_p, new_p = _prepare(old), _prepare(new)
    lsh = similarity.LSHIndex.for_threshold(min_similarity)
    if old:
        lsh.add(old_p.sigs, np.arange(len(old)))
    candidates = lsh.query(new_p.sigs) if old else [[] for _ in new]
    out = []
    for q, cands in enumerate(candidates):
        best = similarity.best_match(new_p.hashes[q], ((c, old_p.hashes[c]) for c in cands))
        if best is not None and best[1] >= min_similarity:
            out.append(Match(best[0], round(best[1], 4)))
            continue
        excerpt = _excerpt_match(new_p.hashes[q], old_p.hashes) if len(old) <= EXCERPT_SEARCH_MAX else None
        out.append(excerpt or Match(None, None if best is None else round(best[1], 4)))
    return out


EXCERPT_SEARCH_MAX = 5000
EXCERPT_MIN_CONTAINMENT = 0.9
EXCERPT_MIN_SHINGLES = 50


def _excerpt_match(hashes: similarity.U64, old: Sequence[similarity.U64]) -> Match | None:
    best: Match | None = None
    for i, other in enumerate(old):
        smaller = min(len(hashes), len(other))
        if smaller < EXCERPT_MIN_SHINGLES:
            continue
        inter = len(np.intersect1d(hashes, other, assume_unique=True))
        contained = inter / smaller
        if contained >= EXCERPT_MIN_CONTAINMENT and (best is None or contained > (best.containment or 0)):
            jac = inter / (len(hashes) + len(other) - inter)
            best = Match(i, round(jac, 4), round(contained, 4))
    return best


def diff_articles(
    new: Sequence[Record], old: Sequence[Record], min_similarity: float = DEFAULT_MIN_SIMILARITY
) -> list[ArticleDiff]:
    """Match every new record to the old ones and compare each with its match."""
    return [
        _diff_one(rec, None if m.index is None else old[m.index], m.similarity, m.containment)
        for rec, m in zip(new, match_articles(new, old, min_similarity), strict=True)
    ]


def diff_against_index(
    new: Sequence[Record],
    index: ArchiveIndex,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    problems: list[str] | None = None,
) -> list[ArticleDiff]:
    """Like :func:`diff_articles`, with the earlier articles being an indexed archive: the signatures come
    from the index and only the LSH candidates' record files are read (for archives too big to load)."""
    if not new:
        return []
    rowids, sigs = index.signatures()
    lsh = similarity.LSHIndex.for_threshold(min_similarity)
    lsh.add(sigs, rowids)
    new_p = _prepare(new)
    candidates = lsh.query(new_p.sigs)
    records = index.load_records({c for cands in candidates for c in cands}, problems)
    hashes = {rid: similarity.shingle_hashes(rec.text) for rid, rec in records.items()}
    out = []
    for rec, h, cands in zip(new, new_p.hashes, candidates, strict=True):
        best = similarity.best_match(h, ((c, hashes[c]) for c in cands if c in hashes))
        matched = records[best[0]] if best and best[1] >= min_similarity else None
        out.append(_diff_one(rec, matched, None if best is None else round(best[1], 4)))
    return out


def _diff_one(
    new: Record, old: Record | None, score: float | None, contained: float | None = None
) -> ArticleDiff:
    if old is None:
        return ArticleDiff("no-match", new, similarity=score)
    diff = compare(old, new)
    diff.similarity = score
    diff.containment = contained
    return diff


# -------------------------------------------------------------------------------------- comparison


def compare(old: Record, new: Record) -> ArticleDiff:
    """Compare two versions of one article.

    >>> a = Record(id="a", text="第一句。第二句管用。", title="标题")
    >>> b = Record(id="b", text="第一句。\\n第二句管锚点用。", title="标题")
    >>> d = compare(a, b)
    >>> d.status, d.insertions()
    ('edited', ['锚点'])
    >>> compare(a, Record(id="c", text="第一句。\\n第二句管用。", title="新标题")).status
    'metadata-differs'
    """
    meta = metadata_changes(old, new)
    rows = align(split_sentences(old.text), split_sentences(new.text))
    status = _status(rows, meta)
    return ArticleDiff(status, new, old, metadata=meta, rows=rows)


def _status(rows: list[Row], meta: list[FieldChange]) -> str:
    if any(r.kind != "equal" for r in rows):
        return "edited"
    return "metadata-differs" if meta else "identical"


def metadata_changes(old: Record, new: Record) -> list[FieldChange]:
    """The :data:`METADATA_FIELDS` whose values differ (None, "" and [] count as the same)."""
    changes = []
    for name in METADATA_FIELDS:
        a, b = _norm(getattr(old, name)), _norm(getattr(new, name))
        if a != b:
            changes.append(FieldChange(name, getattr(old, name), getattr(new, name)))
    return changes


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return similarity.squeeze_whitespace(value) or None
    if isinstance(value, list):
        return [_norm(v) for v in value] or None
    return value


def align(old: list[str], new: list[str]) -> list[Row]:
    """Sentence alignment of two sentence lists (see the module docstring)."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                Row("equal", old[i], new[j], i, j) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
        else:
            rows.extend(_align_block(old, new, i1, i2, j1, j2))
    return rows


def _align_block(old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int) -> list[Row]:
    """Pair differing sentences by similarity (order kept); unpaired ones are removed/added, unless they
    are the other part of a sentence that was split or joined (:func:`_absorb_splits`)."""
    pairs = _pair(old[i1:i2], new[j1:j2])
    rows: list[Row] = []
    i, j = i1, j1
    for pi, pj in [(i1 + a, j1 + b) for a, b in pairs] + [(i2, j2)]:
        rows.extend(Row("removed", old[k], None, k, None) for k in range(i, pi))
        rows.extend(Row("added", None, new[k], None, k) for k in range(j, pj))
        if pi < i2:
            rows.append(Row("changed", old[pi], new[pj], pi, pj))
        i, j = pi + 1, pj + 1
    rows = _absorb_splits(rows)
    for row in rows:
        if row.kind == "changed":
            row.ops = char_ops(row.old or "", row.new or "")
    return rows


MAX_ABSORB = 6  # sentences on each side that one changed sentence may absorb


def _absorb_splits(rows: list[Row]) -> list[Row]:
    """Merge removed/added sentences next to a changed one into it when that makes the pair more alike:
    one sentence split in two, two joined, or a sentence cut by a stray 。？ (e.g. mojibake)."""
    out: list[Row] = []
    for row in rows:
        out.append(row)
        if row.kind == "changed":
            _absorb(out, len(out) - 1, before=True)
    result: list[Row] = []
    for row in reversed(out):
        result.append(row)
        if row.kind == "changed":
            _absorb(result, len(result) - 1, before=False)
    return result[::-1]


def _absorb(rows: list[Row], at: int, before: bool) -> None:
    """``rows[at]`` is a changed row; its unpaired neighbours are ``rows[at-1], rows[at-2], ...`` (towards
    the start of the text when ``before``, else towards its end, the list being reversed)."""
    row = rows[at]
    run: list[Row] = []
    k = at - 1
    while k >= 0 and rows[k].kind in ("removed", "added") and len(run) < 2 * MAX_ABSORB:
        run.append(rows[k])
        k -= 1
    removed = [r for r in run if r.kind == "removed"][:MAX_ABSORB]
    added = [r for r in run if r.kind == "added"][:MAX_ABSORB]
    best = (_ratio(row.old or "", row.new or ""), 0, 0)
    for kr in range(len(removed) + 1):
        for ka in range(len(added) + 1):
            if kr or ka:
                o, n = (
                    _joined(row.old or "", removed[:kr], "old", before),
                    _joined(row.new or "", added[:ka], "new", before),
                )
                best = max(best, (_ratio(o, n), kr, ka))
    _, kr, ka = best
    if not (kr or ka):
        return
    row.old = _joined(row.old or "", removed[:kr], "old", before)
    row.new = _joined(row.new or "", added[:ka], "new", before)
    if before:
        row.old_index = removed[kr - 1].old_index if kr else row.old_index
        row.new_index = added[ka - 1].new_index if ka else row.new_index
    absorbed = {id(r) for r in removed[:kr] + added[:ka]}
    rows[:] = [r for r in rows if id(r) not in absorbed]


def _joined(text: str, pieces: list[Row], side: str, before: bool) -> str:
    """``text`` with the neighbours' sentences joined on, in reading order."""
    parts = [getattr(p, side) or "" for p in pieces]
    return "".join(reversed(parts)) + text if before else text + "".join(parts)


def _pair(old: list[str], new: list[str]) -> list[tuple[int, int]]:
    """Order-keeping pairing maximising total similarity (dynamic programming over the block).

    >>> _pair(["甲乙丙丁。", "完全不同的一句。"], ["新增的句子。", "甲乙丙丁戊。"])
    [(0, 1)]
    """
    m, n = len(old), len(new)
    if m * n > 2500:  # a huge rewrite: pair nothing rather than spend quadratic time
        return []
    ratio = [[_ratio(o, w) for w in new] for o in old]
    score = [[0.0] * (n + 1) for _ in range(m + 1)]
    for a in range(m - 1, -1, -1):
        for b in range(n - 1, -1, -1):
            take = score[a + 1][b + 1] + ratio[a][b] if ratio[a][b] >= PAIR_MIN_RATIO else -1.0
            score[a][b] = max(take, score[a + 1][b], score[a][b + 1])
    pairs, a, b = [], 0, 0
    while a < m and b < n:
        if ratio[a][b] >= PAIR_MIN_RATIO and score[a][b] == score[a + 1][b + 1] + ratio[a][b]:
            pairs.append((a, b))
            a, b = a + 1, b + 1
        elif score[a][b] == score[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def char_ops(old: str, new: str) -> list[CharOp]:
    """Character-level changes turning ``old`` into ``new``.

    >>> [(o.op, o.old, o.new) for o in char_ops("管用", "管锚点用")]
    [('insert', '', '锚点')]
    """
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        CharOp(tag, old[i1:i2], new[j1:j2], i1, j1)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def segments(row: Row) -> list[tuple[str, str]]:
    """A changed row as ``(kind, text)`` pieces, kind in "equal" | "delete" | "insert", for renderers.

    >>> segments(Row("changed", "管用", "管锚点用", 0, 0, char_ops("管用", "管锚点用")))
    [('equal', '管'), ('insert', '锚点'), ('equal', '用')]
    """
    old, new = row.old or "", row.new or ""
    out: list[tuple[str, str]] = []
    pos = 0
    for op in row.ops:
        if op.old_at > pos:
            out.append(("equal", old[pos : op.old_at]))
        if op.old:
            out.append(("delete", op.old))
        if op.new:
            out.append(("insert", op.new))
        pos = op.old_at + len(op.old)
    if pos < len(old):
        out.append(("equal", old[pos:]))
    return out or [("equal", new)]
