"""Shared helpers for the newsarchive tests: the project-written seed-like articles and small archives
written into tmp_path (record files in the archive layout). A plain module with a unique name rather than
conftest.py, so that the test modules' imports cannot pick up another folder's conftest."""

from __future__ import annotations

import re
import tomllib
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
