"""Properties of extract_html on arbitrary input: it returns an Extraction or raises ExtractionError
with a known reason — never another exception, never None — and it is deterministic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.errors import ExtractionError
from normalize.extract.page import extract_html

REASONS = {"empty-document", "not-html", "no-main-content"}

_TAGS = st.sampled_from(["p", "div", "td", "table", "tr", "span", "a", "h1", "br", "title", "script", "li"])
_ALPHABET = [*"市政府召开会议，部署工作。来源：责任编辑打印本页", *"2020-02-12 |&<>"]
_ALPHABET += ["\x00", "\x0b", "\u3000", "\ufffd"]  # NUL, control, ideographic space, replacement
_TEXT = st.text(alphabet=st.sampled_from(_ALPHABET), max_size=40)
_FRAGMENT = st.lists(st.tuples(_TAGS, _TEXT), max_size=30).map(
    lambda parts: "".join(f"<{tag}>{text}</{tag}>" if tag != "br" else f"<br>{text}" for tag, text in parts)
)
_HEAD = "<html><head><title>标题_某网</title></head>"
PAGES = st.one_of(_TEXT, _FRAGMENT.map(lambda body: f"{_HEAD}<body>{body}</body></html>"))
_PROSE = "<p>市政府召开常务会议，研究部署春耕生产工作，要求各地抓好落实。</p>"


@settings(max_examples=60, deadline=None)
@given(PAGES)
def test_returns_extraction_or_raises_known_reason(page: str) -> None:
    try:
        ex = extract_html(page)
    except ExtractionError as err:
        assert err.reason in REASONS
        return
    assert ex.text.strip()
    assert "\x00" not in ex.text


@settings(max_examples=20, deadline=None)
@given(_FRAGMENT)
def test_deterministic(body: str) -> None:
    page = f"<html><body>{body}{_PROSE}</body></html>"
    assert extract_html(page) == extract_html(page)
