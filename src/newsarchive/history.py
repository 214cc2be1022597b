"""Every article's history: each capture of its URL, classified the way web archives keep it.

From the capture log (:mod:`newsarchive.capturelog`: every WARC response and revisit under
``ARCHIVE/captures/``, and the records made from them), each capture of an article's URL becomes a row of
the ``history`` table (in ``index.sqlite``): when, HTTP status, final URL after redirects, payload
digest, text hash, WARC record id, the record it gave, the version of the article's text it shows, and
the state it implies (:data:`STATES`):

- ``new``: the first capture with the article;
- ``unchanged``: a revisit record (304, or the same payload digest), or the same text and metadata;
- ``edited``: the text changed (the diff ``newsarchive diff`` computes is kept, :func:`diff_of`);
- ``metadata-changed``: the same text, other title / date / source / bylines;
- ``deleted``, with ``how``: ``http-404`` / ``http-410`` (other 4xx as ``http-NNN``), ``redirect-home``
  or ``redirect-column`` (a redirect to the home page, or to another page of the site that holds no
  article), ``redirect-offsite``, ``redirect-other`` (to another article), ``placeholder`` (a page that
  says the report was deleted, withdrawn or expired, :func:`newsarchive.gone.placeholder_phrase`),
  ``soft-404`` (the site's own not-found page answered with 200, or a redirect where a URL that cannot
  exist is redirected: learnt from the crawler's probe, :mod:`newsarchive.gone`), ``removed-from-page``
  (an e-paper page that no longer holds the item);
- ``restored``: the article is back after a deletion;
- ``moved``: the article is at another URL: the capture that shows it gone from its URL, and the first
  capture at the new one (``related`` names the other URL). Found by a redirect to the same text, or by
  content: an article that disappeared and one first captured after it elsewhere on the site whose
  texts are at least :data:`MOVE_MIN_SIMILARITY` similar;
- ``unavailable``: the capture says nothing about the article (5xx, 429, garbage, a redirect loop or a
  redirect not followed, a page with no article and no sign of deletion); the article keeps its state.

``change`` marks the rows where something happened (a new article, an edit, the first capture of a
deletion, a restore, a move); repeated deletions and unavailable captures are not changes. A deleted
article keeps a tombstone: its records stay in the archive and the search index (state ``deleted``), its
last text is in ``newsarchive history``.

Within one crawl only a URL's last capture counts (a crawl resumed after a crash may have fetched a page
twice). History is derived from the archive's files, which are append-only (a revisit never rewrites an
earlier capture), and is rebuilt whenever the capture log changed; diffs are cached by the pair of
versions they compare. :func:`update` is called by :meth:`newsarchive.index.ArchiveIndex.update`, after
the records, and gives ``newsarchive serve``'s search its live / edited / deleted facet
(:func:`newsarchive.search.set_states`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import numpy as np

from newsarchive import capturelog, gone, similarity
from newsarchive.capturelog import Capture
from newsarchive.captures import CaptureError, iter_records
from newsarchive.records import iter_record_file
from normalize.record import Record

if TYPE_CHECKING:
    from newsarchive.diff import ArticleDiff
    from newsarchive.index import ArchiveIndex

HISTORY_VERSION = "1"
STATES = ("new", "unchanged", "edited", "metadata-changed", "deleted", "restored", "moved", "unavailable")
CHANGE_STATES = ("new", "edited", "metadata-changed", "deleted", "restored", "moved")
MOVE_MIN_SIMILARITY = 0.8
MAX_REDIRECTS = 10
HOME_NAMES = {"", "index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "index.asp",
              "index.aspx", "default.htm", "default.html", "default.aspx", "default.asp", "main.htm"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS history_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history (
    article TEXT NOT NULL,          -- the article's id (its records' id, e.g. url-<hash>-0)
    site TEXT NOT NULL, url TEXT NOT NULL,
    capture INTEGER NOT NULL,       -- capture_log.id
    date TEXT NOT NULL,             -- WARC-Date of the capture
    status INTEGER,                 -- HTTP status (a revisit: that of the stored response it refreshes)
    revisit TEXT,                   -- 'identical-payload-digest' | 'server-not-modified' | NULL
    final_url TEXT,                 -- after redirects
    payload_digest TEXT, text_sha256 TEXT,
    warc_record_id TEXT NOT NULL,
    record_file TEXT, record_position INTEGER,   -- the record this capture gave the article, if any
    version INTEGER,                -- the version of the text it shows (1, 2, ...); NULL when gone
    state TEXT NOT NULL, how TEXT, related TEXT, -- related: the other URL of a move
    change INTEGER NOT NULL,        -- 1 when something happened to the article here
    title TEXT,                     -- the article's title (its last known)
    diff_key TEXT,                  -- history_diffs.key: the diff against the previous version
    PRIMARY KEY (article, capture)
);
CREATE INDEX IF NOT EXISTS history_url ON history(url, date);
CREATE INDEX IF NOT EXISTS history_date ON history(date);
CREATE INDEX IF NOT EXISTS history_record ON history(record_file, record_position);
CREATE TABLE IF NOT EXISTS history_diffs (key TEXT PRIMARY KEY, diff TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history_pages (      -- what a page without records looked like (cached)
    record_id TEXT PRIMARY KEY,     -- WARC-Record-ID of the capture
    verdict TEXT,                   -- 'garbage' | 'placeholder' | NULL
    text TEXT,                      -- its visible text, for the site's not-found page (probes only)
    fingerprint BLOB NOT NULL       -- gone.fingerprint of its visible text (uint64 little-endian)
);
"""
_TABLES = ("history_meta", "history", "history_diffs", "history_pages")
_ROW_FIELDS = ("article", "site", "url", "capture", "date", "status", "revisit", "final_url",
               "payload_digest", "text_sha256", "warc_record_id", "record_file", "record_position",
               "version", "state", "how", "related", "change", "title", "diff_key")


