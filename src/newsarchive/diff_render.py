"""Render article diffs (:mod:`newsarchive.diff`) as text, a self-contained HTML report, or JSON.

JSON (``--format json``, :data:`DIFF_FORMAT_VERSION` = 1)::

    {"diff_format_version": 1, "min_similarity": 0.5,
     "summary": {"articles": 3, "identical": 1, "metadata-differs": 0, "edited": 1, "no-match": 1},
     "problems": ["path: what went wrong", ...],
     "articles": [{
        "status": "edited",                    # identical | metadata-differs | edited | no-match
        "new": {"id", "title", "url", "site", "capture"},
        "old": {...same keys...} | null,       # the matched earlier article
        "similarity": 0.93 | null,             # exact Jaccard of character shingles (best candidate)
        "containment": 0.98 | null,            # set when matched as an excerpt (share of the shorter text
                                               # found in the other; see newsarchive.diff.match_articles)
        "metadata": [{"field": "title", "old": ..., "new": ...}],
        "sentences": {"added": 0, "removed": 0, "changed": 1, "equal": 12},
        "changes": [{"kind": "changed" | "added" | "removed",
                     "old_index": 3 | null, "new_index": 3 | null,   # 0-based sentence numbers
                     "old": "...", "new": "...",
                     "ops": [{"op": "insert" | "delete" | "replace", "old": "", "new": "锚点",
                              "old_at": 5, "new_at": 5}]}],
        "insertions": ["锚点"], "deletions": []}]}

``"changes_only": true`` when identical articles were left out of ``articles`` (``--changes-only``;
the summary still counts them). Articles are in input order.

Text and HTML put the changes first (:func:`ordered`: edited, metadata differs, no earlier match, then
identical), in input order within each group. Text: one block per article, ``[-deleted-]`` and
``{+inserted+}`` marks, coloured (red / green) when ``color`` is on; colour is on for a terminal unless
``NO_COLOR`` is set (https://no-color.org); characters that act on a terminal are printed as escapes
(:func:`newsarchive.display.printable`). HTML: a summary table, then one section per article, identical
articles collapsed (``<details>``).
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from typing import Any, TextIO

from newsarchive.diff import STATUSES, ArticleDiff, Row, segments
from newsarchive.display import json_safe, printable
from normalize.record import Record

DIFF_FORMAT_VERSION = 1

_RED, _GREEN, _YELLOW, _BOLD, _DIM, _RESET = (
    "\x1b[31m",
    "\x1b[32m",
    "\x1b[33m",
    "\x1b[1m",
    "\x1b[2m",
    "\x1b[0m",
)
_LABEL = {
    "identical": "identical",
    "metadata-differs": "same text, metadata differs",
    "edited": "edited",
    "no-match": "no earlier match",
}


def use_color(stream: TextIO, choice: str = "auto") -> bool:
    """``always`` / ``never``, or ``auto``: a terminal and ``NO_COLOR`` unset or empty."""
    if choice != "auto":
        return choice == "always"
    return stream.isatty() and not os.environ.get("NO_COLOR")


REPORT_ORDER = ("edited", "metadata-differs", "no-match", "identical")  # what a reader looks for first


def ordered(diffs: Sequence[ArticleDiff], changes_only: bool = False) -> list[ArticleDiff]:
    """The articles in report order: changes first (:data:`REPORT_ORDER`), input order within a status;
    without the identical ones when ``changes_only``."""
    kept = [d for d in diffs if not (changes_only and d.status == "identical")]
    return sorted(kept, key=lambda d: REPORT_ORDER.index(d.status))


def summary(diffs: Sequence[ArticleDiff]) -> dict[str, int]:
    out = {"articles": len(diffs)}
    out.update({s: sum(d.status == s for d in diffs) for s in STATUSES})
    return out


def show_value(value: Any) -> str:
    """A metadata value for people: lists joined with 、, line breaks as " / ", nothing as "—".

    >>> show_value(["滑清泉", "谭啸"]), show_value(None), show_value("主动沟通\\n及时解决")
    ('滑清泉、谭啸', '—', '主动沟通 / 及时解决')
    """
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value).replace("\n", " / ")


def describe(rec: Record | None) -> dict[str, Any] | None:
    if rec is None:
        return None
    return {"id": rec.id, "title": rec.title, "url": rec.url, "site": rec.site, "capture": rec.capture}


# -------------------------------------------------------------------------------------------- JSON


def to_json(
    diffs: Sequence[ArticleDiff], problems: Sequence[str], min_similarity: float, changes_only: bool = False
) -> str:
    doc = {
        "diff_format_version": DIFF_FORMAT_VERSION,
        "min_similarity": min_similarity,
        "summary": summary(diffs),
        "problems": list(problems),
        "changes_only": changes_only,
        "articles": [article_json(d) for d in diffs if not (changes_only and d.status == "identical")],
    }
    return json_safe(json.dumps(doc, ensure_ascii=False, indent=1)) + "\n"


def article_json(d: ArticleDiff) -> dict[str, Any]:
    """One article of the JSON report (also what ``newsarchive history`` keeps of each edit)."""
    return {
        "status": d.status,
        "new": describe(d.new),
        "old": describe(d.old),
        "similarity": d.similarity,
        "containment": d.containment,
        "metadata": [{"field": c.field, "old": c.old, "new": c.new} for c in d.metadata],
        "sentences": d.counts(),
        "changes": [_row_json(r) for r in d.changes],
        "insertions": d.insertions(),
        "deletions": d.deletions(),
    }


def _row_json(r: Row) -> dict[str, Any]:
    ops = [{"op": o.op, "old": o.old, "new": o.new, "old_at": o.old_at, "new_at": o.new_at} for o in r.ops]
    return {
        "kind": r.kind,
        "old_index": r.old_index,
        "new_index": r.new_index,
        "old": r.old,
        "new": r.new,
        "ops": ops,
    }


# -------------------------------------------------------------------------------------------- text


def to_text(
    diffs: Sequence[ArticleDiff], problems: Sequence[str], color: bool = False, changes_only: bool = False
) -> str:
    paint = painter(color)
    blocks = [_article_text(d, paint) for d in ordered(diffs, changes_only)]
    counts = summary(diffs)
    parts = [f"{counts[s]} {_LABEL[s]}" for s in STATUSES if counts[s]]
    tail = f"{counts['articles']} articles" + (": " + ", ".join(parts) if parts else "")
    if changes_only and counts["identical"]:
        tail += f" ({counts['identical']} identical not shown)"
    problem_lines = "".join(f"\nproblem: {printable(p, newlines=False)}" for p in problems)
    blocks.append(paint(_BOLD, tail) + problem_lines)
    return "\n\n".join(blocks) + "\n"


def painter(color: bool) -> Any:
    def paint(code: str, text: str) -> str:
        text = printable(text)  # archive text never reaches the terminal raw; the colour codes are ours
        return f"{code}{text}{_RESET}" if color and text else text

    return paint


def _title(rec: Record) -> str:
    return rec.title or rec.text[:30].replace("\n", " ")


def _article_text(d: ArticleDiff, paint: Any) -> str:
    head = f"[{_LABEL[d.status]}] {d.new.id} {_title(d.new)}"
    lines = [paint(_BOLD, head)]
    if d.old is not None:
        lines.append(printable(f"  earlier: {d.old.id} {_title(d.old)} ({_how_similar(d)})"))
    elif d.similarity is not None:
        lines.append(f"  closest candidate only {d.similarity:.2f} similar")
    for change in d.metadata:
        old, new = show_value(change.old), show_value(change.new)
        lines.append(printable(f"  metadata {change.field}: {old} -> {new}"))
    if d.status == "edited":
        c = d.counts()
        lines.append(
            f"  sentences: {c['changed']} changed, {c['added']} added, {c['removed']} removed, "
            f"{c['equal']} unchanged"
        )
    for r in d.changes:
        lines.append("  " + row_text(r, paint))
    return "\n".join(lines)


def _how_similar(d: ArticleDiff) -> str:
    text = f"similarity {d.similarity:.2f}"
    if d.containment is not None:
        text += f"; an excerpt: {d.containment:.0%} of the shorter text is in the other"
    return text


def row_text(r: Row, paint: Any) -> str:
    if r.kind == "added":
        return paint(_GREEN, f"+ [{_num(r.new_index)}] {{+{r.new}+}}")
    if r.kind == "removed":
        return paint(_RED, f"- [{_num(r.old_index)}] [-{r.old}-]")
    body = "".join(
        printable(text)
        if kind == "equal"
        else paint(_RED, f"[-{text}-]")
        if kind == "delete"
        else paint(_GREEN, f"{{+{text}+}}")
        for kind, text in segments(r)
    )
    return paint(_YELLOW, f"~ [{_num(r.old_index)}->{_num(r.new_index)}] ") + body


def _num(i: int | None) -> str:
    return "" if i is None else str(i + 1)


# -------------------------------------------------------------------------------------------- HTML

CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3} td.n{color:#888;width:3em;text-align:right}
tr.equal td{color:#777} tr.added td.new,ins{background:#d7f5d7} tr.removed td.old,del{background:#f8d3d3}
ins{text-decoration:none} del{text-decoration:line-through}
.status-edited{color:#a60} .status-no-match{color:#a00} .status-identical{color:#060}
.status-metadata-differs{color:#06a} section{margin-top:2.5em;border-top:2px solid #999}
"""


