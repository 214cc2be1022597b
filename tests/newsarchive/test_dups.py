"""Duplicate clusters across sites and the choice of their representative."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from archive_helpers import HERE, article, write_archive

from newsarchive.dups import cluster_map, find_clusters, host_rank
from newsarchive.index import ArchiveIndex

with (HERE / "host_ranks.toml").open("rb") as _fh:
    HOST_CASES = tomllib.load(_fh)["case"]


@pytest.mark.parametrize("case", HOST_CASES, ids=[c["host"] for c in HOST_CASES])
def test_host_rank(case: dict[str, object]) -> None:
    assert host_rank(str(case["host"])) == case["rank"]


def _copy(
    name: str, rid: str, url: str | None, fetched: str | None, text_edit: tuple[str, str] | None = None
):  # type: ignore[no-untyped-def]
    rec = article(name, id=rid, url=url, fetched_at=fetched)
    if text_edit:
        rec = article(name, id=rid, url=url, fetched_at=fetched, text=rec.text.replace(*text_edit))
    return rec


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    gov = "http://www.suqian.gov.cn/art"
    return write_archive(tmp_path / "archive", {
        "seeds/000_a.json": [article("suqian", id="seed-suqian-0")],
        "seeds/001_b.json": [article("unrelated", id="seed-unrelated-0")],
        "captures/mirror/c-00000.jsonl": [
            _copy("suqian", "mirror-suqian-0", "http://mirror.example.com/1.html", "2026-11-01T00:00:00"),
            _copy("gangzha", "mirror-gangzha-0", "http://mirror.example.com/2.html", "2026-11-01T00:00:00",
                  ("两手抓", "两手抓、两不误")),
        ],
        "captures/news/c-00000.jsonl": [
            _copy("suqian", "news-suqian-0", "http://js.people.com.cn/n/1.html", "2026-11-02T00:00:00",
                  ("管用", "管锚点用")),
            _copy("gangzha", "news-gangzha-0", "http://www.ntdaily.cn/2.html", "2026-11-03T00:00:00"),
        ],
        "captures/gov/c-00000.jsonl": [
            _copy("suqian", "gov-suqian-late-0", f"{gov}/1.html", "2026-11-05T00:00:00"),
            _copy("suqian", "gov-suqian-early-0", f"{gov}/1b.html", "2026-11-04T00:00:00"),
            _copy("zhumadian", "gov-zhumadian-0", "http://www.zhumadian.gov.cn/a.html",
                  "2026-11-04T00:00:00"),
        ],
    })  # fmt: skip


def test_clusters_group_exact_and_near_copies_across_sites(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
        clusters = find_clusters(index)
    assert [sorted(m.row.id for m in c.members) for c in clusters] == [
        ["gov-suqian-early-0", "gov-suqian-late-0", "mirror-suqian-0", "news-suqian-0", "seed-suqian-0"],
        ["mirror-gangzha-0", "news-gangzha-0"],
    ]
    suqian = clusters[0]
    assert suqian.sites == ["js.people.com.cn", "mirror.example.com", "suqian.gov.cn"]
    by_id = {m.row.id: m for m in suqian.members}
    assert by_id["mirror-suqian-0"].exact and by_id["mirror-suqian-0"].similarity == 1.0
    assert not by_id["news-suqian-0"].exact and 0.8 <= by_id["news-suqian-0"].similarity < 1.0


def test_representative_is_the_earliest_capture_from_the_most_official_host(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
        suqian, gangzha = find_clusters(index)
    # .gov.cn beats the earlier mirror and news copies
    assert suqian.representative.id == "gov-suqian-early-0"
    assert suqian.members[0].row.id == "gov-suqian-early-0"
    assert gangzha.representative.id == "news-gangzha-0"  # a news site beats an unknown mirror


def test_threshold_controls_near_duplicates(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
        strict = find_clusters(index, threshold=0.99)
    assert [sorted(m.row.id for m in c.members) for c in strict] == [
        ["gov-suqian-early-0", "gov-suqian-late-0", "mirror-suqian-0", "seed-suqian-0"],
    ]


def test_cluster_map_marks_representatives(archive: Path) -> None:
    with ArchiveIndex(archive) as index:
        index.update()
        clusters = find_clusters(index)
        ids = {r.rowid: r.id for r in index.rows()}
    marks = {ids[rowid]: info for rowid, info in cluster_map(clusters).items()}
    assert marks["gov-suqian-early-0"] == (1, 5, True)
    assert marks["seed-suqian-0"] == (1, 5, False)
    assert "seed-unrelated-0" not in marks and "gov-zhumadian-0" not in marks
