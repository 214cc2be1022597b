"""The diff cases of diff_cases.toml: variants of seed-like articles diffed against the originals."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from archive_helpers import HERE, article, record_id

from newsarchive.diff import ArticleDiff, diff_articles
from normalize.record import Record

with (HERE / "diff_cases.toml").open("rb") as _fh:
    CASES = tomllib.load(_fh)

OLD_NAMES = ("suqian", "gangzha", "zhumadian")


def _params() -> list[Any]:
    out = []
    for group in ("synthetic", "negative", "known_failure"):
        for case in CASES.get(group, []):
            marks = (
                [pytest.mark.xfail(strict=True, reason=case["reason"])] if group == "known_failure" else []
            )
            out.append(pytest.param(case, id=f"{group}:{case['id']}", marks=marks))
    return out


def transform(rec: Record, spec: dict[str, Any]) -> Record:
    text = rec.text
    if "keep_paragraphs" in spec:
        text = "\n".join(text.split("\n")[: spec["keep_paragraphs"]])
    for old, new in spec.get("replace", []):
        assert old in text, f"case replaces {old!r}, which is not in the base article"
        text = text.replace(old, new)
    if spec.get("append"):
        text += "\n" + spec["append"]
    if spec.get("rebreak"):
        text = "\u3000\u3000" + text.replace("\n", "\n\n\u3000\u3000")
    fields = {k: v for k, v in spec.items() if k in ("title", "url", "site", "fetched_at")}
    return Record(
        **{
            **rec.to_dict(),
            "text": text,
            "text_sha256": "",
            **fields,
            "encoding": rec.encoding,
            "script": rec.script,
        }
    )


def _filler(i: int) -> str:
    """An unrelated article: characters picked by a fixed pseudo-random walk over a CJK block."""
    return "".join(chr(0x4E00 + (i * 7919 + k * k * 104729) % 20000) for k in range(300))


def run_case(case: dict[str, Any]) -> ArticleDiff:
    base = case["base"]
    old = [
        transform(
            article(n, url=f"http://www.{article(n).site}/art/{n}.html"),
            case.get("old", {}) if n == base else {},
        )
        for n in OLD_NAMES
    ]
    if case.get("large_archive"):
        old += [Record(id=f"filler-{i}", text=_filler(i)) for i in range(5000)]
    new = transform(article(base, id=f"new-{base}"), case.get("new", {}))
    [result] = diff_articles([new], old)
    return result


@pytest.mark.parametrize("case", _params())
def test_diff_case(case: dict[str, Any]) -> None:
    d = run_case(case)
    want = case["expect"]
    expected = record_id(want["match"]) if want["match"] != "none" else "none"
    assert (d.old.id if d.old else "none") == expected, f"matched {d.old.id if d.old else None}"
    assert d.status == want["status"]
    counts = d.counts()
    for key in ("changed", "added", "removed"):
        if key in want:
            assert counts[key] == want[key], f"{key}: {counts}"
    if "insertions" in want:
        assert d.insertions() == want["insertions"]
    if "deletions" in want:
        assert d.deletions() == want["deletions"]
    if "excerpt" in want:
        assert (d.containment is not None) == want["excerpt"], f"containment {d.containment}"
    if "fields" in want:
        assert [c.field for c in d.metadata] == want["fields"]


def test_each_new_article_is_matched_to_its_own_original_among_several() -> None:
    old = [article(n) for n in OLD_NAMES]
    new = [article(n, id=f"new-{n}") for n in reversed(OLD_NAMES)] + [article("unrelated")]
    results = diff_articles(new, old)
    assert [r.old.id if r.old else None for r in results] == [*map(record_id, reversed(OLD_NAMES)), None]


def test_edited_sentence_carries_character_level_operations() -> None:
    case = next(c for c in CASES["synthetic"] if c["id"] == "injected-token-shows-as-insertion")
    [row] = run_case(case).changes
    assert row.kind == "changed"
    assert "管锚点用" in (row.new or "") and "管用" in (row.old or "")
    assert [(op.op, op.old, op.new) for op in row.ops] == [("insert", "", "锚点")]
    assert (row.new or "")[row.ops[0].new_at : row.ops[0].new_at + 2] == "锚点"
