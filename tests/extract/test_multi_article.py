"""Pages holding several articles: extract_html finds each article (``Extraction.parts``) and clean()
makes one record per article; pages that only look alike stay one article.

Cases are data (multi_article.toml, fixtures/multi-article/). The sample portal's e-paper page
(crawler/sample_portal, read as data: nothing is imported from crawler/) must give exactly the five
items of its reference TOML: title, kicker, subtitle, bylines, the page date and the paragraphs.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from extract_testdata import ROOT

from normalize import clean
from normalize.errors import ExtractionError
from normalize.extract.page import extract_html

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "multi-article"
CASES = tomllib.loads((HERE / "multi_article.toml").read_text("utf-8"))
PORTAL = ROOT / "crawler" / "sample_portal"
EPAPER_URL = "/szb/html/2020-02/18/content_1227.htm"


def _page(case: dict[str, Any]) -> bytes:
    return (FIXTURES / f"{case['id']}.html").read_bytes()


def _url(case: dict[str, Any]) -> str:
    return f"http://example.gov.cn/{case['id']}.html"


@pytest.mark.parametrize("case", CASES["synthetic"], ids=[c["id"] for c in CASES["synthetic"]])
def test_page_of_several_articles_gives_one_record_each(case: dict[str, Any]) -> None:
    records = clean(_page(case), url=_url(case))
    assert [r.title for r in records] == case["titles"]
    assert [r.authors for r in records] == case["authors"]
    assert {r.published for r in records} == {case["published"]}
    assert [r.id.rsplit("-", 1)[1] for r in records] == [str(i) for i in range(len(records))]
    for r in records:
        assert r.text and r.title not in r.text and "epaper-article" in r.flags
        assert not any(name in r.text.split("\n")[-1] for name in r.authors), "byline left in the text"
    first_removed = "\n".join(x.text for x in records[0].removed)
    for furniture in case["first_removed_has"]:
        assert furniture in first_removed and all(furniture not in r.text for r in records)


def _negatives() -> list[Any]:
    params = [pytest.param(c, id=f"negative/{c['id']}") for c in CASES["negative"]]
    for c in CASES.get("known-failure", []):
        mark = pytest.mark.xfail(strict=True, reason=c["reason"])
        params.append(pytest.param(c, id=f"known-failure/{c['id']}", marks=mark))
    return params


@pytest.mark.parametrize("case", _negatives())
def test_page_of_one_article_is_not_split(case: dict[str, Any]) -> None:
    if case.get("list_page"):
        try:
            ex = extract_html(_page(case).decode("utf-8"), url=_url(case))
        except ExtractionError:
            return  # no article at all: fine, as long as no parts were invented
        assert ex.parts == []
        return
    records = clean(_page(case), url=_url(case))
    assert len(records) == 1, [r.title for r in records]
    assert "epaper-article" not in records[0].flags
    if "title" in case:
        assert records[0].title == case["title"]
    for s in case.get("body_has", []):
        assert s in records[0].text


# -- the sample portal's e-paper page -------------------------------------------------------------
def _epaper_reference() -> dict[str, Any]:
    path = PORTAL / "articles" / "004-gangzha-epaper.toml"
    if not path.is_file():
        pytest.skip(f"sample portal reference not found at {path}")
    return tomllib.loads(path.read_text("utf-8"))


@pytest.fixture(scope="module")
def epaper() -> tuple[dict[str, Any], list[Any]]:
    reference = _epaper_reference()
    data = (PORTAL / "site" / EPAPER_URL.lstrip("/")).read_bytes()
    return reference, clean(data, url=f"http://127.0.0.1:8731{EPAPER_URL}")


def test_epaper_page_gives_every_item(epaper: tuple[dict[str, Any], list[Any]]) -> None:
    reference, records = epaper
    items = reference["items"]
    assert len(records) == len(items) == 5
    for record, item in zip(records, items, strict=True):
        for name in ("title", "kicker", "subtitle"):
            assert getattr(record, name) == item.get(name), (name, record.id)
        assert record.text.split("\n") == item["paragraphs"], record.id
        assert record.published == reference["published"]


def test_epaper_bylines_and_photo_caption(epaper: tuple[dict[str, Any], list[Any]]) -> None:
    reference, records = epaper
    for record, item in zip(records, reference["items"], strict=True):
        assert record.authors == item["authors"] and record.photographers == item["photographers"]
    caption = records[-1]
    assert caption.title is None and "photo-caption" in caption.flags
    assert caption.photographers == ["许丛军"]
    assert records[3].authors == ["方韋"]  # a name as printed: the page is simplified, nothing converted


def test_epaper_page_furniture_is_kept_once(epaper: tuple[dict[str, Any], list[Any]]) -> None:
    reference, records = epaper
    page_removed = "\n".join(r.text for r in records[0].removed)
    for line in reference["masthead"][:2] + reference["footer"]:
        assert line in page_removed
        assert all(line not in r.text for r in records)
    assert all(r.kind in ("kicker", "title", "byline") for rec in records[1:] for r in rec.removed)


def test_extraction_parts_and_page_level_fields() -> None:
    reference = _epaper_reference()
    data = (PORTAL / "site" / EPAPER_URL.lstrip("/")).read_text("utf-8")
    ex = extract_html(data, url=f"http://127.0.0.1:8731{EPAPER_URL}")
    assert [p.meta.title for p in ex.parts] == [i.get("title") for i in reference["items"]]
    assert ex.meta.published == reference["published"]
    assert ex.text == "\n".join(p.text for p in ex.parts)
    assert not any(r.kind in ("title", "byline") for r in ex.removed)
