"""Render article histories and change lists (:mod:`newsarchive.history`): text, JSON lines, Atom, HTML.

- :func:`history_text` / :func:`history_json`: ``newsarchive history URL|ID`` — every capture of the
  article(s), their states, and the diff between consecutive versions (the one ``newsarchive diff``
  computes, kept in the index); a deleted article shows its last text (its tombstone).
- :func:`changes_text`, :func:`changes_jsonl`, :func:`changes_atom`, :func:`changes_html`:
  ``newsarchive changes`` — the changes, newest first. JSON lines: one object per change (the history
  row, plus ``diff`` in the form of ``newsarchive diff --format json``). Atom (RFC 4287): one entry per
  change, what feed readers and changedetection.io-style watchers subscribe to. HTML: a self-contained
  report, changes first with their sentence diffs (:mod:`newsarchive.diff_render`'s rows and styles),
  the unchanged articles collapsed at the end.

Text never carries control characters to a terminal (:func:`newsarchive.display.printable`); XML gets
none of the characters XML 1.0 forbids.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from newsarchive.diff import CharOp, Row
from newsarchive.diff_render import CSS, html_row, painter, row_text, show_value
from newsarchive.display import json_safe, printable
from newsarchive.history import HistoryRow

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LABELS = {"new": "new", "unchanged": "unchanged", "edited": "edited", "metadata-changed": "metadata changed",
           "deleted": "deleted", "restored": "restored", "moved": "moved", "unavailable": "unavailable"}
_RANK = {s: i for i, s in enumerate(("deleted", "moved", "edited", "metadata-changed", "restored", "new",
                                     "unchanged", "unavailable"))}  # the order of equal counts
DiffOf = Callable[[str | None], dict[str, Any] | None]


def label(row: HistoryRow, related: bool = True) -> str:
    """The state, how, and (``related``) where a moved article went or came from.

    >>> label(HistoryRow("a", "s", "u", 1, "d", 404, None, None, None, None, "r", None, None, None, "deleted",
    ...                  how="http-404"))
    'deleted (http-404)'
    """
    text = _LABELS.get(row.state, row.state)
    if row.how:
        text += f" ({row.how})"
    if related and row.related:
        text += " " + _moved(row)
    return text


def _moved(row: HistoryRow) -> str:
    return f"{'from' if row.record_file else 'to'} {row.related}"


def rows_of_diff(diff: dict[str, Any]) -> list[Row]:
    """The changed sentences of a stored diff as :class:`newsarchive.diff.Row` (for the renderers)."""
    out = []
    for c in diff.get("changes", []):
        ops = [CharOp(o["op"], o["old"], o["new"], o["old_at"], o["new_at"]) for o in c.get("ops", [])]
        out.append(Row(c["kind"], c.get("old"), c.get("new"), c.get("old_index"), c.get("new_index"), ops))
    return out


def _summary_of_diff(diff: dict[str, Any] | None) -> str:
    if not diff:
        return ""
    c = diff.get("sentences", {})
    parts = [f"{c.get(k)} {k}" for k in ("changed", "added", "removed") if c.get(k)]
    fields = [m["field"] for m in diff.get("metadata", [])]
    if fields:
        parts.append("metadata: " + ", ".join(fields))
    return "; ".join(parts)


# ------------------------------------------------------------------------------------------ history


def history_text(rows: Sequence[HistoryRow], diff_of: DiffOf, last_text: Callable[[HistoryRow], str | None],
                 color: bool = False) -> str:
    paint = painter(color)
    blocks = []
    for article, captures in _by_article(rows):
        head = captures[-1]
        lines = [paint("\x1b[1m", f"{article} {head.title or ''}".rstrip()), f"  {head.url}"]
        for r in captures:
            version = f"v{r.version}" if r.version else "  "
            sha = (r.text_sha256 or "")[:12] or "-"
            lines.append(printable(f"  {r.date}  {r.status or '-':>3}  {version:<4} {label(r):<34} "
                                   f"text {sha}  {r.warc_record_id}"))
            if r.final_url and r.final_url != r.url:
                lines.append(printable(f"      final URL {r.final_url}"))
            diff = diff_of(r.diff_key)
            for change in (diff or {}).get("metadata", []):
                lines.append(printable(f"      metadata {change['field']}: {show_value(change['old'])} -> "
                                       f"{show_value(change['new'])}"))
            lines += ["      " + row_text(row, paint) for row in rows_of_diff(diff or {})]
        if head.state in ("deleted", "moved") and not head.record_file:
            text = last_text(head)
            if text:
                short = text if len(text) <= 300 else text[:300] + "…"
                lines.append(printable(f"  last text (tombstone): {short}", newlines=False))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def history_json(target: str, rows: Sequence[HistoryRow], diff_of: DiffOf) -> str:
    articles = []
    for article, captures in _by_article(rows):
        articles.append({"article": article, "url": captures[0].url, "title": captures[-1].title,
                         "captures": [{**r.to_json(), "diff": diff_of(r.diff_key)} for r in captures]})
    doc = {"target": target, "articles": articles}
    return json_safe(json.dumps(doc, ensure_ascii=False, indent=1)) + "\n"


def _by_article(rows: Sequence[HistoryRow]) -> list[tuple[str, list[HistoryRow]]]:
    grouped: dict[str, list[HistoryRow]] = {}
    for r in rows:
        grouped.setdefault(r.article, []).append(r)
    return [(a, sorted(rs, key=lambda r: (r.date, r.capture))) for a, rs in grouped.items()]


# ------------------------------------------------------------------------------------------ changes


def counts(rows: Sequence[HistoryRow]) -> str:
    """One line: how many changes of each state (deletions by how).

    >>> r = HistoryRow("a", "s", "u", 1, "d", 404, None, None, None, None, "r", None, None, None, "deleted",
    ...                how="http-404", change=True)
    >>> counts([r, HistoryRow(**{**vars(r), "article": "b"})])
    '2 changes: 2 deleted (http-404 2)'
    """
    events = list({_event(r): r for r in rows}.values())  # a move is one change, listed at both URLs
    states = Counter(r.state for r in events)
    hows = Counter(r.how for r in events if r.state == "deleted" and r.how)
    parts = []
    for state, n in sorted(states.items(), key=lambda kv: (-kv[1], _RANK.get(kv[0], len(_RANK)), kv[0])):
        extra = f" ({', '.join(f'{h} {k}' for h, k in sorted(hows.items()))})" if state == "deleted" else ""
        parts.append(f"{n} {_LABELS.get(state, state)}{extra}")
    n = len(events)
    return f"{n} change{'s' if n != 1 else ''}" + (": " + ", ".join(parts) if parts else "")


def _event(r: HistoryRow) -> tuple[str, ...]:
    """One key per change: a moved article's departure and arrival rows share theirs.

    >>> gone = HistoryRow("a", "s", "old", 1, "d", 404, None, None, None, None, "r", None, None, None,
    ...                   "moved", related="new")
    >>> came = HistoryRow("b", "s", "new", 2, "d", 200, None, None, None, None, "r", "f", None, None,
    ...                   "moved", related="old")
    >>> _event(gone) == _event(came), counts([gone, came])
    (True, '1 change: 1 moved')
    """
    if r.state == "moved" and r.related:
        return ("moved", *sorted((r.url, r.related)))
    return (r.article, str(r.capture))


def changes_text(rows: Sequence[HistoryRow], diff_of: DiffOf, unchanged: int, color: bool = False) -> str:
    paint = painter(color)
    lines = []
    for r in rows:
        moved = _moved(r) if r.related else ""
        detail = "; ".join(filter(None, [moved, _summary_of_diff(diff_of(r.diff_key))]))
        lines.append(printable(f"{r.date}  {label(r, related=False):<26} {r.site}  {r.title or r.article}  "
                               f"{r.url}" + (f"  ({detail})" if detail else ""), newlines=False))
    tail = counts(rows) + (f"; {unchanged} article(s) unchanged" if unchanged else "")
    lines.append(paint("\x1b[1m", tail))
    return "\n".join(lines) + "\n"


def changes_jsonl(rows: Sequence[HistoryRow], diff_of: DiffOf) -> str:
    return "".join(json_safe(json.dumps({**r.to_json(), "diff": diff_of(r.diff_key)}, ensure_ascii=False))
                   + "\n" for r in rows)


def _xml(text: str | None) -> str:
    return _XML_BAD.sub("", text or "")


def changes_atom(rows: Sequence[HistoryRow], diff_of: DiffOf, feed_id: str, title: str) -> str:
    """An Atom 1.0 feed (RFC 4287) of the changes, newest first."""
    ns = "http://www.w3.org/2005/Atom"
    feed = ET.Element("feed", xmlns=ns)
    ET.SubElement(feed, "title").text = _xml(title)
    ET.SubElement(feed, "id").text = feed_id
    ET.SubElement(feed, "updated").text = rows[0].date if rows else "1970-01-01T00:00:00Z"
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = "newsarchive"
    ET.SubElement(feed, "generator").text = "cn-gov-news-archive newsarchive changes"
    for r in rows:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "title").text = _xml(f"[{label(r)}] {r.title or r.article}")
        key = hashlib.sha256(f"{r.article}\n{r.warc_record_id}".encode()).hexdigest()[:32]
        ET.SubElement(entry, "id").text = f"urn:newsarchive:change:{key}"
        ET.SubElement(entry, "updated").text = r.date
        ET.SubElement(entry, "link", href=_xml(r.url), rel="alternate")
        ET.SubElement(entry, "category", term=r.state)
        summary = ET.SubElement(entry, "content", type="html")
        summary.text = _xml(_entry_html(r, diff_of(r.diff_key)))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _entry_html(r: HistoryRow, diff: dict[str, Any] | None) -> str:
    e = html.escape
    parts = [f"<p>{e(label(r))}: <a href='{e(r.url)}'>{e(r.url)}</a> "
             f"({e(r.date)}, HTTP {r.status or '-'})</p>"]
    for change in (diff or {}).get("metadata", []):
        parts.append(f"<p>{e(change['field'])}: {e(show_value(change['old']))} → "
                     f"{e(show_value(change['new']))}</p>")
    rows = rows_of_diff(diff or {})
    if rows:
        parts.append("<table>" + "".join(html_row(row) for row in rows) + "</table>")
    return "".join(parts)


def changes_html(rows: Sequence[HistoryRow], diff_of: DiffOf, unchanged: Sequence[HistoryRow],
                 title: str) -> str:
    """A self-contained report: the counts, one section per change (sentence diffs side by side), then
    the unchanged articles collapsed."""
    e = html.escape
    parts = ["<!DOCTYPE html>\n<html lang='zh-CN'><head><meta charset='utf-8'>",
             f"<title>{e(title)}</title><style>{CSS}</style></head><body>", f"<h1>{e(title)}</h1>",
             f"<p>{e(counts(rows))}; {len(unchanged)} article(s) unchanged</p>"]
    if rows:
        parts.append("<table><tr><th>#</th><th>when</th><th>state</th><th>article</th><th>changes</th></tr>")
        for i, r in enumerate(rows):
            parts.append(f"<tr><td>{i + 1}</td><td>{e(r.date)}</td><td class='status-{e(r.state)}'>"
                         f"{e(label(r))}</td><td><a href='#c{i}'>{e(r.title or r.article)}</a></td>"
                         f"<td>{e(_summary_of_diff(diff_of(r.diff_key)))}</td></tr>")
        parts.append("</table>")
    for i, r in enumerate(rows):
        diff = diff_of(r.diff_key)
        parts.append(f"<section id='c{i}'><h2>{i + 1}. {e(label(r))}: {e(r.title or r.article)}</h2>"
                     + _entry_html(r, diff).replace("<table>", "<table><tr><th></th><th>earlier</th><th></th>"
                                                               "<th>now</th></tr>", 1) + "</section>")
    if unchanged:
        parts.append(f"<details><summary>{len(unchanged)} unchanged articles</summary><ul>")
        parts += [f"<li>{e(r.title or r.article)} — <a href='{e(r.url)}'>{e(r.url)}</a> ({e(r.date)}, "
                  f"{e(r.revisit or 'same text')})</li>" for r in unchanged]
        parts.append("</ul></details>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
