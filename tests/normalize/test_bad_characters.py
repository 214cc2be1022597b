"""Characters that are not text (issue 10, items 2-3): lone surrogates become U+FFFD with a flag, control
characters are stripped as a counted repair, on the text and on the HTML path, and the CLI never prints
one raw."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from normalize import clean
from normalize.chars import CONTROL_CHARS
from normalize.cli import main

BODY = "县政府召开常务会议，研究部署当前各项重点工作。" * 3
TITLE = "县政府召开常务会议"
CONTROL = __import__("re").compile(f"[{CONTROL_CHARS}]")


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div><p>{body}</p><p>{BODY}</p></div></body></html>")


def every_string(record: object) -> list[str]:
    d = record.to_dict()  # type: ignore[attr-defined]
    out: list[str] = []

    def walk(v: object) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(d)
    return out


@pytest.mark.parametrize("data", ["\ud800", "县政府\udfff召开常务会议。", BODY + "\udc80"])
def test_lone_surrogate_becomes_replacement_character_on_text_path(data: str) -> None:
    (r,) = clean(data, kind="text")
    assert "\ufffd" in r.text and "lone-surrogates" in r.flags
    assert any(x.step == "replace_lone_surrogates" for x in r.repairs)
    json.dumps(r.to_dict(), ensure_ascii=False).encode("utf-8")  # writable as UTF-8


@pytest.mark.parametrize("where", ["title", "body"])
def test_lone_surrogate_becomes_replacement_character_on_html_path(where: str) -> None:
    html = page(TITLE + "\ud800", BODY) if where == "title" else page(TITLE, "正文\ud800段落。" + BODY)
    (r,) = clean(html, kind="html")
    assert "\ufffd" in (r.title or "") + r.text, "the surrogate is not dropped silently"
    assert "lone-surrogates" in r.flags


ESCAPES = ["\x1b]0;evil\x07", "\x1b[31m", "\x9b2J", "\x00", "\x7f", "\x08\x08"]


@pytest.mark.parametrize("esc", ESCAPES, ids=[repr(e) for e in ESCAPES])
def test_control_characters_are_stripped_from_text_as_a_counted_repair(esc: str) -> None:
    (r,) = clean(f"{TITLE}{esc}\n\n{BODY}{esc}", kind="text")
    assert not any(CONTROL.search(s) for s in every_string(r)), r
    assert "strip_control_characters" in [x.step for x in r.repairs]


@pytest.mark.parametrize("esc", [*ESCAPES, "&#27;]0;x&#7;", "&#x1b;[2J"], ids=repr)
def test_control_characters_are_stripped_from_html_text_and_title(esc: str) -> None:
    (r,) = clean(page(TITLE + esc, "正文" + esc + "段落。"), kind="html")
    assert not any(CONTROL.search(s) for s in every_string(r)), r
    assert r.title and r.title.startswith(TITLE)


def test_separator_controls_keep_paragraphs_apart() -> None:
    (r,) = clean(f"{TITLE}\n\n{BODY}\x0c{BODY}", kind="text")
    assert r.text.count("\n") >= 1 and "\x0c" not in r.text


def test_cli_never_prints_a_control_character(tmp_path: Path) -> None:
    bad_name = tmp_path / "x\x1b]0;evil\x07.txt"
    bad_name.write_bytes(b"")  # empty: its name goes into an error message
    (tmp_path / "a.html").write_text(page(TITLE + "&#27;[31m", "正文&#x9b;段落。"), encoding="utf-8")
    for args in (["--text"], []):
        out, err = io.StringIO(), io.StringIO()
        code = main([*args, str(tmp_path)], stdout=out, stderr=err, stdin=io.BytesIO())
        assert code == 1 and "empty" in err.getvalue()
        for stream in (out.getvalue(), err.getvalue()):
            assert not CONTROL.search(stream.replace("\n", "").replace("\t", "")), repr(stream)
        assert "\\x1b" in err.getvalue()  # the file name is shown, escaped
