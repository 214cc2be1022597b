"""ArchiveIndex.load_records over several record files returns every record asked for."""

from __future__ import annotations

from pathlib import Path

from archive_helpers import write_archive

from newsarchive.index import ArchiveIndex
from normalize.record import Record


def test_load_records_from_several_files_misses_none(tmp_path: Path) -> None:
    layout = {
        "captures/a/c-00000.jsonl": [Record(id="a0", text="甲文")],
        "captures/b/c-00000.jsonl": [Record(id=f"b{i}", text=f"乙文{i}") for i in range(3)],
    }
    with ArchiveIndex(write_archive(tmp_path, layout)) as index:
        index.update()
        rowids = [r.rowid for r in index.rows()]
        loaded = index.load_records(rowids)
    assert sorted(r.id for r in loaded.values()) == ["a0", "b0", "b1", "b2"]