@dataclass
class HistoryRow:
    """One capture of one article (a row of the ``history`` table)."""

    article: str
    site: str
    url: str
    capture: int
    date: str
    status: int | None
    revisit: str | None
    final_url: str | None
    payload_digest: str | None
    text_sha256: str | None
    warc_record_id: str
    record_file: str | None
    record_position: int | None
    version: int | None
    state: str
    how: str | None = None
    related: str | None = None
    change: bool = False
    title: str | None = None
    diff_key: str | None = None

    def values(self) -> tuple[Any, ...]:
        return tuple(int(v) if isinstance(v, bool) else v for v in (getattr(self, f) for f in _ROW_FIELDS))

    def to_json(self) -> dict[str, Any]:
        data = {f: getattr(self, f) for f in _ROW_FIELDS if f != "diff_key"}
        data["change"] = bool(self.change)
        return data


@dataclass
class HistoryStats:
    captures: int = 0
    rows: int = 0
    rebuilt: bool = False
    states: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def prepare(db: sqlite3.Connection) -> None:
    """Create the history tables (and the capture log's); other layout versions are dropped first."""
    capturelog.prepare(db)
    capturelog.prepare_tables(db, "history_meta", HISTORY_VERSION, _TABLES, SCHEMA)


def update(index: ArchiveIndex) -> HistoryStats:
    """Refresh the capture log, rebuild the history when it changed, and set the search states."""
    db = index.db
    prepare(db)
    log = capturelog.refresh(db, index.archive)
    stats = HistoryStats(problems=list(log.problems))
    fingerprint = _log_fingerprint(db)
    built = db.execute("SELECT value FROM history_meta WHERE key='log'").fetchone()
    if built is None or built[0] != fingerprint:
        rows = Classifier(db, index.archive, stats.problems).run()
        _store(db, rows, fingerprint)
        stats.rebuilt = True
    stats.captures = int(db.execute("SELECT COUNT(*) FROM capture_log").fetchone()[0])
    stats.rows = int(db.execute("SELECT COUNT(*) FROM history").fetchone()[0])
    stats.states = dict(db.execute("SELECT state, COUNT(*) FROM history GROUP BY state").fetchall())
    apply_search_states(db)
    return stats


def _log_fingerprint(db: sqlite3.Connection) -> str:
    rows = db.execute("SELECT path, size, mtime_ns FROM capture_files ORDER BY path").fetchall()
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _store(db: sqlite3.Connection, rows: list[HistoryRow], fingerprint: str) -> None:
    with db:
        db.execute("DELETE FROM history")
        db.executemany(f"INSERT OR REPLACE INTO history ({', '.join(_ROW_FIELDS)}) "
                       f"VALUES ({', '.join('?' * len(_ROW_FIELDS))})", [r.values() for r in rows])
        db.execute("INSERT OR REPLACE INTO history_meta VALUES ('log', ?)", (fingerprint,))


# ---------------------------------------------------------------------------------- classification


@dataclass(frozen=True)
class RecordRef:
    """One record of the capture log (a row of ``capture_records``)."""

    file: str
    position: int
    id: str
    url: str | None
    text_sha256: str
    meta_sha256: str
    title: str | None
    length: int


