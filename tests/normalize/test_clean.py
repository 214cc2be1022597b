"""clean() on the structure cases (tests/normalize/cases/structure/*.json): in-the-wild spans of the seeds,
synthetic one-rule cases, negative cases that must not change, and known failures (xfail strict)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from normalize import CleanError, Record, clean

CASES = Path(__file__).parent / "cases" / "structure"
GROUPS = ("in-the-wild", "synthetic", "negative", "known-failures")


def load(group: str) -> list[Any]:
    doc = json.loads((CASES / f"{group}.json").read_text(encoding="utf-8"))
    params = []
    for c in doc["cases"]:
        marks = pytest.mark.xfail(strict=True, reason=c["reason"]) if group == "known-failures" else ()
        params.append(pytest.param(c, id=f"{group}/{c['id']}", marks=marks))
    return params


def check(record: Record, expect: dict[str, Any]) -> None:
    got = record.to_dict()
    for key, want in expect.items():
        if key == "removed_kinds":
            assert [r["kind"] for r in got["removed"]] == want, got["removed"]
        elif key == "flags_include":
            assert set(want) <= set(got["flags"]), got["flags"]
        elif key == "idempotent":
            assert [r.text for r in clean(record.text, kind="text")] == [record.text]
        elif key == "flags_exclude":
            assert not set(want) & set(got["flags"]), got["flags"]
        elif key == "text_contains":
            for s in want:
                assert s in got["text"], got["text"]
        elif key == "title_contains":
            assert got["title"] and want in got["title"], got["title"]
        else:
            assert got[key] == want, f"{key}: {got[key]!r} != {want!r}"


@pytest.mark.parametrize("case", [p for g in GROUPS for p in load(g)])
def test_case(case: dict[str, Any]) -> None:
    records = clean(case["input"], name=case["id"], kind=case.get("kind", "auto"))
    wanted = case.get("expect_records") or [case["expect"]]
    assert len(records) == len(wanted), [r.title for r in records]
    for record, expect in zip(records, wanted, strict=True):
        check(record, expect)


def test_case_ids_are_unique_and_groups_not_empty() -> None:
    for group in GROUPS:
        ids = [c["id"] for c in json.loads((CASES / f"{group}.json").read_text(encoding="utf-8"))["cases"]]
        assert ids and len(ids) == len(set(ids)), group


@pytest.mark.parametrize("data", ["", "   \n\t\n", b"", b"\n\n"],
                         ids=["str", "blank-str", "bytes", "blank-bytes"])
def test_empty_input_is_a_clean_error(data: str | bytes) -> None:
    with pytest.raises(CleanError) as info:
        clean(data, name="empty.txt")
    assert info.value.reason == "empty"
    assert "empty.txt" in str(info.value)


def test_bad_kind_names_the_choices() -> None:
    with pytest.raises(CleanError, match="auto, html, text"):
        clean("正文。", kind="pdf")


def test_ids_are_stable_and_documented() -> None:
    a = clean("正文。", name="archive/seeds/x_1.txt")
    b = clean("正文。", name="archive/seeds/x_1.txt")
    assert a[0].id == b[0].id == "x_1-0"
    assert clean("正文。", url="http://a.gov.cn/1.html")[0].id.startswith("url-")
    assert clean("正文。")[0].id.startswith("sha256-")


def test_bytes_in_gb18030_give_the_same_record_as_text() -> None:
    text = "标题\n正文第一段，说明情况。"
    from_bytes = clean(text.encode("gb18030"), name="a.txt")[0]
    from_text = clean(text, name="a.txt")[0]
    assert (from_bytes.text, from_bytes.title) == (from_text.text, from_text.title)
    assert from_bytes.raw_sha256 != from_text.raw_sha256  # the raw bytes differ


def test_text_sha256_matches_text() -> None:
    from normalize.record import sha256_text

    r = clean("标题\n正文。")[0]
    assert r.text_sha256 == sha256_text(r.text)


def test_repairs_counts_are_merged_per_step() -> None:
    r = clean("區(qū)調(diào)研。\n區(qū)調(diào)研。")[0]
    steps = [x.step for x in r.repairs]
    assert len(steps) == len(set(steps))
    assert r.script.original == "traditional" and r.script.converted


SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "extraction"


def _real_pages() -> list[Path]:
    if not SHARED.is_dir():
        return []
    pages = sorted((SHARED / "news-unlabeled").rglob("*.htm*"))[:15]
    return pages + sorted((SHARED / "gbk-unlabeled" / "RawHtml").glob("*.html"))[:15]


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} absent: real-page check skipped")
@pytest.mark.parametrize("page", _real_pages(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_html_pages_clean_into_records(page: Path) -> None:
    """Saved portal pages (some raw GBK bytes): detected as HTML, one record with a title and text,
    no U+FFFD, no markup left."""
    [record] = clean(page.read_bytes(), name=page.name)
    assert record.title and len(record.text) > 50
    assert "\ufffd" not in record.text
    assert not re.search(r"</?[a-z]+[^<>]*>", record.text)


def test_html_metadata_gets_the_character_repairs() -> None:
    """A traditional page: the extractor's title is converted like the text, annotations stripped."""
    body = "市委書記到企業調(diào)研復工復產情況,強調統籌推進疫情防控和經濟社會發展。" * 3
    page = (f"<html><head><title>市委召開會議 - 宿遷網</title></head><body><h1>市委召開會議</h1>"
            f"<div class='content'><p>{body}</p><p>{body}</p></div></body></html>")
    [r] = clean(page.encode("utf-8"), http_charset="utf-8", url="http://www.example.gov.cn/1.html")
    assert r.title == "市委召开会议"
    assert "市委书记到企业调研复工复产情况，强调" in r.text
    assert r.script.original == "traditional" and r.script.converted
    assert r.url == "http://www.example.gov.cn/1.html" and r.id.startswith("url-")
    assert r.encoding.why == "http-header"


def test_html_date_line_beats_the_month_day_of_the_lead() -> None:
    """The page says 发布时间 2020-02-14; the lead's "2月13日" is when the event happened, not the date."""
    body = "2月13日，市委书记到卢氏县检查疫情防控和企业复工复产工作，强调统筹推进各项工作。" * 2
    page = ("<html><head><title>市委书记到卢氏县检查工作_示例网</title></head><body>"
            "<h1>市委书记到卢氏县检查工作</h1><div class='info'>发布时间：2020-02-14 来源：示例日报</div>"
            f"<div class='content'><p>{body}</p><p>{body}</p></div></body></html>")
    [r] = clean(page.encode("utf-8"), http_charset="utf-8", url="http://www.example.gov.cn/2.html")
    assert r.published == "2020-02-14"
    assert "published-from-lead" not in r.flags


@pytest.mark.parametrize("text", ["正文里提到 <p> 标签和 a<b 的比较。", "x <= y, 1 < 2 > 0"])
def test_text_mentioning_markup_is_not_html(text: str) -> None:
    [r] = clean(text)
    assert r.text == text.replace(",", "，") or r.text == text
