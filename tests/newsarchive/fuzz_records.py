"""Fuzz the archive's record-file readers: generated record files, judged against an independent oracle.

The strategies build record files (``.jsonl`` segments and seed ``.json`` files) line by line from valid
records (every field drawn, text of any Unicode), records broken in one field (deleted, of another JSON
type, a huge or negative number, an unknown key, a lone surrogate, a stale text hash), and raw damage
(bytes cut, flipped or inserted, GBK bytes, NUL, NaN, deep nesting, torn last line). The oracle reads
the same bytes with the standard json module and *jsonschema* (not the reader's fastjsonschema).

Outcomes of one input (:func:`judge`):

- crash: :func:`newsarchive.records.iter_record_file` (or the index reading the file) raised;
- hang: it took longer than the time limit;
- silent loss: a non-blank line (or ``records`` item) was neither yielded as a record nor named in a
  problem, or a good record came back different, or a problem did not name the file;
- disagreement: the reader's verdict on a line differs from the oracle's (named either way, so no loss).

Run as a script for the counts (``python tests/newsarchive/fuzz_records.py --examples 3000``: that many
.jsonl and .json files read, and a fifth as many .jsonl segments indexed): a table, then one JSON
line. ``test_fuzz_records.py`` runs the same properties under hypothesis, bounded for CI.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(HERE)] if str(HERE) not in sys.path else []

from newsarchive.records import iter_record_file  # noqa: E402
from normalize.record import EncodingInfo, Record, Removed, Repair, ScriptInfo, sha256_text  # noqa: E402

SCHEMA = json.loads((REPO / "schema" / "record.schema.json").read_text(encoding="utf-8"))

# ------------------------------------------------------------------------------------ strategies

texts = st.text(max_size=40)
names = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(texts, inner, max_size=3), max_leaves=8)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record, every field drawn."""
    opt = st.none() | texts
    rec = Record(
        id=draw(st.from_regex(r"\A[A-Za-z0-9_.\-]{1,12}-[0-9]{1,3}\Z")),
        text=draw(st.text(max_size=200)),
        title=draw(opt), kicker=draw(opt), subtitle=draw(opt),
        published=draw(st.none() | st.sampled_from(["2020-02-12", "2020-02-12T08:28", "--02-20",
                                                     "2020-02-12T08:28:00+08:00"])),
        source=draw(opt), authors=draw(st.lists(names, max_size=2)),
        photographers=draw(st.lists(names, max_size=2)), editor=draw(opt),
        url=draw(st.none() | st.just("http://www.a.gov.cn/art/1.html")), site=draw(st.none() | names),
        capture=draw(st.fixed_dictionaries({}, optional={
            "file": st.just("captures/a/c-00000.warc.gz"), "offset": st.integers(0, 2**63 - 1),
            "length": st.integers(1, 10**9), "index": st.integers(0, 50)})),
        fetched_at=draw(st.none() | st.sampled_from(["2020-02-20T08:15:01Z", "2026-11-01T00:00:00",
                                                      "2026-11-20T16:00:00+08:00"])),
        encoding=EncodingInfo(declared=draw(st.none() | names), used=draw(names), why=draw(names)),
        script=ScriptInfo(original=draw(st.sampled_from(["simplified", "traditional", "mixed", "unknown"])),
                          converted=draw(st.booleans())),
        repairs=draw(st.lists(st.builds(Repair, st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z"),
                                        st.integers(1, 99)), max_size=2)),
        removed=draw(st.lists(st.builds(Removed, st.from_regex(r"\A[a-z][a-z0-9-]{0,10}\Z"), texts),
                              max_size=2)),
        flags=sorted(set(draw(st.lists(names, max_size=3)))),
        raw_sha256=draw(st.none() | st.just("a" * 64)),
    )  # fmt: skip
    return rec.to_dict()


FIELDS = list(SCHEMA["properties"])


