"""schema/record.schema.json: a valid draft 2020-12 schema, in step with normalize.record, and the records
the normaliser writes (the seed records in archive/seeds) validate against it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from normalize import clean
from normalize.record import EncodingInfo, Record, Removed, Repair, ScriptInfo

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def errors(record: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in VALIDATOR.iter_errors(record)]


def test_schema_is_valid_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(("path", "cls"), [((), Record), (("encoding",), EncodingInfo),
                                           (("script",), ScriptInfo), (("repairs", "items"), Repair),
                                           (("removed", "items"), Removed)])
def test_schema_fields_match_the_dataclasses(path: tuple[str, ...], cls: type) -> None:
    node = SCHEMA
    for key in path:
        node = node["properties"][key] if key in node.get("properties", {}) else node[key]
    fields = {f.name for f in dataclasses.fields(cls)}
    assert set(node["properties"]) == fields
    assert set(node["required"]) == fields
    assert node["additionalProperties"] is False


def test_default_record_validates() -> None:
    assert errors(Record(id="x-0", text="正文").to_dict()) == []


SEED_RECORDS = sorted((ROOT / "archive" / "seeds").glob("*.json"))


@pytest.mark.parametrize("json_path", SEED_RECORDS, ids=lambda p: p.name)
def test_seed_records_validate(json_path: Path) -> None:
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["records"]
    for record in doc["records"]:
        assert errors(record) == [], record["id"]


def test_html_record_validates() -> None:
    body = "市委书记到企业调研复工复产情况，强调统筹推进疫情防控和经济社会发展。" * 3
    html = (f"<html><head><title>复工复产</title></head><body><h1>复工复产</h1>"
            f"<div><p>{body}</p></div></body></html>")
    for r in clean(html.encode("utf-8"), url="http://www.example.gov.cn/a.html"):
        assert errors(r.to_dict()) == []


@pytest.mark.parametrize(("field", "value"), [
    ("published", "2020/02/14"), ("published", "02-20"), ("raw_sha256", "xyz"), ("flags", ["a", "a"]),
    ("schema_version", 2), ("unknown", 1),
])
def test_bad_values_are_rejected(field: str, value: Any) -> None:
    record = Record(id="x-0", text="正文").to_dict()
    record[field] = value
    assert errors(record)


@pytest.mark.parametrize("published", ["2020-02-14", "2020-02-12T08:28", "--02-20", None])
def test_published_forms_are_accepted(published: str | None) -> None:
    record = Record(id="x-0", text="正文", published=published).to_dict()
    assert errors(record) == []
