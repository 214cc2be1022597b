"""crawler.links on project-written list pages and URL shapes (cases in cases/links.toml)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crawler.links import all_older, article_links, has_article_shape, more_links, pagination_links

HERE = Path(__file__).resolve().parent
CASES = tomllib.loads((HERE / "cases" / "links.toml").read_text(encoding="utf-8"))


def params(kind: str) -> list[Any]:
    out = []
    for case in CASES[kind]:
        known = case["group"] == "known-failure"
        marks = [pytest.mark.xfail(reason=case["reason"], strict=True)] if known else []
        out.append(pytest.param(case, id=f"{case['group']}:{case['id']}", marks=marks))
    return out


def fixture_html(case: dict[str, Any]) -> str:
    return (HERE / "fixtures" / "lists" / case["fixture"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("case", params("shape"))
def test_article_url_shape(case: dict[str, Any]) -> None:
    assert has_article_shape(case["url"]) is case["article"]


@pytest.mark.parametrize("case", params("list"))
def test_article_links_and_dates(case: dict[str, Any]) -> None:
    links = article_links(fixture_html(case), case["url"])
    assert [link.url for link in links] == case["articles"]
    assert [link.date.isoformat() if link.date else "" for link in links] == case["dates"]  # "": no date


@pytest.mark.parametrize("case", params("list"))
def test_pagination(case: dict[str, Any]) -> None:
    assert pagination_links(fixture_html(case), case["url"]) == case["pages"]


@pytest.mark.parametrize("case", params("list"))
def test_more_links_lead_to_columns(case: dict[str, Any]) -> None:
    assert more_links(fixture_html(case), case["url"]) == case.get("more", [])


@pytest.mark.parametrize("case", [c for c in params("list") if "all_older_than" in c.values[0]])
def test_since_stops_on_pages_of_older_articles(case: dict[str, Any]) -> None:
    links = article_links(fixture_html(case), case["url"])
    since = date.fromisoformat(case["all_older_than"])
    assert all_older(links, since)
    assert not all_older(links, date(2019, 12, 29))


def test_site_pattern_overrides_shapes() -> None:
    import re

    html = fixture_html({"fixture": "shapes-mixed-with-attachments-and-offsite.html"})
    links = article_links(html, "http://www.example.gov.cn/xw/bmdt/index.html", re.compile(r"post_2487001"))
    assert [link.url for link in links] == ["http://www.example.gov.cn/xw/bmdt/content/post_2487001.html"]


def test_css_selector_overrides_heuristics() -> None:
    html = fixture_html({"fixture": "no-url-shape-dated-list.html"})
    links = article_links(html, "http://www.example.gov.cn/news/list.php?cat=3", css="div.menu a")
    assert len(links) == 3 and links[0].url.endswith("cat=1")
