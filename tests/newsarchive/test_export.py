"""Export: JSONL / Parquet / .txt folder, every field round-trips, filters, atomic writes, clear errors."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import REPO, article, write_archive

from newsarchive import export
from newsarchive.export import ExportError, ExportItem, ExportStats, iter_export, read_export, write_export
from normalize.record import EncodingInfo, Record, Removed, Repair, ScriptInfo

SCHEMA = json.loads((REPO / "schema" / "export.schema.json").read_text(encoding="utf-8"))


def full_record() -> Record:
    """A record with every field set to a non-default value."""
    return Record(
        id="url-0123456789abcdef-1", text="第一段，全角标点：保留！\n第二段（括号）。", title="标题",
        kicker="引题",
        subtitle="副题一\n副题二", published="2020-02-12T08:28", source="宿迁市广播电视总台",
        authors=["滑清泉"], photographers=["谭啸"], editor="李建新", url="http://www.suqian.gov.cn/a.html",
        site="suqian", capture={"file": "captures/suqian/c-00000.warc.gz", "offset": 42, "index": 1},
        fetched_at="2026-11-20T08:00:00Z",
        encoding=EncodingInfo(declared="gb2312", detected="gb18030", used="gb18030", why="meta"),
        script=ScriptInfo(original="traditional", converted=True),
        repairs=[Repair("convert_to_simplified", 12)], removed=[Removed("copyright", "版权所有")],
        flags=["injected-token:锚点"], raw_sha256="a" * 64,
    )  # fmt: skip


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "archive", {
        "seeds/000_a.json": [article("suqian", id="seed-suqian-0", site=None)],
        "seeds/001_b.json": [article("unrelated", id="seed-unrelated-0", site=None, published="--04-23")],
        "captures/suqian/c-00000.jsonl": [
            full_record(),
            article("suqian", id="gov-suqian-0", url="http://www.suqian.gov.cn/b.html", site="suqian",
                    fetched_at="2026-11-01T00:00:00"),
            article("gangzha", id="gov-gangzha-0", url="http://www.gangzha.gov.cn/c.html", site="gangzha"),
        ],
    })  # fmt: skip


def test_jsonl_round_trips_every_field_and_is_not_escaped(tmp_path: Path) -> None:
    item = ExportItem(full_record(), "captures/suqian/c-00000.jsonl", 3, cluster_id=2, cluster_size=4)
    out = tmp_path / "out.jsonl"
    assert write_export([item], out) == 1
    raw = out.read_text(encoding="utf-8")
    assert "全角标点：保留！" in raw and "\\u" not in raw
    [back] = read_export(out)
    assert back == item
    assert json.loads(raw)["schema_version"] == export.EXPORT_SCHEMA_VERSION


def test_parquet_round_trips_every_field(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    items = [
        ExportItem(full_record(), "captures/x.jsonl", 0, 1, 2),
        ExportItem(article("suqian"), "seeds/a.json", 0),
    ]
    out = tmp_path / "out.parquet"
    assert write_export(items, out) == 2
    assert list(read_export(out)) == items


def test_rows_follow_the_documented_schema(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    row = ExportItem(full_record(), "captures/x.jsonl", 0, 1, 2).to_row()
    assert set(row) == set(SCHEMA["properties"]) == set(SCHEMA["required"])
    jsonschema.validate(row, SCHEMA)
    jsonschema.validate(ExportItem(article("suqian"), "seeds/a.json", 0).to_row(), SCHEMA)
    pytest.importorskip("pyarrow")
    assert export.arrow_schema().names == list(SCHEMA["properties"])


def test_export_from_archive_with_filters(archive: Path, tmp_path: Path) -> None:
    def ids(**filters: Any) -> list[str]:
        return [i.record.id for i in iter_export(archive, **filters)]

    assert ids() == [
        "url-0123456789abcdef-1", "gov-suqian-0", "gov-gangzha-0", "seed-suqian-0", "seed-unrelated-0"
    ]
    assert ids(sites=["suqian.gov.cn"]) == ["url-0123456789abcdef-1", "gov-suqian-0"]
    assert ids(sites=["gangzha"]) == ["gov-gangzha-0"]
    from datetime import date

    stats = ExportStats()
    got = [
        i.record.id
        for i in iter_export(archive, since=date(2020, 2, 13), until=date(2020, 2, 28), stats=stats)
    ]
    assert got == ["gov-gangzha-0"]
    assert (stats.no_date, stats.filtered_out) == (1, 3)  # "--04-23" has no year


def test_one_per_cluster_keeps_the_representative(archive: Path) -> None:
    stats = ExportStats()
    items = list(iter_export(archive, one_per_cluster=True, stats=stats))
    suqian = [i for i in items if i.record.title == article("suqian").title]
    assert [(i.record.id, i.cluster_id, i.cluster_size) for i in suqian] == [("gov-suqian-0", 1, 2)]
    assert stats.duplicates_skipped == 1
    assert {i.record.id for i in items if i.cluster_id is None} == {
        "url-0123456789abcdef-1", "gov-gangzha-0", "seed-unrelated-0"
    }  # fmt: skip


def test_txt_folder_export_and_replacement(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "texts"
    write_export(iter_export(archive), f"{out}/")
    names = sorted(p.name for p in out.iterdir())
    suqian = next(n for n in names if n.startswith("gov-suqian-0@"))
    assert "manifest.jsonl" in names and len(names) == 6
    assert (out / suqian).read_text(encoding="utf-8").startswith(article("suqian").title + "\n\n")
    manifest = [
        json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {m["file"] for m in manifest} == set(names) - {"manifest.jsonl"}
    write_export(iter_export(archive, sites=["gangzha"]), out)  # an existing export folder is replaced
    assert [p.name[:14] for p in sorted(out.iterdir())] == ["gov-gangzha-0@", "manifest.jsonl"]


def test_txt_export_refuses_a_folder_that_is_not_an_export(archive: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportError, match="not an earlier export folder"):
        write_export(iter_export(archive), mine)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_failed_export_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n", encoding="utf-8")

    def broken() -> Any:
        yield ExportItem(article("suqian"), "seeds/a.json", 0)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_export(broken(), out)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temp file left behind


def test_export_streams_one_record_file_at_a_time(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real = export.iter_record_file

    def spy(path: Path, problems: list[str]) -> Any:
        opened.append(Path(path).name)
        return real(path, problems)

    monkeypatch.setattr(export, "iter_record_file", spy)
    items = iter_export(archive)
    next(items)
    assert opened == ["c-00000.jsonl"]


def test_unknown_extension_and_missing_pyarrow_say_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ExportError, match=r"use FILE\.jsonl, FILE\.parquet"):
        write_export([], tmp_path / "out.csv")
    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(ExportError, match=r"pip install 'cn-gov-news-archive\[parquet\]'"):
        write_export([], tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()


@pytest.fixture
def recrawled(tmp_path: Path) -> Path:
    """One URL crawled twice (the same article id), a seed with a month-day date, mixed date forms."""
    url = "http://www.suqian.gov.cn/art/1.html"
    same = {"id": "url-0123456789abcdef-0", "url": url, "site": "suqian"}
    first = article("suqian", **same, published="2020-02-12T08:28", fetched_at="2026-11-01T00:00:00Z")
    again = article("suqian", **same, published="2020-02-14", fetched_at="2026-11-20T16:00:00+08:00")
    return write_archive(tmp_path / "archive", {
        "captures/suqian/c1-00000.jsonl": [first],
        "captures/suqian/c2-00000.jsonl": [again],
        "seeds/000_a.json": [article("unrelated", id="000_a-0", published="--02-20")],
    })  # fmt: skip


def test_ids_are_unique_per_capture_with_a_stable_article_id(recrawled: Path, tmp_path: Path) -> None:
    rows = [i.to_row() for i in iter_export(recrawled)]
    assert len({r["id"] for r in rows}) == 3
    assert [r["article_id"] for r in rows[:2]] == ["url-0123456789abcdef-0"] * 2
    assert [r["id"] for r in rows] == [i.id for i in iter_export(recrawled)]  # stable across exports
    out = tmp_path / "texts"
    write_export(iter_export(recrawled), f"{out}/")
    names = sorted(p.name for p in out.iterdir() if p.name != "manifest.jsonl")
    assert [n.rsplit("@", 1)[0] for n in names] == ["000_a-0"] + ["url-0123456789abcdef-0"] * 2
    assert not any(n.endswith("-2.txt") for n in names)  # no invented suffixes


def test_jsonl_export_loads_into_pandas_with_typed_dates(recrawled: Path, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    out = tmp_path / "all.jsonl"
    write_export(iter_export(recrawled), out)
    df = pd.read_json(out, lines=True, dtype={"published": str, "published_date": str, "fetched_at": str})
    assert list(df["published"]) == ["2020-02-12T08:28", "2020-02-14", "--02-20"]  # the partial form kept
    days = pd.to_datetime(df["published_date"], format="ISO8601")
    assert [None if pd.isna(d) else d.date().isoformat() for d in days] == ["2020-02-12", "2020-02-14", None]
    fetched = pd.to_datetime(df["fetched_at"], format="ISO8601", utc=True)
    assert str(fetched.iloc[1]) == "2026-11-20 08:00:00+00:00" and pd.isna(fetched.iloc[2])
    assert df["id"].is_unique and df["article_id"].nunique() == 2


def test_parquet_export_has_date_and_timestamp_columns(recrawled: Path, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "all.parquet"
    write_export(iter_export(recrawled), out)
    schema = pq.read_schema(out)
    assert str(schema.field("published_date").type) == "date32[day]"
    assert str(schema.field("fetched_at").type) == "timestamp[us, tz=UTC]"
    df = pd.read_parquet(out)
    assert str(df["fetched_at"].dtype).startswith("datetime64") and str(df["fetched_at"].dt.tz) == "UTC"
    assert str(df["fetched_at"].iloc[1]) == "2026-11-20 08:00:00+00:00"
    assert pd.to_datetime(df["published_date"]).notna().tolist() == [True, True, False]
    fetched = [i.record.fetched_at for i in read_export(out)]
    assert fetched == ["2026-11-01T00:00:00Z", "2026-11-20T08:00:00Z", None]


def test_txt_export_of_an_id_longer_than_a_file_name(tmp_path: Path) -> None:
    long_id = "报道" * 100 + "-0"  # 602 bytes of UTF-8
    items = [ExportItem(article("suqian", id=long_id), "seeds/a.json", 0),
             ExportItem(article("gangzha", id=long_id), "seeds/a.json", 1)]
    out = tmp_path / "texts"
    assert write_export(items, f"{out}/") == 2
    names = sorted(p.name for p in out.iterdir() if p.name != "manifest.jsonl")
    assert len(names) == 2 and all(len(n.encode()) <= 255 for n in names)
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    manifest = [json.loads(line) for line in lines]
    assert [m["article_id"] for m in manifest] == [long_id, long_id]
    assert {m["file"] for m in manifest} == set(names)
