"""Full-text search over the archive: Chinese substring search from an index, facets, snippets.

The search tables live in the archive index (``ARCHIVE/index.sqlite``, :mod:`newsarchive.index`) beside
its ``records`` table, keyed by the same rowid, and are brought up to date by ``newsarchive index``
(:meth:`ArchiveIndex.update` with ``search=True``: its workers make the search rows of the files they
read, :func:`payloads`, and the index writes them beside the records).

Why bigrams. Chinese has no spaces, and SQLite's ``trigram`` tokenizer cannot match a query shorter than
three characters — but 市长, 疫情 and 复工 are the queries people type. The established answer is to index
overlapping character bigrams (Lucene's CJKAnalyzer): every run of letters and digits (:data:`_RUN`:
Han characters, Latin words, numbers; punctuation and spaces end a run) becomes the bigrams that start at
each of its characters, plus its last character alone, in order. A query then finds *exactly* the texts
that contain it as a substring, from the index alone:

- 2 characters (疫情): the one bigram token;
- 3 or more (复工复产): the FTS5 phrase of its bigrams ``"复工 工复 复产"`` — consecutive positions, so the
  characters are consecutive in the text;
- 1 character (市): the prefix query ``"市"*`` — every occurrence of a character starts a bigram or is
  the last character of its run — answered by FTS5's prefix index (``prefix='1'``: the doclist of every
  one-character prefix is stored, so it is one lookup, not a merge of every bigram starting with 市).

Tokens are built here in Python and handed to FTS5 space-separated with the ``ascii`` tokenizer (it splits
on ASCII spaces and punctuation only and treats every non-ASCII character as part of a token, so SQLite's
Unicode tables never split a bigram). Case: ASCII letters are lower-cased on both sides; nothing else is
folded (never NFKC or width-fold Chinese text). A query is split at whitespace into terms that must all
match (AND); punctuation inside a term splits it into runs that must all match.

Traditional script: the archive's text is simplified (``normalize`` converts traditional captures), so
each query term is also tried in its simplified form (``normalize.repairs.script.to_simplified``,
OpenCC t2s plus the project's fix-ups): 復工復產 finds 复工复产, while a name kept as written (方韋) still
finds itself.

Tables (all rebuildable from the record files, like the rest of the index):

- ``search_docs``: one narrow row per record — where it came from (file, position, the file's SHA-256
  at indexing time: the identity :func:`prepare` compares), the facet columns ``site``, ``source``,
  ``published``, ``date_key`` (the date when it has a year, for sorting), ``month`` (``YYYY-MM``) and
  ``state``, and the title;
- ``search_records``: the whole record as zstd-compressed JSON — snippets, result downloads and article
  pages without reading a record file up to the record (a copy, rebuilt like everything here), apart
  from ``search_docs`` so that counting facets over 100,000 hits reads narrow rows;
- ``search_fts``, ``search_fts1``, ...: contentless FTS5 tables (``content=''``) of the title and text
  tokens, same rowid, in shards: a record's tokens are in shard ``rowid % shards`` (:func:`shard_tables`).
  A query asks every shard; BM25 ranks with the title weighted :data:`TITLE_WEIGHT` times the text, each
  shard from its own statistics (shards are filled alike, so they barely differ);
- ``search_meta``: the token scheme version, the number of shards, and ``bulk`` while a first build is
  under way; a different scheme, or a ``bulk`` left by an interrupted build, rebuilds the search tables.

Why shards. FTS5 takes about 0.3 us of CPU per token (0.5 with the prefix index), one writer per
table, so one process needs about a minute for 100k records of 1,000 characters. A first build
(:func:`start_bulk` ... :func:`end_bulk`) therefore writes the other search tables with the records,
then builds one shard per core in parallel processes (:func:`build_shard`: each reads the record copies
of its rowids from the committed index, tokenises and fills an FTS5 table in a file of its own, and
merges it), and copies the shards' FTS5 tables (their shadow tables, as stored) into the index in one
transaction. A crash before that commit leaves ``bulk`` set: the next run empties the search tables and
builds them again (the records index stays), and removes the scratch folder a killed build left.
Later updates write each record's tokens into its shard.

State (live / edited / deleted): ``search_docs.state`` is a closed vocabulary (:data:`STATES`, checked
by the table), ``'live'`` by default. The history work (issue 11) plugs in by calling
:func:`set_states` with the rowids it classified, after the search rows in the same ``newsarchive index`` run;
the facet, the filter and the downloads already use the column. A record file that is read again starts
its records as ``'live'`` until the history step classifies them again.

Incremental and crash-safe: :func:`prepare` deletes the rows whose record is gone or whose file changed
(its SHA-256 differs); the index then adds the rows of the files it reads and of the records that have
none (:func:`missing`: their files read again, once each), in the transactions of the records; a run
interrupted at any point is completed by the next one.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import orjson

try:
    from compression import zstd  # type: ignore[import-not-found]  # Python 3.14
except ImportError:
    from backports import zstd  # Scrapy's dependency already

if TYPE_CHECKING:
    from normalize.record import Record

TOKEN_SCHEME = "bigram+last-unigram/v4"  # v3: whole records in search_records; v4: FTS5 shards, zstd
STATES = ("live", "edited", "deleted")
FACETS = ("site", "month", "state", "source")
SORTS = ("relevance", "newest", "oldest")
TITLE_WEIGHT = 4.0
UPDATE_CACHE_KIB = 256 * 1024  # page cache of `newsarchive index` while it builds the search tables
FTS_CONFIG = {"hashsize": 64 << 20, "automerge": 4}  # FTS5 options, kept in the table (4: the default)
BULK_CONFIG = {"hashsize": 128 << 20, "automerge": 0}  # a first build's shard (one per core), then optimize
MAX_SHARDS = 8
SHARD_BATCH = 2000  # records tokenised and inserted at a time by build_shard
MAX_QUERY_CHARS = 200  # longer queries are cut: every term is a phrase query, so this bounds the work

_RUN = re.compile(r"[^\W_]+")  # letters and digits of any script; linear time
_TOKEN_BATCH_CHARS = 1 << 15  # code points per numpy pass of token_strings (its arrays stay in the cache)
_UPPER = re.compile(r"[A-Z]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_YEAR_DATE = re.compile(r"\d{4}-\d{2}")

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS search_docs (
    rowid INTEGER PRIMARY KEY,      -- = records.rowid
    file TEXT NOT NULL, position INTEGER NOT NULL,
    file_sha256 TEXT NOT NULL,      -- files.sha256 when indexed: a changed file re-indexes its records
    site TEXT, source TEXT, published TEXT,
    date_key TEXT,                  -- published when it has a year (sortable), else NULL
    month TEXT,                     -- YYYY-MM of date_key
    state TEXT NOT NULL DEFAULT 'live' CHECK (state IN {STATES!r}),
    title TEXT
);
CREATE TABLE IF NOT EXISTS search_records (
    rowid INTEGER PRIMARY KEY,      -- = search_docs.rowid
    record BLOB NOT NULL            -- zstd(the record's JSON): apart, so facet counts read narrow rows
);
CREATE INDEX IF NOT EXISTS search_docs_site ON search_docs(site);
CREATE INDEX IF NOT EXISTS search_docs_month ON search_docs(month);
CREATE INDEX IF NOT EXISTS search_docs_state ON search_docs(state);
CREATE INDEX IF NOT EXISTS search_docs_source ON search_docs(source);
CREATE INDEX IF NOT EXISTS search_docs_date ON search_docs(date_key);
"""
_FTS_TABLE = """CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5(
    title, text, content='', tokenize='ascii', prefix='1'
)"""
_FTS_SHADOWS = ("data", "idx", "docsize", "config")  # a contentless table's shadow tables