@st.composite
def broken_records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record with one thing wrong (or, sometimes, a change that keeps it valid)."""
    rec = draw(records())
    how = draw(st.sampled_from(["delete", "retype", "unknown", "big", "negative", "nested", "surrogate",
                                "stale-hash"]))
    key = draw(st.sampled_from(FIELDS))
    if how == "delete":
        rec.pop(key)
    elif how == "retype":
        rec[key] = draw(json_values)
    elif how == "unknown":
        rec[draw(texts.filter(lambda k: k not in rec))] = draw(json_values)
    elif how == "big":
        rec["capture"]["offset"] = draw(st.integers(2**63, 10**40))
    elif how == "negative":
        rec["capture"]["index"] = draw(st.integers(max_value=-1))
    elif how == "nested":
        rec[key] = json.loads("[" * 50 + "]" * 50)
    elif how == "surrogate":
        rec["title"] = "标题\ud800"
    else:
        rec["text"] += "改"
    return rec


def encode_line(item: Any) -> bytes:
    """One JSONL line as the archive writes it (UTF-8, not escaped), or escaped when it must be."""
    try:
        return json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only a \\u escape can carry it
        return json.dumps(item).encode("ascii")


RAW_PIECES = [b"", b"\x00", b"\xff\xfe", "标题".encode("gbk"), b"NaN", b"Infinity", b"[" * 3000, b"{", b"}",
              b'"', b"\\", b"\\ud800", b"9" * 5000, b"\r", b" ", b"\x1b]0;x\x07"]


@st.composite
def damaged_lines(draw: st.DrawFn) -> bytes:
    """A record line damaged at the byte level."""
    line = encode_line(draw(records()))
    how = draw(st.sampled_from(["cut", "flip", "insert", "replace"]))
    at = draw(st.integers(0, len(line)))
    if how == "cut":
        return line[:at]
    if how == "flip" and line:
        at = min(at, len(line) - 1)
        return line[:at] + bytes([line[at] ^ draw(st.integers(1, 255))]) + line[at + 1:]
    piece = draw(st.sampled_from(RAW_PIECES) | st.binary(max_size=8))
    return line[:at] + piece + line[at + (1 if how == "replace" else 0):]


lines = st.one_of(
    records().map(encode_line),
    broken_records().map(encode_line),
    damaged_lines(),
    json_values.map(encode_line),
    st.sampled_from([b"", b"   ", b"[" * 200_000, b'{"records": 5}', b'{"id": 5, "text": ["a"]}']),
)


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    body = b"\n".join(draw(st.lists(lines, max_size=6)))
    return body + (b"\n" if body and draw(st.booleans()) else b"")


@st.composite
def json_files(draw: st.DrawFn) -> bytes:
    """A seed record file: ``{"capture", "records"}`` with valid and broken items, or damaged bytes."""
    items = draw(st.lists(records() | broken_records() | json_values, max_size=4))
    doc = encode_line({"capture": {"file": "seeds/x.txt"}, "records": items})
    if draw(st.booleans()):
        return doc
    return draw(st.sampled_from([doc[: len(doc) // 2], b"", b'{"records": 5}', b"[" * 200_000, doc + b"x",
                                 encode_line(draw(json_values))]))


# ---------------------------------------------------------------------------------------- oracle


def oracle_record(item: Any) -> Record | None:
    """The record an item is, by the standard library and jsonschema, or None."""
    import jsonschema

    if not isinstance(item, dict) or not jsonschema.Draft202012Validator(SCHEMA).is_valid(item):
        return None
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return None
    rec = Record.from_dict(item)
    return rec if rec.text_sha256 == sha256_text(rec.text) else None


def _oracle_load(data: bytes) -> Any:
    def no_constant(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(data.decode("utf-8"), parse_constant=no_constant)
    except (ValueError, RecursionError):
        return _INVALID


_INVALID = object()


def oracle(data: bytes, suffix: str) -> list[tuple[int, Record | None]]:
    """(position, record or None) for every record slot of a file: what a correct reader yields."""
    if suffix == ".jsonl":
        pieces = [p for p in data.split(b"\n") if p.strip()]
        return [(i, oracle_record(_oracle_load(p))) for i, p in enumerate(pieces)]
    doc = _oracle_load(data) if data.strip() else _INVALID
    if doc is _INVALID:
        return []
    items = doc["records"] if isinstance(doc, dict) and "records" in doc else [doc]
    if not isinstance(items, list):
        return []
    return [(i, oracle_record(item)) for i, item in enumerate(items)]


# ------------------------------------------------------------------------------------------ judge


@dataclass
class Outcome:
    crash: str | None = None
    seconds: float = 0.0
    losses: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    read: int = 0  # records yielded
    named: int = 0  # problems reported


def judge(path: Path, data: bytes) -> Outcome:
    """Write ``data`` to ``path``, read it with the archive's reader and compare with the oracle."""
    path.write_bytes(data)
    out = Outcome()
    problems: list[str] = []
    started = time.perf_counter()
    try:
        got = list(iter_record_file(path, problems))
    except Exception as exc:
        out.crash = f"{type(exc).__name__}: {exc}"[:300]
        return out
    finally:
        out.seconds = time.perf_counter() - started
    want = oracle(data, path.suffix)
    yielded = dict(got)
    out.read, out.named = len(got), len(problems)
    for position, rec in want:
        if rec is not None and position in yielded and yielded[position] != rec:
            out.losses.append(f"slot {position}: record changed on reading")
        if (rec is not None) != (position in yielded):
            out.disagreements.append(f"slot {position}: oracle {'accepts' if rec else 'rejects'}")
    named = len(problems)
    unaccounted = len(want) - len(yielded) - named
    if unaccounted > 0 and not (named and path.suffix == ".json"):  # a .json problem can cover the file
        out.losses.append(f"{unaccounted} slots neither read nor named")
    if not want and not got and not problems:
        out.losses.append("an unreadable or empty file passed in silence")
    if any(not p.startswith(str(path)) for p in problems):
        out.losses.append("a problem does not name the file")
    return out


