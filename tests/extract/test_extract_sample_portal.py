"""extract_html on the bundled sample portal (crawler/sample_portal): every single-article page yields
exactly the publisher's title, kicker, subtitle, date, source, bylines, editor and paragraphs recorded
in its reference TOML. The portal's files are read as data (nothing is imported from crawler/); the
e-paper page holds several articles (Extraction.parts); it is checked in test_multi_article.py."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import pytest
from extract_testdata import ROOT

from normalize.decoding import decode
from normalize.extract.page import extract_html

PORTAL = ROOT / "crawler" / "sample_portal"
FIELDS = ("title", "kicker", "subtitle", "published", "source", "authors", "photographers", "editor")


def _articles() -> list[Any]:
    if not (PORTAL / "articles").is_dir():
        return []
    out = []
    for path in sorted((PORTAL / "articles").glob("*.toml")):
        article = tomllib.loads(path.read_text("utf-8"))
        if article.get("template") != "epaper":
            out.append(pytest.param(article, id=path.stem))
    return out


def _charset(url: str) -> str | None:
    headers = json.loads((PORTAL / "site" / "_headers.json").read_text("utf-8"))
    content_type = headers.get(url, {}).get("headers", {}).get("Content-Type", "")
    m = re.search(r"charset=([\w-]+)", content_type)
    return m.group(1) if m else None


ARTICLES = _articles()


def test_sample_portal_is_present() -> None:
    if not ARTICLES:
        pytest.skip(f"sample portal not found at {PORTAL}")
    assert len(ARTICLES) >= 5


@pytest.mark.parametrize("article", ARTICLES)
def test_sample_portal_page(article: dict[str, Any]) -> None:
    url = article["url"]
    data = (PORTAL / "site" / url.lstrip("/")).read_bytes()
    ex = extract_html(decode(data, _charset(url)).text, url=f"http://127.0.0.1{url}")
    for name in FIELDS:
        want = article.get(name) or ([] if name in ("authors", "photographers") else None)
        assert getattr(ex.meta, name) == want, f"{name}: got {getattr(ex.meta, name)!r}, want {want!r}"
    assert ex.text.split("\n") == article["paragraphs"]