class SearchIndexMissing(RuntimeError):
    """The index has no (current) search tables; the message says which command builds them."""


# ------------------------------------------------------------------------------------------- tokens


def fold(text: str) -> str:
    """What search compares: ASCII letters lower-cased, everything else as it is (same length).

    >>> fold("COVID-19 复工")
    'covid-19 复工'
    """
    return text.translate(_ASCII_LOWER)


def tokens(text: str | None) -> str:
    """The FTS5 token string of a text: per run, the bigram at each character, then the last one alone.

    >>> tokens("复工复产，市长")
    '复工 工复 复产 产 市长 长'
    >>> tokens("2020年 5G")
    '20 02 20 0年 年 5g g'
    """
    return token_strings([text])[0]


def token_strings(texts: Sequence[str | None]) -> list[str]:
    """:func:`tokens` of many texts, in numpy passes over their code points (the index builds them for
    whole record files at once, in its worker processes).

    Each character of a run (:data:`_RUN`: ``str.isalnum()`` characters) emits itself, then the next
    character when the run goes on, then a space; the string is cut back per text.

    >>> token_strings(["市长", "", "Ab，c"])
    ['市长 长', '', 'ab b c']
    """
    out: list[str] = []
    start = 0
    while start < len(texts):  # about _TOKEN_BATCH_CHARS code points a pass (a long text alone)
        stop, chars = start, 0
        while stop < len(texts) and (stop == start or chars < _TOKEN_BATCH_CHARS):
            chars += len(texts[stop] or "")
            stop += 1
        out.extend(_token_strings(texts[start:stop]))
        start = stop
    return out


