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


# --- a few bad bytes do not lose an article (item 4) -------------------------------------------------

HTML_BYTES = page(TITLE, "正文段落。").encode("utf-8")


@pytest.mark.parametrize("at", [0, 40, len(HTML_BYTES) // 2, len(HTML_BYTES) - 10])
def test_a_nul_byte_in_html_is_tolerated_and_flagged(at: int) -> None:
    data = HTML_BYTES[:at] + b"\x00" + HTML_BYTES[at:]
    (r,) = clean(data)
    assert r.title == TITLE and BODY[:20] in r.text and "\x00" not in r.text
    assert "nul-bytes" in r.flags


def test_a_utf8_encoded_surrogate_is_tolerated_and_flagged() -> None:
    at = HTML_BYTES.index("正文".encode())
    (r,) = clean(HTML_BYTES[:at] + b"\xed\xa0\x80" + HTML_BYTES[at:])
    assert "\ufffd正文" in r.text and {"utf-8-encoded-surrogates", "lone-surrogates"} <= set(r.flags)


def test_a_cesu8_pair_is_read_as_its_character() -> None:
    at = HTML_BYTES.index("正文".encode())
    (r,) = clean(HTML_BYTES[:at] + b"\xed\xa0\xbd\xed\xb8\x80" + HTML_BYTES[at:])  # U+1F600 in CESU-8
    assert "😀正文" in r.text


def test_binary_data_is_still_binary() -> None:
    from normalize.errors import DecodeError

    noise = bytes((i * 7919 + 13) % 256 for i in range(4096))
    with pytest.raises(DecodeError) as err:
        clean(noise)
    assert err.value.reason == "binary"


# --- a page too large to clean in bounded time and memory (item 6) -----------------------------------

def test_oversized_html_is_refused_with_a_named_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from normalize import CleanError, pipeline

    monkeypatch.setattr(pipeline, "MAX_HTML_CHARS", 10_000)
    big = page(TITLE, "<table>" + "<tr><td>县政府</td><td>召开会议。</td></tr>" * 400 + "</table>")
    with pytest.raises(CleanError) as err:
        clean(big.encode("utf-8"))
    assert err.value.reason == "too-large" and "MAX_HTML_CHARS" in str(err.value)
    assert clean(big, kind="text"), "the same capture can still be cleaned as text"


def test_the_html_size_limit_is_a_parameter() -> None:
    from normalize import CleanError

    big = page(TITLE, "<table>" + "<tr><td>县政府</td><td>召开会议。</td></tr>" * 400 + "</table>")
    with pytest.raises(CleanError) as err:
        clean(big.encode("utf-8"), max_html_chars=5_000)
    assert err.value.reason == "too-large" and "max_html_chars" in str(err.value)
    assert clean(big.encode("utf-8"), max_html_chars=len(big) + 1), "under the limit it is cleaned"