@dataclass
class Observation:
    """What one capture says about its URL."""

    capture: Capture
    kind: str  # 'article' | 'same' | 'gone' | 'unavailable' | 'redirect-article'
    how: str | None = None
    records: dict[str, RecordRef] = field(default_factory=dict)  # by article id
    final_url: str | None = None


@dataclass
class _Good:
    """An article's last version seen: its record and version number."""

    record: RecordRef
    version: int
    row: HistoryRow


class Classifier:
    """Builds the history rows of the whole archive from the capture log (see the module docstring)."""

    def __init__(self, db: sqlite3.Connection, archive: Path, problems: list[str]) -> None:
        self.db, self.archive, self.problems = db, Path(archive), problems
        self.caps = capturelog.captures(db)
        self.by_url: dict[tuple[str, str], list[Capture]] = defaultdict(list)
        for cap in self.caps:
            self.by_url[(cap.site, cap.url)].append(cap)
        self.records = self._records()
        self.by_location = {(ref.file, ref.position): ref for refs in self.records.values() for ref in refs}
        self.article_urls = {(site, ref.url or url) for (site, url), refs in self._records_by_url().items()
                             for ref in refs}
        self.loaded: dict[tuple[str, int], Record] = {}
        self.pages: dict[str, tuple[str | None, str, similarity.U64]] = {}
        self.diffs: dict[str, tuple[RecordRef, RecordRef]] = {}
        self._probes: dict[str, list[tuple[str | None, similarity.U64, str]]] = {}

    # -- inputs --------------------------------------------------------------------------------------
    def _records(self) -> dict[tuple[str, int], list[RecordRef]]:
        """Records by the capture they came from; when several record files hold records of one capture
        (a replay re-cleaned it), those of the most recently written file."""
        sql = ("SELECT r.capture_file, r.capture_offset, r.file, r.position, r.id, r.url, r.text_sha256, "
               "r.meta_sha256, r.title, r.length, f.mtime_ns FROM capture_records r "
               "JOIN capture_files f ON f.path = r.file WHERE r.capture_file IS NOT NULL "
               "ORDER BY r.capture_file, r.capture_offset, f.mtime_ns, r.file, r.position")
        out: dict[tuple[str, int], list[RecordRef]] = {}
        newest: dict[tuple[str, int], str] = {}
        for cfile, coffset, file, position, rid, url, tsha, msha, title, length, _ in self.db.execute(sql):
            key = (cfile, coffset)
            if newest.get(key) != file:
                newest[key] = file
                out[key] = []
            out[key].append(RecordRef(file, position, rid, url, tsha, msha, title, length))
        return out

    def _records_by_url(self) -> dict[tuple[str, str], list[RecordRef]]:
        found: dict[tuple[str, str], list[RecordRef]] = defaultdict(list)
        for cap in self.caps:
            for ref in self.records.get((cap.file, cap.offset), []):
                found[(cap.site, cap.url)].append(ref)
        return found

    def refs(self, cap: Capture) -> dict[str, RecordRef]:
        return {ref.id: ref for ref in self.records.get((cap.file, cap.offset), [])}

    # -- the run -------------------------------------------------------------------------------------
    def run(self) -> list[HistoryRow]:
        rows: list[HistoryRow] = []
        by_site: dict[str, list[str]] = defaultdict(list)
        for site, url in sorted(self.by_url):
            if (site, url) in self.article_urls and not gone.is_probe(url):
                by_site[site].append(url)
        for site, urls in by_site.items():
            articles: dict[str, list[HistoryRow]] = {}
            for url in urls:
                for article, article_rows in self.url_history(site, url).items():
                    articles[article] = article_rows
            self.find_moves(articles)
            rows.extend(row for article_rows in articles.values() for row in article_rows)
        self._store_diffs()
        return rows

    def url_history(self, site: str, url: str) -> dict[str, list[HistoryRow]]:
        """The rows of every article seen at ``url``, from its captures (the last one of each crawl)."""
        observations = [self.observe(cap) for cap in _last_per_crawl(self.by_url[(site, url)])]
        ids = sorted({article for obs in observations for article in obs.records})
        return {article: self.article_rows(article, observations) for article in ids}

    def article_rows(self, article: str, observations: list[Observation]) -> list[HistoryRow]:
        rows: list[HistoryRow] = []
        good: _Good | None = None
        gone_now = False
        for obs in observations:
            kind = obs.kind
            if kind == "article" and article not in obs.records and good is not None:
                kind, obs = "gone", Observation(obs.capture, "gone", "removed-from-page")
            if good is None and not (kind == "article" and article in obs.records):
                continue  # before the article first appeared at this URL
            row = self._row(article, obs, good)
            if kind == "article":
                good, gone_now = self._versioned(row, obs.records[article], good, gone_now), False
            elif kind == "same":
                row.version = good.version if good else None
                row.state, row.change = ("restored", True) if gone_now else ("unchanged", False)
                gone_now = False
            elif kind == "redirect-article":
                self._redirected(row, obs, good)
                gone_now = True
            elif kind == "gone":
                row.state, row.how, row.change, row.version = "deleted", obs.how, not gone_now, None
                gone_now = True
            else:
                row.state, row.how, row.version = "unavailable", obs.how, None
            if good is not None:
                row.title = good.record.title
            rows.append(row)
        return rows

    def _row(self, article: str, obs: Observation, good: _Good | None) -> HistoryRow:
        cap = obs.capture
        ref = obs.records.get(article) if obs.kind == "article" else None
        return HistoryRow(
            article=article, site=cap.site, url=cap.url, capture=cap.id, date=cap.date, status=cap.status,
            revisit=cap.profile, final_url=obs.final_url or cap.url, payload_digest=cap.payload_digest,
            text_sha256=ref.text_sha256 if ref else (good.record.text_sha256 if good and obs.kind == "same"
                                                     else None),
            warc_record_id=cap.record_id, record_file=ref.file if ref else None,
            record_position=ref.position if ref else None, version=None, state="unavailable",
        )

    def _versioned(self, row: HistoryRow, ref: RecordRef, good: _Good | None, was_gone: bool) -> _Good:
        """State and version of a capture that shows the article; the new last good version."""
        if good is None:
            row.state, row.change, row.version = "new", True, 1
            return _Good(ref, 1, row)
        same_text = ref.text_sha256 == good.record.text_sha256
        same_meta = ref.meta_sha256 == good.record.meta_sha256
        changed = not (same_text and same_meta)
        row.version = good.version + 1 if changed else good.version
        if changed:
            row.diff_key = self._want_diff(good.record, ref)
        if was_gone:
            row.state, row.change = "restored", True
        elif not same_text:
            row.state, row.change = "edited", True
        elif not same_meta:
            row.state, row.change = "metadata-changed", True
        else:
            row.state = "unchanged"
        return _Good(ref, row.version, row)

    def _redirected(self, row: HistoryRow, obs: Observation, good: _Good | None) -> None:
        """A redirect to a page holding an article: the same article (moved) or another one."""
        target = self._matching(good.record, list(obs.records.values())) if good else None
        if target is not None:
            row.state, row.related, row.change = "moved", obs.final_url, True
        else:
            row.state, row.how, row.change = "deleted", "redirect-other", True
        row.version = None

    # -- what one capture says ------------------------------------------------------------------------
    def observe(self, cap: Capture) -> Observation:
        status = cap.status or 0
        if cap.revisit or status == 304:
            return Observation(cap, "same")
        if 200 <= status < 300:
            return self._page(cap)
        if 300 <= status < 400:
            return self._redirect(cap)
        if status in (404, 410) or (400 <= status < 500 and status not in (408, 429)):
            return Observation(cap, "gone", f"http-{status}")
        return Observation(cap, "unavailable", f"http-{status}")

    def _page(self, cap: Capture) -> Observation:
        refs = self.refs(cap)
        if refs:
            if len(refs) == 1 and self._placeholder_record(next(iter(refs.values()))):
                return Observation(cap, "gone", "placeholder")
            if len(refs) == 1 and self._record_like_not_found(cap.site, next(iter(refs.values()))):
                return Observation(cap, "gone", "soft-404")
            return Observation(cap, "article", records=refs)
        verdict, _, print_ = self.page(cap)
        if verdict == "garbage":
            return Observation(cap, "unavailable", "garbage")
        if verdict == "placeholder":
            return Observation(cap, "gone", "placeholder")
        if self._like_not_found(cap, print_):
            return Observation(cap, "gone", "soft-404")
        return Observation(cap, "unavailable", "no-article")

    def _placeholder_record(self, ref: RecordRef) -> bool:
        if ref.length > gone.PLACEHOLDER_MAX_CHARS:
            return False
        rec = self.record(ref)
        return rec is not None and gone.placeholder_phrase(f"{rec.title or ''} {rec.text}") is not None

    def _redirect(self, cap: Capture) -> Observation:
        final, target, failed = self._follow(cap)
        if final is None:
            kind = "gone" if failed == "redirect-offsite" else "unavailable"
            return Observation(cap, kind, failed, final_url=target)
        if any(went == final.url for went, _, _ in self.probes(cap.site) if went):
            return Observation(cap, "gone", "soft-404", final_url=final.url)
        status = final.status or 0
        if status >= 400:
            return self._with_final(self.observe(final), cap, final.url, f"redirect-http-{status}")
        path = urlsplit(final.url).path
        if path.count("/") <= 1 and path.rsplit("/", 1)[-1] in HOME_NAMES:  # the home page is no article,
            return Observation(cap, "gone", "redirect-home", final_url=final.url)  # even when recorded
        refs = self._url_records(final)
        if refs:
            return Observation(cap, "redirect-article", records=refs, final_url=final.url)
        return Observation(cap, "gone", "redirect-column", final_url=final.url)

    @staticmethod
    def _with_final(obs: Observation, cap: Capture, final_url: str, how: str) -> Observation:
        return Observation(cap, obs.kind, how, final_url=final_url)

    def _follow(self, cap: Capture) -> tuple[Capture | None, str | None, str | None]:
        """(the capture a redirect chain ends at, its URL, None) or (None, the URL it stopped at, why):
        redirect-loop, redirect-offsite (another host), redirect-unfollowed (the target was not
        captured in that crawl), redirect-without-location."""
        final, seen = cap, {cap.url}
        while final.status is not None and 300 <= final.status < 400 and final.status != 304:
            if not final.location:
                return None, final.url, "redirect-without-location"
            target = urljoin(final.url, final.location.strip())
            if target in seen or len(seen) > MAX_REDIRECTS:
                return None, target, "redirect-loop"
            seen.add(target)
            if urlsplit(target).hostname != urlsplit(cap.url).hostname:
                return None, target, "redirect-offsite"
            hop = self._hop(final, target)
            if hop is None:
                return None, target, "redirect-unfollowed"
            final = hop
        return final, final.url, None

    def _hop(self, cap: Capture, target: str) -> Capture | None:
        """The capture of a redirect's target in the same crawl (the first at or after the redirect)."""
        same_crawl = [c for c in self.by_url.get((cap.site, target), []) if c.crawl == cap.crawl]
        later = [c for c in same_crawl if c.date >= cap.date]
        found = later or same_crawl
        return found[0] if found else None

    def _url_records(self, cap: Capture) -> dict[str, RecordRef]:
        """The records of a page: its own, or for a revisit those of its URL's last capture with records."""
        refs = self.refs(cap)
        if refs or not cap.revisit:
            return refs
        earlier = [c for c in self.by_url.get((cap.site, cap.url), []) if c.date <= cap.date and self.refs(c)]
        return self.refs(earlier[-1]) if earlier else {}

    # -- the site's not-found page -------------------------------------------------------------------
    def probes(self, site: str) -> list[tuple[str | None, similarity.U64, str]]:
        """(final URL when redirected, fingerprint when 200, visible text) of the site's probe captures."""
        if site not in self._probes:
            found: list[tuple[str | None, similarity.U64, str]] = []
            for (psite, url), caps in self.by_url.items():
                if psite != site or not gone.is_probe(url):
                    continue
                for cap in caps:
                    if cap.status and 300 <= cap.status < 400:
                        found.append((self._follow(cap)[1], np.zeros(0, np.uint64), ""))
                    elif cap.status and 200 <= cap.status < 300:
                        _, text, print_ = self.page(cap)
                        found.append((None, print_, text))
            self._probes[site] = found
        return self._probes[site]

    def _record_like_not_found(self, site: str, ref: RecordRef) -> bool:
        """A short record whose text is (nearly all) on the site's not-found page: the normaliser took the
        not-found page's message for an article."""
        probes = [probe for _, probe, _ in self.probes(site) if len(probe)]
        if not probes or ref.length > gone.SOFT_404_MAX_CHARS:
            return False
        rec = self.record(ref)
        mine = gone.fingerprint(rec.text if rec else "")
        return bool(len(mine)) and any(similarity.containment(mine, probe) >= gone.SOFT_404_MIN_SIMILARITY
                                       for probe in probes)

    def _like_not_found(self, cap: Capture, print_: similarity.U64) -> bool:
        return any(gone.resemblance(print_, probe) >= gone.SOFT_404_MIN_SIMILARITY
                   for _, probe, _ in self.probes(cap.site) if len(probe))

    def page(self, cap: Capture) -> tuple[str | None, str, similarity.U64]:
        """(verdict 'garbage' | 'placeholder' | None, visible text, fingerprint) of a page without
        records, read once from its WARC record and cached in ``history_pages``."""
        if cap.record_id in self.pages:
            return self.pages[cap.record_id]
        row = self.db.execute("SELECT verdict, text, fingerprint FROM history_pages WHERE record_id=?",
                              (cap.record_id,)).fetchone()
        if row is not None:
            found = (row[0], row[1] or "", np.frombuffer(row[2], dtype="<u8").astype(np.uint64))
        else:
            found = self._read_page(cap)
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO history_pages VALUES (?, ?, ?, ?)",
                                (cap.record_id, found[0], found[1] if gone.is_probe(cap.url) else None,
                                 found[2].astype("<u8").tobytes()))
        self.pages[cap.record_id] = found
        return found

    def _read_page(self, cap: Capture) -> tuple[str | None, str, similarity.U64]:
        payload = self.payload(cap)
        empty = np.zeros(0, np.uint64)
        if payload is None or gone.is_garbage(payload):
            return "garbage", "", empty
        text = gone.visible_text(payload, cap.content_type) or ""
        verdict = "placeholder" if gone.placeholder_in_page(text) else None
        return verdict, text, gone.fingerprint(text)

    def payload(self, cap: Capture) -> bytes | None:
        records = iter_records(self.archive / cap.file, start=cap.offset, content=True)
        try:
            return next(records).body
        except (StopIteration, CaptureError) as exc:
            self.problems.append(f"{self.archive / cap.file}@{cap.offset}: cannot read the capture of "
                                 f"{cap.url} ({exc})")
            return None
        finally:
            records.close()

    # -- moves ---------------------------------------------------------------------------------------
    def find_moves(self, articles: dict[str, list[HistoryRow]]) -> None:
        """The far end of a redirect to the same article; then articles that disappeared matched by
        content with articles first seen later elsewhere on the site."""
        for rows in articles.values():
            for row in [r for r in rows if r.state == "moved" and r.related]:
                arrival = self._arrival_at(articles, row.related or "", _last_good(rows).date)
                if arrival is not None:
                    self._link(rows, row, articles[arrival])
        vanished = {a: rows for a, rows in articles.items() if _last_state(rows) == "deleted"}
        arrivals = {a: rows for a, rows in articles.items() if rows and rows[0].state == "new"}
        if not vanished or not arrivals:
            return
        for old, new in self._content_matches(vanished, arrivals):
            gone_row = _first_deletion_after_last_good(articles[old])
            gone_row.state, gone_row.related = "moved", articles[new][0].url
            self._link(articles[old], gone_row, articles[new])

    @staticmethod
    def _arrival_at(articles: dict[str, list[HistoryRow]], url: str, after: str) -> str | None:
        for article, rows in articles.items():
            if rows and rows[0].url == url and rows[0].state == "new" and rows[0].date >= after:
                return article
        return None

    def _link(self, old_rows: list[HistoryRow], gone_row: HistoryRow, new_rows: list[HistoryRow]) -> None:
        """The first capture at the new URL is the other end of the move; versions continue."""
        last = _last_good(old_rows)
        first = new_rows[0]
        first.state, first.related, first.change = "moved", gone_row.url, True
        old_ref, new_ref = self._ref_of(last), self._ref_of(first)
        changed = bool(old_ref and new_ref and (old_ref.text_sha256, old_ref.meta_sha256)
                       != (new_ref.text_sha256, new_ref.meta_sha256))
        if old_ref and new_ref and changed:
            first.diff_key = self._want_diff(old_ref, new_ref)
        offset = (last.version or 1) - 1 + int(changed)
        for row in new_rows:
            if row.version is not None:
                row.version += offset

    def _content_matches(self, vanished: dict[str, list[HistoryRow]],
                         arrivals: dict[str, list[HistoryRow]]) -> list[tuple[str, str]]:
        old_texts = {a: self._text_of(_last_good(rows)) for a, rows in vanished.items()}
        new_texts = {a: self._text_of(rows[0]) for a, rows in arrivals.items()}
        old_ids = [a for a, t in old_texts.items() if t]
        new_ids = [a for a, t in new_texts.items() if t]
        if not old_ids or not new_ids:
            return []
        lsh = similarity.LSHIndex.for_threshold(MOVE_MIN_SIMILARITY)
        lsh.add(np.stack([similarity.text_signature(old_texts[a] or "") for a in old_ids]),
                np.arange(len(old_ids)))
        sigs = np.stack([similarity.text_signature(new_texts[a] or "") for a in new_ids])
        scored = []
        for j, cands in enumerate(lsh.query(sigs)):
            new_hashes = similarity.shingle_hashes(new_texts[new_ids[j]] or "")
            for i in cands:
                old_a, new_a = old_ids[i], new_ids[j]
                if (arrivals[new_a][0].url == vanished[old_a][0].url
                        or arrivals[new_a][0].date < _last_good(vanished[old_a]).date):
                    continue
                score = similarity.jaccard(similarity.shingle_hashes(old_texts[old_a] or ""), new_hashes)
                if score >= MOVE_MIN_SIMILARITY:
                    scored.append((score, old_a, new_a))
        pairs, used_old, used_new = [], set(), set()
        for _, old_a, new_a in sorted(scored, reverse=True):
            if old_a not in used_old and new_a not in used_new:
                pairs.append((old_a, new_a))
                used_old.add(old_a)
                used_new.add(new_a)
        return pairs

    def _matching(self, ref: RecordRef, candidates: Sequence[RecordRef]) -> RecordRef | None:
        """The candidate record holding the same article as ``ref`` (same text, or similar enough)."""
        for cand in candidates:
            if cand.text_sha256 == ref.text_sha256:
                return cand
        text = self._ref_text(ref)
        if not text:
            return None
        mine = similarity.shingle_hashes(text)
        best = similarity.best_match(mine, ((i, similarity.shingle_hashes(self._ref_text(c) or ""))
                                            for i, c in enumerate(candidates)))
        return candidates[best[0]] if best and best[1] >= MOVE_MIN_SIMILARITY else None

    # -- records and diffs ---------------------------------------------------------------------------
    def _ref_of(self, row: HistoryRow) -> RecordRef | None:
        if row.record_file is None or row.record_position is None:
            return None
        return self.by_location.get((row.record_file, row.record_position))

    def _text_of(self, row: HistoryRow) -> str | None:
        ref = self._ref_of(row)
        return self._ref_text(ref) if ref else None

    def _ref_text(self, ref: RecordRef) -> str | None:
        rec = self.record(ref)
        return rec.text if rec else None

    def record(self, ref: RecordRef) -> Record | None:
        key = (ref.file, ref.position)
        if key not in self.loaded:
            self._load(ref.file, {ref.position})
        return self.loaded.get(key)

    def _load(self, file: str, positions: set[int]) -> None:
        problems: list[str] = []
        last = max(positions)
        for position, rec in iter_record_file(self.archive / file, problems):
            if position in positions:
                self.loaded[(file, position)] = rec
            if position >= last:
                break
        self.problems.extend(problems)

    def _want_diff(self, old: RecordRef, new: RecordRef) -> str:
        key = hashlib.sha256(f"{old.text_sha256}:{old.meta_sha256}:{new.text_sha256}:{new.meta_sha256}"
                             .encode()).hexdigest()
        self.diffs[key] = (old, new)
        return key

    def _store_diffs(self) -> None:
        known = {k for (k,) in self.db.execute("SELECT key FROM history_diffs")}
        wanted = {k: pair for k, pair in self.diffs.items() if k not in known}
        by_file: dict[str, set[int]] = defaultdict(set)
        for old, new in wanted.values():
            for ref in (old, new):
                if (ref.file, ref.position) not in self.loaded:
                    by_file[ref.file].add(ref.position)
        for file, positions in by_file.items():
            self._load(file, positions)
        from newsarchive.diff import compare  # (newsarchive.diff imports the index, which imports this)

        rows = []
        for key, (old, new) in wanted.items():
            a, b = self.loaded.get((old.file, old.position)), self.loaded.get((new.file, new.position))
            if a is not None and b is not None:
                rows.append((key, json.dumps(diff_json(compare(a, b)), ensure_ascii=False)))
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO history_diffs VALUES (?, ?)", rows)