def _token_strings(texts: Sequence[str | None]) -> list[str]:
    cps = np.frombuffer("".join(t or "" for t in texts).encode("utf-32-le"), dtype=np.uint32).copy()
    cps[(cps >= 65) & (cps <= 90)] += np.uint32(32)  # fold(): ASCII letters only
    ends = np.cumsum([len(t or "") for t in texts], dtype=np.int64)
    word = _is_alnum(cps)
    goes_on = np.zeros(len(cps), dtype=bool)
    goes_on[:-1] = word[1:]
    goes_on[ends[ends > 0] - 1] = False  # a run ends with its text
    goes_on &= word
    emitted = np.zeros(len(cps) + 1, dtype=np.int64)  # code points written up to each position
    np.cumsum(word.astype(np.int64) * 2 + goes_on, out=emitted[1:])
    buf = np.full(int(emitted[-1]), 32, dtype=np.uint32)  # spaces, then each run's characters put in
    buf[emitted[:-1][word]] = cps[word]
    nxt = np.flatnonzero(goes_on)
    buf[emitted[nxt] + 1] = cps[nxt + 1]
    text = buf.tobytes().decode("utf-32-le")
    bounds = emitted[np.concatenate([[0], ends])].tolist()
    return [text[a : b - 1] if b > a else "" for a, b in itertools.pairwise(bounds)]


@cache
def _alnum_bmp() -> npt.NDArray[np.bool_]:
    return np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)


