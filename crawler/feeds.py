"""Scrapy's own feeds (``-o``/``-O FILE``, FEEDS) give one row per ARTICLE, as ``newsarchive export`` does.

The spider's items are pages (crawler.items.PageItem: raw bytes, WARC pointer, and after the pipelines
the page's records); an e-paper page holds several articles. These exporters (FEED_EXPORTERS in
crawler/settings.py) turn each page item into its article rows, the rows of ``schema/export.schema.json``
(:meth:`newsarchive.export.ExportItem.to_row`: every record field, ``record_schema_version``,
``record_file`` and ``record_position`` of the record in the archive, ``cluster_id``/``cluster_size``
null as in an export without ``--one-per-cluster``; ``state``/``version`` "new"/1 for an article the
archive did not hold, null for the others until ``newsarchive index`` classifies them). Pages that
ended in a drop export nothing.

Formats: json, jsonlines / jsonl / jl, csv, xml, marshal, pickle. Text is UTF-8 as it is
(FEED_EXPORT_ENCODING = "utf-8", no ``\\u`` escapes). In CSV a list or object value (authors, capture,
repairs, removed ...) is one JSON string; XML nests them, and leaves out fields that are null.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from scrapy.exporters import (
    CsvItemExporter,
    JsonItemExporter,
    JsonLinesItemExporter,
    MarshalItemExporter,
    PickleItemExporter,
    XmlItemExporter,
)

from crawler.items import PageItem


def article_rows(item: Any) -> Iterator[dict[str, Any]]:
    """The export rows of one scraped item (a PageItem -> one row per record; anything else as it is)."""
    if not isinstance(item, PageItem):
        yield item
        return
    from newsarchive.export import ExportItem
    from normalize.record import Record

    for i, record in enumerate(item.records):
        position = item.record_positions[i] if i < len(item.record_positions) else None
        state = item.history_state
        yield ExportItem(Record.from_dict(record), item.record_file or "",
                         position if position is not None else -1, state=state,
                         version=1 if state == "new" else None).to_row()


def flat_value(value: Any) -> Any:
    """CSV cells: lists and objects as JSON text, null as an empty cell.

    >>> flat_value(["滑清泉"]), flat_value({"file": "a.warc.gz"}), flat_value(None), flat_value(3)
    ('["滑清泉"]', '{"file": "a.warc.gz"}', '', 3)
    """
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))
    return "" if value is None else value


class JsonArticlesExporter(JsonItemExporter):
    def export_item(self, item: Any) -> None:
        for row in article_rows(item):
            super().export_item(row)


class JsonLinesArticlesExporter(JsonLinesItemExporter):
    def export_item(self, item: Any) -> None:
        for row in article_rows(item):
            super().export_item(row)


class CsvArticlesExporter(CsvItemExporter):
    def export_item(self, item: Any) -> None:
        for row in article_rows(item):
            super().export_item({k: flat_value(v) for k, v in row.items()})


class XmlArticlesExporter(XmlItemExporter):
    def export_item(self, item: Any) -> None:
        for row in article_rows(item):
            super().export_item({k: v for k, v in row.items() if v is not None})


class MarshalArticlesExporter(MarshalItemExporter):
    def export_item(self, item: Any) -> None:
        for row in article_rows(item):
            super().export_item(row)


class PickleArticlesExporter(PickleItemExporter):
    def export_item(self, item: Any) -> None:
        for row in article_rows(item):
            super().export_item(row)