def diff_json(d: ArticleDiff) -> dict[str, Any]:
    """A diff as ``newsarchive diff --format json`` writes one article (:mod:`newsarchive.diff_render`)."""
    from newsarchive.diff_render import article_json

    return article_json(d)


def _last_per_crawl(caps: list[Capture]) -> list[Capture]:
    """The last capture of each crawl, in time order (a resumed crawl may have fetched a page twice)."""
    last: dict[str, Capture] = {}
    for cap in caps:
        last[cap.crawl] = cap
    return sorted(last.values(), key=lambda c: (c.date, c.file, c.offset))


def _last_state(rows: list[HistoryRow]) -> str | None:
    states = [r.state for r in rows if r.state != "unavailable"]
    return states[-1] if states else None


def _first_deletion_after_last_good(rows: list[HistoryRow]) -> HistoryRow:
    last = _last_good(rows)
    return next(r for r in rows if r.date >= last.date and r.state == "deleted" and r.change)


def _last_good(rows: list[HistoryRow]) -> HistoryRow:
    good = [r for r in rows if r.record_file is not None]
    return good[-1] if good else rows[0]


# ----------------------------------------------------------------------------------------- reading


def rows(db: sqlite3.Connection, where: str = "", params: Iterable[Any] = ()) -> Iterator[HistoryRow]:
    sql = (f"SELECT {', '.join(_ROW_FIELDS)} FROM history {'WHERE ' + where if where else ''} "
           "ORDER BY site, url, article, date, capture")
    for row in db.execute(sql, tuple(params)):
        values = dict(zip(_ROW_FIELDS, row, strict=True))
        values["change"] = bool(values["change"])
        yield HistoryRow(**values)


