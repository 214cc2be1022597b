"""Shared helpers for the newsarchive tests: the project-written seed-like articles and small archives
written into tmp_path (record files in the archive layout). A plain module with a unique name rather than
conftest.py, so that the test modules' imports cannot pick up another folder's conftest."""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.records import write_seed_records
from normalize.record import Record

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parents[1]
SEEDS = REPO / "archive" / "seeds"


def load_articles() -> dict[str, dict[str, Any]]:
    with (FIXTURES / "seedlike-articles.toml").open("rb") as fh:
        return tomllib.load(fh)


ARTICLES = load_articles()


def article(name: str, **changes: Any) -> Record:
    """A seed-like article as a Record: id ``NAME-0`` unless given (an id without the ``-N`` article
    number that schema/record.schema.json requires gets ``-0``, so the archive readers accept it)."""
    data = {"id": name, **ARTICLES[name], **changes}
    data["id"] = record_id(data["id"])
    return Record(**data)


def record_id(base: str) -> str:
    """``base`` as a record id of the schema's BASE-N form."""
    return base if re.search(r"-\d+$", base) else f"{base}-0"


def write_archive(root: Path, layout: dict[str, list[Record]]) -> Path:
    """Write record files: {"seeds/a.json": [records], "captures/site/c-00000.jsonl": [records]}."""
    for rel, records in layout.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".jsonl":
            from newsarchive.records import dumps

            path.write_text("".join(dumps(r.to_dict()) + "\n" for r in records), encoding="utf-8")
        else:
            # the archive layout: a NAME.json record file sits beside the capture NAME.txt it describes
            capture = path.with_suffix(".txt")
            if not capture.exists():
                capture.write_text("\n\n".join(r.text for r in records), encoding="utf-8")
            write_seed_records(path, {"file": rel.replace(".json", ".txt")}, records)
        for record in records:
            _stand_in_capture(root, record)
    return root


def _stand_in_capture(root: Path, record: Record) -> None:
    """A file where a record's raw capture should be, long enough for its offset (the index checks that
    every record's capture exists; tests of the WARC contents write real WARCs instead)."""
    name = (record.capture or {}).get("file")
    if not name:
        return
    path = root / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        end = record.capture.get("offset", 0) + record.capture.get("length", 1)
        path.write_bytes(b"\0" * end)


def seed_record_files() -> list[Path]:
    files = sorted(SEEDS.glob("*.json"))
    if not files:
        pytest.skip(
            f"no seed records in {SEEDS}: run `newsarchive clean` (the structure engineer's command) first"
        )
    return files


# -- a small archive as the crawler and `newsarchive clean` leave it, for the damage matrix and the fuzz --

SAMPLE_SITE = "sample"
SAMPLE_URL = "http://www.sample.gov.cn"


def article_page(name: str) -> bytes:
    """A portal article page holding a seed-like article."""
    a = ARTICLES[name]
    paragraphs = "".join(f"<p>{p}</p>\n" for p in a["text"].split("\n"))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{a['title']}</title></head><body>"
        f"<div class='nav'><a href='/'>首页</a></div><div class='article'><h1>{a['title']}</h1>"
        f"<div class='content'>{paragraphs}</div></div></body></html>"
    ).encode()


LIST_PAGE = (
    "<html><head><meta charset='utf-8'><title>工作动态</title></head><body><ul>"
    + "".join(f"<li><a href='/art/{i}.html'>第{i}条消息</a> 2020-02-{10 + i}</li>" for i in range(8))
    + "</ul></body></html>"
).encode("utf-8")


def build_sample_archive(root: Path) -> Path:
    """``root/seeds``: two text captures with their records; ``root/captures/sample``: one crawl segment
    (robots.txt, a list page, two articles) with the JSONL of its two articles, each pointing at its WARC
    response (offset, length, record id), as the crawler writes them; then indexed once."""
    from newsarchive.captures import Exchange, WarcSegmentWriter
    from newsarchive.index import ArchiveIndex
    seeds = {"seeds/000_a.json": [article("suqian", id="000_a-0", capture={"file": "seeds/000_a.txt"})],
             "seeds/001_b.json": [article("gangzha", id="001_b-0", capture={"file": "seeds/001_b.txt"})]}
    write_archive(root, seeds)
    html = [("Content-Type", "text/html; charset=utf-8")]
    with WarcSegmentWriter(root, SAMPLE_SITE, "c", fsync_interval=None) as writer:
        writer.write_exchange(Exchange(f"{SAMPLE_URL}/robots.txt", 200, b"User-agent: *\nAllow: /\n",
                                       [("Content-Type", "text/plain")]))
        writer.write_exchange(Exchange(f"{SAMPLE_URL}/xwzx/index.html", 200, LIST_PAGE, html))
        for i, name in enumerate(("zhumadian", "unrelated")):
            url = f"{SAMPLE_URL}/art/{i}.html"
            pointer = writer.write_exchange(Exchange(url, 200, article_page(name), html))
            rec = article(name, id=f"url-{i:016x}-0", url=url, site=SAMPLE_SITE,
                          capture={**pointer.to_dict(), "index": 0}, fetched_at=pointer.fetched_at)
            writer.append_records(pointer, [rec.to_dict()])
    with ArchiveIndex(root) as index:
        stats = index.update()
    assert stats.problems == [] and stats.records_total == 4, stats
    return root


@contextlib.contextmanager
def interrupted_after_files(monkeypatch: pytest.MonkeyPatch, files: int = 3) -> Iterator[list[str]]:
    """Inside the block, ArchiveIndex writes ``files`` record files, then Ctrl-C (KeyboardInterrupt) hits
    the next one; the real writer is back after the block. Yields the files written."""
    from newsarchive.index import ArchiveIndex

    real = ArchiveIndex._write_file
    written: list[str] = []

    def interrupted(self: ArchiveIndex, file_rows: Any, *args: Any) -> int:
        if len(written) == files:
            raise KeyboardInterrupt
        written.append(file_rows.job.rel)
        return real(self, file_rows, *args)

    monkeypatch.setattr(ArchiveIndex, "_write_file", interrupted)
    try:
        yield written
    finally:
        monkeypatch.setattr(ArchiveIndex, "_write_file", real)