def _is_alnum(cps: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """``chr(c).isalnum()`` for each code point (a table for the BMP; the rare others one by one)."""
    out = _alnum_bmp()[np.minimum(cps, 0xFFFF)]
    astral = np.flatnonzero(cps > 0xFFFF)
    if len(astral):
        out[astral] = [chr(int(c)).isalnum() for c in cps[astral]]
    return out


# -------------------------------------------------------------------------------------------- query


@dataclass(frozen=True)
class Term:
    """One whitespace-separated query term and the forms it is searched in (as typed, simplified)."""

    text: str
    variants: tuple[str, ...]

    def runs(self) -> list[list[str]]:
        """Per variant, its runs (the pieces between punctuation), folded."""
        return [_RUN.findall(fold(v)) for v in self.variants]


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        return not self.terms

    def needles(self) -> list[str]:
        """The strings to highlight, longest first (folded)."""
        found = {run for term in self.terms for runs in term.runs() for run in runs}
        return sorted(found, key=lambda s: (-len(s), s))

    def match(self) -> str:
        """The FTS5 MATCH expression (see the module docstring).

        >>> parse_query("复工复产 市").match()
        '("复工 工复 复产") AND ("市"*)'
        >>> parse_query("復工").match()
        '("復工" OR "复工")'
        """
        return " AND ".join(_term_match(t) for t in self.terms)


def parse_query(text: str | None) -> Query:
    """Split a user's query into terms; control characters go, the length is capped.

    >>> [t.variants for t in parse_query("  區委  书记， ").terms]
    [('區委', '区委'), ('书记，',)]
    >>> parse_query("，。").empty
    True
    """
    clean = _CONTROL.sub(" ", text or "")[:MAX_QUERY_CHARS].strip()
    terms = []
    for word in clean.split():
        if not _RUN.search(word):
            continue
        variants = dict.fromkeys([word, _simplified(word)])
        terms.append(Term(word, tuple(variants)))
    return Query(clean, tuple(terms))


def _term_match(term: Term) -> str:
    alternatives = []
    for runs in term.runs():
        alternatives.append(" AND ".join(_run_match(r) for r in runs))
    joined = " OR ".join(f"({a})" if " AND " in a else a for a in dict.fromkeys(alternatives))
    return f"({joined})"


def _run_match(run: str) -> str:
    if len(run) == 1:
        return f'"{run}"*'
    return '"' + " ".join(map(str.__add__, run[:-1], run[1:])) + '"'


@cache
def _simplified(word: str) -> str:
    from normalize.repairs.script import to_simplified  # OpenCC tables load on first use

    return to_simplified(word)


# ----------------------------------------------------------------------------------------- snippets

SNIPPET_CHARS = 120
_CONTEXT_BEFORE = 30


def snippet(text: str, needles: Sequence[str], width: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """A window of ``text`` around its matches as (piece, is_match) pairs; the window holding the most
    different needles wins (the earliest on a tie); no match: the start of the text.

    >>> snippet("一二三四五六七八九十市长说复工", ["复工", "市长"], width=8)
    [('…八九十', False), ('市长', True), ('说', False), ('复工', True)]
    >>> snippet("没有", ["复工"])
    [('没有', False)]
    """
    text = " ".join(text.split())  # paragraphs joined: a snippet is one line
    spans = find_spans(text, needles)
    start = _best_window(spans, len(text), width)
    end = min(len(text), start + width)
    pieces: list[tuple[str, bool]] = []
    at = start
    for s, e in spans:
        if s < start or e > end:
            continue
        if s > at:
            pieces.append((text[at:s], False))
        pieces.append((text[s:e], True))
        at = e
    if at < end:
        pieces.append((text[at:end], False))
    return _ellipsis(pieces, start > 0, end < len(text))


def find_spans(text: str, needles: Sequence[str], limit: int = 1000) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of the needles in ``text`` (folded), longest needle first at a place.

    >>> find_spans("Covid 复工复产", ["复工", "covid"])
    [(0, 5), (6, 8)]
    """
    if not needles:
        return []
    alternation = "|".join(re.escape(n) for n in sorted(set(needles), key=lambda s: (-len(s), s)))
    pattern = re.compile(alternation)
    spans = []
    for m in pattern.finditer(fold(text)):
        spans.append((m.start(), m.end()))
        if len(spans) >= limit:
            break
    return spans


def _best_window(spans: list[tuple[int, int]], length: int, width: int) -> int:
    if not spans or spans[0][1] <= width:
        return 0
    best, best_score = 0, -1
    for s, _ in spans[:50]:
        start = max(0, min(s - min(_CONTEXT_BEFORE, width // 4), length - width))
        score = len({e - b for b, e in spans if start <= b and e <= start + width})
        if score > best_score:
            best, best_score = start, score
    return best


def _ellipsis(pieces: list[tuple[str, bool]], before: bool, after: bool) -> list[tuple[str, bool]]:
    if before:
        pieces.insert(0, ("…", False))
    if after:
        pieces.append(("…", False))
    merged: list[tuple[str, bool]] = []
    for piece, hit in pieces:
        if merged and not hit and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + piece, False)
        else:
            merged.append((piece, hit))
    return merged


# ------------------------------------------------------------------------------------------ writing


@dataclass
class UpdateStats:
    """What :func:`prepare` did to the search tables before an update adds rows."""

    note: str = ""  # why the tables were built again, when a user should know


def date_key(published: str | None) -> str | None:
    """The date when it has a year (``--02-20`` has none).

    >>> date_key("2020-02-12T08:28"), date_key("--02-20"), date_key(None)
    ('2020-02-12T08:28', None, None)
    """
    return published if published and _YEAR_DATE.match(published) else None


def prepare(db: sqlite3.Connection) -> UpdateStats:
    """The tables set up (and emptied when their token scheme changed, or a first build was cut short),
    the rows of records that are gone or whose file changed deleted: what is left to do is adding rows
    (:func:`missing`)."""
    stats = UpdateStats()
    db.executescript(SCHEMA)
    db.execute(f"PRAGMA cache_size=-{UPDATE_CACHE_KIB}")  # FTS5 merges its segments in the page cache
    scheme = _scheme(db)
    if scheme != TOKEN_SCHEME or _meta(db, "bulk"):
        stats.note = (f"the search tables were of token scheme {scheme}, not {TOKEN_SCHEME}; built them "
                      "again" if scheme not in (None, TOKEN_SCHEME) else "")
        clear(db)
    _configure(db, FTS_CONFIG)  # also ends the settings of a bulk build that was interrupted
    stale = [r for (r,) in db.execute(_STALE_SQL)]
    if stale and len(stale) * 2 >= count(db):
        clear(db)  # most rows are stale: building them again costs less than deleting them
    else:
        with db:
            _delete(db, stale)
    return stats


def start_bulk(db: sqlite3.Connection, shards: int) -> bool:
    """Before adding many rows: when the tables are empty (a first build), they are made again with
    ``shards`` FTS5 shards, marked ``bulk``, and the rows added until :func:`end_bulk` leave the FTS5
    tables alone (:func:`payloads` with ``tokens=False``). Returns whether it did."""
    if count(db):
        return False
    clear(db, max(1, min(shards, MAX_SHARDS)))
    with db:
        db.execute("INSERT OR REPLACE INTO search_meta VALUES ('bulk', 'pending')")
    return True


def end_bulk(db: sqlite3.Connection, workers: int = 1,
             on_shard: Callable[[int, int], None] | None = None) -> float:
    """Build the FTS5 shards of a first build from the committed rows (``workers`` processes) and copy
    them in, in one transaction that also ends the ``bulk`` mark (see the module docstring). Returns the
    CPU seconds the shard builders took (in this process or in the workers); ``on_shard(done, shards)``
    is called as shards are built (a progress display)."""
    from newsarchive.index_rows import map_in_pool  # the index's process pool

    main = Path(db.execute("PRAGMA database_list").fetchone()[2])
    tables = shard_tables(db)
    _remove_stale_builds(main.parent)
    with tempfile.TemporaryDirectory(prefix=f"{_BUILD_PREFIX}{os.getpid()}-", dir=main.parent) as tmp:
        jobs = [(str(main), shard, len(tables), str(Path(tmp) / f"shard-{shard}.sqlite"))
                for shard in range(len(tables))]  # fmt: skip
        done: list[tuple[str, float]] = []
        for result in map_in_pool(_build_shard_job, jobs, workers if count(db) >= 2 * SHARD_BATCH else 1):
            done.append(result)
            if on_shard is not None:
                on_shard(len(done), len(jobs))
        built = [path for path, _ in done]
        copy = sqlite3.connect(main, timeout=30)  # another connection: the index's own reloads FTS5's state
        try:
            for shard, path in enumerate(built):
                copy.execute(f"ATTACH DATABASE ? AS shard{shard}", (path,))
            with copy:
                for shard, name in enumerate(tables):
                    for shadow in _FTS_SHADOWS:
                        copy.execute(f"DELETE FROM main.{name}_{shadow}")
                        copy.execute(f"INSERT INTO main.{name}_{shadow} "
                                     f"SELECT * FROM shard{shard}.search_fts_{shadow}")
                copy.execute("DELETE FROM search_meta WHERE key='bulk'")
            for shard in range(len(built)):
                copy.execute(f"DETACH DATABASE shard{shard}")
        finally:
            copy.close()
    _configure(db, FTS_CONFIG)
    return sum(cpu for _, cpu in done)


_BUILD_PREFIX = ".search-build-"  # + pid of the build: the shards' scratch folder beside the index


def _remove_stale_builds(folder: Path) -> None:
    """Scratch folders of builds that were killed (their process is gone): a kill skips the clean-up.

    >>> d = Path(tempfile.mkdtemp())
    >>> (d / ".search-build-999999999-x").mkdir(); (d / f".search-build-{os.getpid()}-y").mkdir()
    >>> _remove_stale_builds(d); sorted(p.name.split("-")[2] == str(os.getpid()) for p in d.iterdir())
    [True]
    """
    for path in folder.glob(f"{_BUILD_PREFIX}*"):
        pid = path.name[len(_BUILD_PREFIX):].split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or a platform without signals: leave it
        return True
    return True


def _build_shard_job(job: tuple[str, int, int, str]) -> tuple[str, float]:
    clock = time.process_time()
    build_shard(Path(job[0]), job[1], job[2], Path(job[3]))
    return job[3], time.process_time() - clock


def build_shard(index_path: Path, shard: int, shards: int, out: Path) -> int:
    """Fill a new FTS5 table ``search_fts`` in ``out`` with the tokens of the records of one shard
    (``rowid % shards == shard``), read from the committed record copies of the index, and merge it
    into one segment; returns the records added."""
    out.unlink(missing_ok=True)  # what a killed builder of this shard left (the shard is built again here)
    src = sqlite3.connect(f"{index_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(out)
    try:
        dst.execute("PRAGMA journal_mode=OFF")  # a scratch file: thrown away unless it is complete
        dst.execute("PRAGMA synchronous=OFF")
        dst.execute(_FTS_TABLE.format(name="search_fts"))
        _configure(dst, BULK_CONFIG, ["search_fts"])
        rows = src.execute("SELECT rowid, record FROM search_records WHERE rowid % ? = ? ORDER BY rowid",
                           (shards, shard))  # fmt: skip
        added = 0
        while batch := rows.fetchmany(SHARD_BATCH):
            docs = [_unzip_json(blob) for _, blob in batch]
            titles = token_strings([d.get("title") for d in docs])
            texts = token_strings([d.get("text") for d in docs])
            dst.executemany("INSERT INTO search_fts(rowid, title, text) VALUES (?, ?, ?)",
                            zip([r for r, _ in batch], titles, texts, strict=True))  # fmt: skip
            added += len(batch)
        dst.commit()
        with dst:
            dst.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
        return added
    finally:
        src.close()
        dst.close()


def _configure(db: sqlite3.Connection, options: Mapping[str, int],
               tables: Sequence[str] | None = None) -> None:
    with db:
        for name in tables if tables is not None else shard_tables(db):
            for option, value in options.items():
                db.execute(f"INSERT INTO {name}({name}, rank) VALUES(?, ?)", (option, value))


def shard_tables(db: sqlite3.Connection) -> list[str]:
    """The FTS5 tables, shard 0 first: ``search_fts``, ``search_fts1``, ..."""
    n = int(_meta(db, "shards") or 1)
    return ["search_fts"] + [f"search_fts{i}" for i in range(1, n)]


def _meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM search_meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else None


def present(db: sqlite3.Connection) -> bool:
    """Whether the index has search tables (then dropping a file's records drops their search rows)."""
    row = db.execute("SELECT 1 FROM sqlite_master WHERE name='search_docs'").fetchone()
    return row is not None


def payloads(records: Sequence[Record], tokens: bool = True) -> list[tuple[Any, ...]]:
    """What the search tables hold of each record, apart from where it is (rowid, file, position, the
    file's SHA-256): computed where the records were read (a worker of the index), for a batch. Without
    ``tokens`` (a first build: :func:`end_bulk` tokenises) the FTS5 part is None."""
    none: list[str | None] = [None] * len(records)
    title_tokens = token_strings([rec.title for rec in records]) if tokens else none
    text_tokens = token_strings([rec.text for rec in records]) if tokens else none
    out = []
    for rec, title, text in zip(records, title_tokens, text_tokens, strict=True):
        key = date_key(rec.published)
        out.append((rec.site, rec.source, rec.published, key, key[:7] if key else None, rec.title,
                    _zip_json(rec), title, text))  # fmt: skip
    return out


def insert_rows(db: sqlite3.Connection, rows: Sequence[tuple[int, str, int, str, tuple[Any, ...]]]) -> int:
    """Add the search rows of records: ``(rowid, file, position, file SHA-256, payload)`` with a payload
    of :func:`payloads` (inside the caller's transaction, beside the records' own rows)."""
    docs = [(rowid, file, pos, sha, *p[:5], "live", p[5]) for rowid, file, pos, sha, p in rows]
    db.executemany(f"INSERT INTO search_docs VALUES ({','.join('?' * 11)})", docs)
    db.executemany("INSERT INTO search_records VALUES (?, ?)", [(r[0], r[4][6]) for r in rows])
    tables = shard_tables(db)
    for shard, name in enumerate(tables):
        fts = [(r[0], r[4][7], r[4][8]) for r in rows if r[0] % len(tables) == shard and r[4][8] is not None]
        db.executemany(f"INSERT INTO {name}(rowid, title, text) VALUES (?, ?, ?)", fts)
    return len(rows)


def delete_file(db: sqlite3.Connection, file: str) -> int:
    """Delete the search rows of one record file's records (before the index drops the records, in
    the same transaction)."""
    return _delete(db, [r for (r,) in db.execute("SELECT rowid FROM search_docs WHERE file=?", (file,))])


def next_rowid(db: sqlite3.Connection) -> int:
    """A rowid above every search row, so that a new record never takes the rowid of a stale one."""
    return int(db.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM search_docs").fetchone()[0])


def set_states(db: sqlite3.Connection, states: Mapping[int, str]) -> int:
    """Set the state of records by rowid (the history work's entry point); returns the rows changed."""
    bad = {s for s in states.values() if s not in STATES}
    if bad:
        raise ValueError(f"unknown record states {sorted(bad)}; use one of {', '.join(STATES)}")
    with db:
        pairs = [(s, r) for r, s in states.items()]
        cur = db.executemany("UPDATE search_docs SET state=? WHERE rowid=?", pairs)
    return cur.rowcount


_STALE_SQL = """
SELECT d.rowid FROM search_docs d
LEFT JOIN records r ON r.rowid = d.rowid AND r.file = d.file AND r.position = d.position
LEFT JOIN files f ON f.path = d.file
WHERE r.rowid IS NULL OR f.sha256 IS NOT d.file_sha256
"""


def _scheme(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM search_meta WHERE key='token_scheme'").fetchone()
    return row[0] if row else None


def count(db: sqlite3.Connection) -> int:
    """Records in the search tables."""
    return int(db.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0])


def clear(db: sqlite3.Connection, shards: int | None = None) -> None:
    """Empty the search tables (a rebuild of the index, a new token scheme), the FTS5 shards made again
    (``shards`` of them, else as many as before)."""
    if shards is None:
        shards = len(shard_tables(db)) if _scheme(db) == TOKEN_SCHEME else 1
    old = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name GLOB 'search_fts*' AND sql LIKE "
        "'CREATE VIRTUAL TABLE%'")]  # fmt: skip
    with db:
        for name in old:
            db.execute(f"DROP TABLE {name}")
        db.execute("INSERT OR REPLACE INTO search_meta VALUES ('shards', ?)", (str(shards),))
        db.execute("DELETE FROM search_meta WHERE key='bulk'")
        for name in shard_tables(db):
            db.execute(_FTS_TABLE.format(name=name))
        db.execute("DELETE FROM search_docs")
        db.execute("DELETE FROM search_records")
        db.execute("INSERT OR REPLACE INTO search_meta VALUES ('token_scheme', ?)", (TOKEN_SCHEME,))


def _delete(db: sqlite3.Connection, rowids: Sequence[int]) -> int:
    """Remove rows; a contentless FTS5 row is deleted by giving its tokens again. During a first build
    (``bulk`` pending) the shards hold no tokens yet (they are filled at its end, or built again by the
    next run), so only the rows go: a 'delete' of tokens never inserted would corrupt FTS5's totals."""
    fts = not _meta(db, "bulk")
    for start in range(0, len(rowids), 500):
        chunk = list(rowids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        if fts:
            _delete_tokens(db, chunk, marks)
        db.execute(f"DELETE FROM search_docs WHERE rowid IN ({marks})", chunk)
        db.execute(f"DELETE FROM search_records WHERE rowid IN ({marks})", chunk)
    return len(rowids)


def _delete_tokens(db: sqlite3.Connection, chunk: list[int], marks: str) -> None:
    """FTS5 'delete' of these rows from their shards, with the tokens of their stored record copies."""
    sql = f"SELECT rowid, record FROM search_records WHERE rowid IN ({marks})"
    found = db.execute(sql, chunk).fetchall()
    recs = [_unzip_json(blob) for _, blob in found]
    titles = token_strings([rec.get("title") for rec in recs])
    texts = token_strings([rec.get("text") for rec in recs])
    tables = shard_tables(db)
    for shard, name in enumerate(tables):
        db.executemany(
            f"INSERT INTO {name}({name}, rowid, title, text) VALUES('delete', ?, ?, ?)",
            [(rowid, title, text) for (rowid, _), title, text in zip(found, titles, texts, strict=True)
             if rowid % len(tables) == shard],
        )


def missing(db: sqlite3.Connection) -> dict[str, list[int]]:
    """Per record file, the rowids of its records that have no search rows yet (in file order): the
    files :meth:`ArchiveIndex.update` reads again for them."""
    out: dict[str, list[int]] = {}
    sql = (
        "SELECT r.rowid, r.file FROM records r LEFT JOIN search_docs d ON d.rowid = r.rowid "
        "WHERE d.rowid IS NULL ORDER BY r.file, r.position"
    )
    for rowid, file in db.execute(sql):
        out.setdefault(file, []).append(rowid)
    return out


def _zip_json(rec: Record) -> bytes:
    """The whole record as zstd JSON (orjson serialises the dataclass; zstd level 1: 29 us a record of
    1,000 characters where zlib level 1 took 79, for a 6 % larger blob)."""
    return bytes(zstd.compress(orjson.dumps(rec), level=1))


def _unzip_json(blob: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads(zstd.decompress(blob))
    return doc


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Filters:
    """Chosen facet values: a record matches when, for every facet with choices, it has one of them.
    ``""`` stands for "no value" (no site, no dated month, ...)."""

    site: tuple[str, ...] = ()
    month: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    source: tuple[str, ...] = ()

    def chosen(self) -> dict[str, tuple[str, ...]]:
        return {f: getattr(self, f) for f in FACETS if getattr(self, f)}


@dataclass(frozen=True)
class Hit:
    rowid: int
    id: str
    title: str | None
    published: str | None
    site: str | None
    source: str | None
    state: str
    url: str | None
    score: float | None
    title_spans: list[tuple[str, bool]] = field(default_factory=list)
    snippet: list[tuple[str, bool]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rowid": self.rowid, "id": self.id, "title": self.title, "published": self.published,
            "site": self.site, "source": self.source, "state": self.state, "url": self.url,
            "score": self.score, "snippet": "".join(p for p, _ in self.snippet),
            "highlights": _offsets(self.snippet), "title_highlights": _offsets(self.title_spans),
        }  # fmt: skip


def _offsets(pieces: list[tuple[str, bool]]) -> list[list[int]]:
    out, at = [], 0
    for piece, hit in pieces:
        if hit:
            out.append([at, at + len(piece)])
        at += len(piece)
    return out


@dataclass
class Result:
    query: Query
    filters: Filters
    sort: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int


class Searcher:
    """Queries over the search tables of one (read-only) index connection.

    The rowids (and BM25 scores) a query matches are collected once per query into a temporary table
    (the temp database of the connection: nothing is written to the index), then counted, faceted and
    paged from there; the facet columns sit in a narrow table, apart from the texts."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        if _scheme_or_none(db) != TOKEN_SCHEME:
            raise SearchIndexMissing(
                "the index has no current search tables; run `newsarchive index ARCHIVE_DIR` to build them"
            )
        if _meta(db, "bulk"):  # the records are there, the FTS5 shards never came: every query would miss
            raise SearchIndexMissing(
                "a first build of the search tables is not finished (still running, or interrupted); "
                "wait for it, or run `newsarchive index ARCHIVE_DIR` to finish it"
            )
        self._collected: tuple[str, bool] | None = None
        self._shards = shard_tables(db)

    def search(self, query: Query, filters: Filters = Filters(), sort: str = "relevance",
               page: int = 1, per_page: int = 20, facet_limit: int = 30, with_facets: bool = True,
               ) -> Result:  # fmt: skip
        """One page of hits with snippets, the total and the facet counts of the whole result set."""
        base, params = self._base(query, filters, scored=sort == "relevance")
        total = int(self.db.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0])
        facets = {f: self._facet(f, base, params, facet_limit) for f in FACETS} if with_facets else {}
        full, _ = self._base(query, filters, scored=sort == "relevance", full=True)
        rows = self.db.execute(
            f"SELECT {_HIT_COLUMNS} {full} ORDER BY {_order(sort, query)} LIMIT ? OFFSET ?",
            [*params, per_page, (max(page, 1) - 1) * per_page],
        ).fetchall()
        needles = query.needles()
        hits = [self._hit(row, needles) for row in rows]
        return Result(query, filters, sort, total, hits, facets, page, per_page)

    def facet_counts(self, query: Query, filters: Filters = Filters(), limit: int = 30) -> dict[
            str, list[tuple[str, int]]]:  # fmt: skip
        """The counts of every facet over the whole result set."""
        base, params = self._base(query, filters, scored=False)
        return {f: self._facet(f, base, params, limit) for f in FACETS}

    def iter_all(self, query: Query, filters: Filters = Filters(), sort: str = "relevance") -> Iterator[
            dict[str, Any]]:  # fmt: skip
        """Every hit in order, with its text (for CSV / JSONL downloads); streams."""
        base, params = self._base(query, filters, scored=sort == "relevance", full=True)
        sql = (
            f"SELECT {_HIT_COLUMNS}, r.fetched_at, r.capture_file, r.capture_offset {base} "
            f"ORDER BY {_order(sort, query)}"
        )
        for row in self.db.execute(sql, params):
            yield {
                "id": row[1], "title": row[2], "published": row[3], "site": row[4], "source": row[5],
                "state": row[6], "url": row[7], "fetched_at": row[10], "capture_file": row[11],
                "capture_offset": row[12], "text": _unzip_json(row[9]).get("text") or "",
            }  # fmt: skip

    def text(self, rowid: int) -> str | None:
        row = self.db.execute("SELECT record FROM search_records WHERE rowid=?", (rowid,)).fetchone()
        return str(_unzip_json(row[0]).get("text") or "") if row else None

    def record(self, rowid: int) -> Record | None:
        """The record as indexed (a copy of the one in its record file)."""
        from normalize.record import Record

        row = self.db.execute("SELECT record FROM search_records WHERE rowid=?", (rowid,)).fetchone()
        return Record.from_dict(_unzip_json(row[0])) if row else None

    def state(self, rowid: int) -> str:
        row = self.db.execute("SELECT state FROM search_docs WHERE rowid=?", (rowid,)).fetchone()
        return str(row[0]) if row else STATES[0]

    def _facet(self, name: str, base: str, params: Sequence[Any], limit: int) -> list[tuple[str, int]]:
        order = "value DESC" if name == "month" else "n DESC, value"
        rows = self.db.execute(
            f"SELECT COALESCE(d.{name}, '') AS value, COUNT(*) AS n {base} GROUP BY value ORDER BY {order} "
            "LIMIT ?",
            [*params, limit],
        )
        return [(v, n) for v, n in rows]

    def _base(self, query: Query, filters: Filters, scored: bool, full: bool = False,
              ) -> tuple[str, list[Any]]:  # fmt: skip
        """The FROM/WHERE of a search; ``full`` joins the texts and the index's records (for shown rows)."""
        more = _FULL if full else ""
        if query.empty:
            sql = f"FROM search_docs d {more} LEFT JOIN (SELECT NULL AS score) h"
        else:
            self._collect(query.match(), scored)
            sql = f"FROM temp.search_hits h CROSS JOIN search_docs d ON d.rowid = h.rowid {more}"
        where: list[str] = []
        params: list[Any] = []
        for name, values in filters.chosen().items():
            where.append(f"COALESCE(d.{name}, '') IN ({','.join('?' * len(values))})")
            params.extend(values)
        return sql + (" WHERE " + " AND ".join(where) if where else ""), params

    def _collect(self, match: str, scored: bool) -> None:
        if self._collected in ((match, scored), (match, True)):
            return
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS search_hits (rowid INTEGER PRIMARY KEY, score REAL)")
        self.db.execute("DELETE FROM temp.search_hits")
        for name in self._shards:
            score = f"bm25({name}, {TITLE_WEIGHT}, 1.0)" if scored else "NULL"
            sql = f"INSERT INTO temp.search_hits SELECT rowid, {score} FROM {name} WHERE {name} MATCH ?"
            self.db.execute(sql, (match,))
        self._collected = (match, scored)

    def _hit(self, row: Sequence[Any], needles: Sequence[str]) -> Hit:
        text = _unzip_json(row[9]).get("text") or ""
        title = row[2] or ""
        rowid, rid, _, published, site, source, state, url, score = row[:9]
        return Hit(rowid, rid, row[2], published, site, source, state, url, score,
                   _mark(title, needles), snippet(text, needles))  # fmt: skip


_FULL = "JOIN search_records t ON t.rowid = d.rowid JOIN records r ON r.rowid = d.rowid"
_HIT_COLUMNS = "d.rowid, r.id, d.title, d.published, d.site, d.source, d.state, r.url, h.score, t.record"


def _order(sort: str, query: Query) -> str:
    newest = "d.date_key IS NULL, d.date_key DESC, d.rowid"
    if sort == "oldest":
        return "d.date_key IS NULL, d.date_key ASC, d.rowid"
    if sort == "newest" or query.empty:
        return newest
    return "h.score ASC, " + newest  # bm25(): smaller is better


def _mark(text: str, needles: Sequence[str]) -> list[tuple[str, bool]]:
    pieces, at = [], 0
    for s, e in find_spans(text, needles):
        if s > at:
            pieces.append((text[at:s], False))
        pieces.append((text[s:e], True))
        at = e
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _scheme_or_none(db: sqlite3.Connection) -> str | None:
    try:
        return _scheme(db)
    except sqlite3.OperationalError:  # no such table: an index from before search existed
        return None