def article_rows(db: sqlite3.Connection, target: str) -> list[HistoryRow]:
    """The history of an article given by URL or by id (a record id, or an export row id ``ID@hash``):
    every article at that URL, and the other end of its moves."""
    article = target.split("@", 1)[0]
    found = list(rows(db, "url = ? OR final_url = ? OR article = ?", (target, target, article)))
    related = {r.related for r in found if r.state == "moved" and r.related}
    for url in sorted(related - {r.url for r in found}):
        found += list(rows(db, "url = ?", (url,)))
    return sorted(found, key=lambda r: (r.date, r.url, r.article, r.capture))


def changes(db: sqlite3.Connection, *, since: str | None = None, sites: Sequence[str] = (),
            states: Sequence[str] = ()) -> list[HistoryRow]:
    """Rows that are changes (or, with ``states``, every row in those states), newest first."""
    where = ["change = 1"] if not states else [f"state IN ({', '.join('?' * len(states))})"]
    params: list[Any] = list(states)
    if since:
        where.append("date >= ?")
        params.append(since)
    if sites:
        where.append(f"site IN ({', '.join('?' * len(sites))})")
        params.extend(sites)
    found = list(rows(db, " AND ".join(where), params))
    return sorted(found, key=lambda r: (r.date, r.url, r.article), reverse=True)