def to_html(
    diffs: Sequence[ArticleDiff], problems: Sequence[str], min_similarity: float, changes_only: bool = False
) -> str:
    """A self-contained report: summary, then one side-by-side section per article, changes first;
    identical articles collapsed at the end (left out with ``changes_only``)."""
    e = html.escape
    counts = summary(diffs)
    shown_diffs = ordered(diffs, changes_only)
    changed = [d for d in shown_diffs if d.status != "identical"]
    same = [d for d in shown_diffs if d.status == "identical"]
    parts = [
        "<!DOCTYPE html>\n<html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>newsarchive diff: {counts['articles']} articles</title><style>{CSS}</style></head><body>",
        f"<h1>Diff of {counts['articles']} articles</h1>",
        "<p>"
        + e(", ".join(f"{counts[s]} {_LABEL[s]}" for s in STATUSES))
        + f" (matched by content, minimum similarity {min_similarity})"
        + (f"; {counts['identical']} identical not shown" if changes_only and counts["identical"] else "")
        + "</p>",
    ]
    if problems:
        parts.append("<h2>Problems</h2><ul>" + "".join(f"<li>{e(p)}</li>" for p in problems) + "</ul>")
    if changed:
        parts.append(_summary_table(changed, 0))
    if same:
        parts.append(f"<details><summary>{len(same)} identical articles</summary>"
                     f"{_summary_table(same, len(changed))}</details>")
    parts.extend(_section(i, d) for i, d in enumerate(changed))
    if same:
        parts.append(f"<details class='identical'><summary>{len(same)} identical articles, in full</summary>")
        parts.extend(_section(len(changed) + i, d) for i, d in enumerate(same))
        parts.append("</details>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _summary_table(diffs: Sequence[ArticleDiff], first: int) -> str:
    e = html.escape
    rows = [
        "<table><tr><th>#</th><th>new article</th><th>status</th><th>earlier article</th>"
        "<th>similarity</th><th>changes</th></tr>"
    ]
    for i, d in enumerate(diffs, first):
        c = d.counts()
        changes = f"~{c['changed']} +{c['added']} -{c['removed']}" if d.status == "edited" else ""
        sim = "" if d.similarity is None else f"{d.similarity:.2f}"
        old = "" if d.old is None else f"{d.old.id} {_title(d.old)}"
        rows.append(
            f"<tr><td>{i + 1}</td><td><a href='#a{i}'>{e(d.new.id)} {e(_title(d.new))}</a></td>"
            f"<td class='status-{d.status}'>{e(_LABEL[d.status])}</td><td>{e(old)}</td>"
            f"<td>{sim}</td><td>{changes}</td></tr>"
        )
    return "\n".join([*rows, "</table>"])


def _section(i: int, d: ArticleDiff) -> str:
    e = html.escape
    out = [
        f"<section id='a{i}'><h2>{i + 1}. <span class='status-{d.status}'>{e(_LABEL[d.status])}</span>: "
        f"{e(_title(d.new))}</h2>"
    ]
    out.append(
        f"<p>new: {e(d.new.id)} {e(d.new.url or '')}"
        + (f"<br>earlier: {e(d.old.id)} {e(d.old.url or '')} ({e(_how_similar(d))})</p>" if d.old else "</p>")
    )
    if d.metadata:
        out.append(
            "<table><tr><th>field</th><th>earlier</th><th>new</th></tr>"
            + "".join(
                f"<tr><td>{e(c.field)}</td><td>{e(show_value(c.old))}</td><td>{e(show_value(c.new))}</td></tr>"
                for c in d.metadata
            )
            + "</table>"
        )
    if d.old is not None and d.rows:
        out.append("<table><tr><th></th><th>earlier</th><th></th><th>new</th></tr>")
        out.extend(html_row(r) for r in d.rows)
        out.append("</table>")
    elif d.old is None:
        out.append("<p>" + "<br>".join(e(line) for line in d.new.text.splitlines()) + "</p>")
    out.append("</section>")
    return "\n".join(out)


def html_row(r: Row) -> str:
    e = html.escape
    old, new = e(r.old or ""), e(r.new or "")
    if r.kind == "changed":
        segs = segments(r)
        old = "".join(e(t) if k == "equal" else f"<del>{e(t)}</del>" for k, t in segs if k != "insert")
        new = "".join(e(t) if k == "equal" else f"<ins>{e(t)}</ins>" for k, t in segs if k != "delete")
    return (
        f"<tr class='{r.kind}'><td class='n'>{_num(r.old_index)}</td><td class='old'>{old}</td>"
        f"<td class='n'>{_num(r.new_index)}</td><td class='new'>{new}</td></tr>"
    )