def judge_index(archive: Path, data: bytes) -> Outcome:
    """Put ``data`` into an archive as a crawl segment and index it: the index must hold exactly the
    records the oracle accepts, every other slot named, and nothing may raise (SQLite included)."""
    from newsarchive.index import ArchiveIndex

    path = archive / "captures" / "a" / "c-00000.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    out = Outcome()
    started = time.perf_counter()
    try:
        index, stats = ArchiveIndex.updated(archive, rebuild=True)
        index.close()
    except Exception as exc:
        out.crash = f"{type(exc).__name__}: {exc}"[:300]
        return out
    finally:
        out.seconds = time.perf_counter() - started
    want = [rec for _, rec in oracle(data, ".jsonl") if rec is not None]
    record_problems = [p for p in stats.problems if p.startswith(str(path))]
    out.read, out.named = stats.records_total, len(record_problems)
    if stats.records_total != len(want):
        out.losses.append(f"index holds {stats.records_total} records, the oracle accepts {len(want)}")
    if stats.records_total + len(record_problems) < len(oracle(data, ".jsonl")):
        out.losses.append("a slot neither indexed nor named")
    return out


# ------------------------------------------------------------------------------------------ script


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    from hypothesis import HealthCheck, given, settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=3000, help="inputs per file kind")
    ap.add_argument("--hang-seconds", type=float, default=2.0)
    args = ap.parse_args(argv)
    counts = {"inputs": 0, "crashes": 0, "hangs": 0, "silent_losses": 0, "disagreements": 0,
              "records_read": 0, "problems_named": 0}
    examples: dict[str, str] = {}
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-records-"))

    def record(kind: str, data: bytes) -> None:
        outcome = judge_index(tmp / "archive", data) if kind == "index" else judge(tmp / f"x{kind}", data)
        counts["inputs"] += 1
        counts["records_read"] += outcome.read
        counts["problems_named"] += outcome.named
        for key, hit, note in (("crashes", outcome.crash, outcome.crash),
                               ("hangs", outcome.seconds > args.hang_seconds, f"{outcome.seconds:.1f}s"),
                               ("silent_losses", outcome.losses, outcome.losses),
                               ("disagreements", outcome.disagreements, outcome.disagreements)):
            if hit:
                counts[key] += 1
                examples.setdefault(key, f"{note!r} on {data[:200]!r}")

    budget = settings(max_examples=args.examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
    started = time.perf_counter()
    given(jsonl_files())(budget(lambda data: record(".jsonl", data)))()
    given(json_files())(budget(lambda data: record(".json", data)))()
    index_budget = settings(budget, max_examples=max(1, args.examples // 5))
    given(jsonl_files())(index_budget(lambda data: record("index", data)))()
    elapsed = time.perf_counter() - started
    print(f"{'outcome':<16}{'count':>8}")
    for key in ("inputs", "crashes", "hangs", "silent_losses", "disagreements", "records_read",
                "problems_named"):
        print(f"{key:<16}{counts[key]:>8}")
    for key, example in examples.items():
        print(f"first {key}: {example[:300]}")
    print(json.dumps({**counts, "seconds": round(elapsed, 1), "examples_per_kind": args.examples}))
    return 0 if not (counts["crashes"] or counts["hangs"] or counts["silent_losses"]) else 1


if __name__ == "__main__":
    sys.exit(main())