def diff_of(db: sqlite3.Connection, key: str | None) -> dict[str, Any] | None:
    if not key:
        return None
    row = db.execute("SELECT diff FROM history_diffs WHERE key=?", (key,)).fetchone()
    return json.loads(row[0]) if row else None


def record_versions(db: sqlite3.Connection) -> dict[tuple[str, int], tuple[str, int | None]]:
    """(state, version) of each record, by (record file, position): the history row of the capture it
    was cleaned from (a replayed record shares its capture's row)."""
    try:
        sql = ("SELECT r.file, r.position, h.state, h.version FROM capture_records r "
               "JOIN capture_log c ON c.file = r.capture_file AND c.offset = r.capture_offset "
               "JOIN history h ON h.capture = c.id AND h.article = r.id")
        return {(f, p): (s, v) for f, p, s, v in db.execute(sql)}
    except sqlite3.OperationalError:  # no history tables (an index built before this layout)
        return {}


# ------------------------------------------------------------------------------ the search's states


def article_states(db: sqlite3.Connection) -> dict[str, str]:
    """Each article's search state: ``deleted`` when its last capture shows it gone from its URL (moved
    away included), ``edited`` when it has had more than one version, else ``live``."""
    last: dict[str, tuple[bool, int]] = {}
    sql = ("SELECT article, state, version FROM history WHERE state != 'unavailable' "
           "ORDER BY article, date, capture")
    for article, state, version in db.execute(sql):
        gone_now = state == "deleted" or (state == "moved" and version is None)
        last[article] = (gone_now, max(version or 0, last.get(article, (False, 0))[1]))
    return {article: "deleted" if gone_now else ("edited" if top > 1 else "live")
            for article, (gone_now, top) in last.items()}


def apply_search_states(db: sqlite3.Connection) -> int:
    """Give every indexed record of a tracked article its state in the search tables (when they exist)."""
    from newsarchive import search

    if db.execute("SELECT 1 FROM sqlite_master WHERE name='search_docs'").fetchone() is None:
        return 0
    states = article_states(db)
    if not states:
        return 0
    sql = ("SELECT d.rowid, r.id, d.state FROM search_docs d JOIN records r ON r.rowid = d.rowid "
           "JOIN capture_records c ON c.file = r.file AND c.position = r.position")
    wanted = {rowid: states[rid] for rowid, rid, current in db.execute(sql)
              if rid in states and states[rid] != current}
    return search.set_states(db, wanted) if wanted else 0
