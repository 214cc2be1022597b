"""Generated bad input for clean() (issue 10) and the one check every input must pass.

Used by tests/normalize/test_fuzz.py (bounded: the hypothesis profile ``ci``) and by
scripts/fuzz_normalize.py (many more examples, offline, with counts). Classes of input, one strategy each:

- ``shapes``: the adversarial runs of :mod:`adversarial` at random sizes, text and HTML (regex time);
- ``characters``: text and HTML holding lone surrogates, C0/C1 controls, bidi marks (items 2-3);
- ``bad_bytes``: encoded articles with NUL bytes, encoded surrogates, flipped or cut bytes (item 4);
- ``mislabelled``: GBK/Big5 bytes declared as another charset (item 5);
- ``large``: a big table page (item 6);
- ``newsy``: text built of real furniture fragments, for idempotency (item 7).

:func:`check` returns the problem with one input ("crash", "hang", "silent-loss", "control", "surrogate",
"not-idempotent") or None.
"""

from __future__ import annotations

import re
import time

from adversarial import HTML_SHAPES, TEXT_SHAPES
from hypothesis import strategies as st

from normalize import CleanError, clean
from normalize.chars import CONTROL_CHARS, HAN

HANG_SECONDS = 30.0  # one input taking longer than this is a hang (a page at the 2M-character cap: ~9 s)
KNOWN_REASONS = {"empty", "binary", "undecodable", "not-html", "no-main-content", "too-large"}
SIMP = "县政府召开常务会议研究部署当前各项重点工作市委书记调研企业复工复产疫情防控"
TRAD = "縣政府召開常務會議研究部署當前各項重點工作市委書記調研企業復工復產疫情防控"
FRAGMENTS = ["版权声明:", "1.凡本网注明", "责任编辑:张三", "( 编辑:李四 ) |", "查看心情排行", "- 热门职位",
             "摘要:", "来源:", "发布日期:2020-02-14", "新闻热线:", "主编:王五", "本报讯(记者柴锦玉)",
             "2020年2月18日 星期二", "第7期(总第1227期)", "打印", "记者 滑清泉/文", "\n", "\n\n", " ", "。",
             "…", "、", "\ufffd", "(qū)", "1,000"]
BAD_CHARS = "\x00\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9b\ud800\udbff\udc00\udfff\u202e\u2066\ufffd"
CONTROL_RE = re.compile(f"[{CONTROL_CHARS}]")
SURROGATE_RE = re.compile("[\ud800-\udfff]")

sentence = st.text(alphabet=SIMP, min_size=8, max_size=40).map(lambda s: s + "。")
article = st.lists(sentence, min_size=1, max_size=6).map(lambda ss: "县政府召开常务会议\n" + "\n".join(ss))


def as_html(text: str) -> str:
    title, *body = text.split("\n")
    paras = "".join(f"<p>{p}</p>" for p in body)
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>{paras}"
            "</body></html>")


shapes = st.builds(lambda name, n, html: (HTML_SHAPES if html else TEXT_SHAPES)[name](n),
                   st.sampled_from(sorted(TEXT_SHAPES)), st.integers(1, 20_000), st.just(False)) | st.builds(
    lambda name, n: HTML_SHAPES[name](n), st.sampled_from(sorted(HTML_SHAPES)), st.integers(1, 40_000))


@st.composite
def characters(draw: st.DrawFn) -> str:
    text = draw(article)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(alphabet=BAD_CHARS, min_size=1, max_size=3)) + text[at:]
    return as_html(text) if draw(st.booleans()) else text


@st.composite
def bad_bytes(draw: st.DrawFn) -> bytes:
    text = draw(article)
    data = bytearray((as_html(text) if draw(st.booleans()) else text).encode(draw(st.sampled_from(
        ["utf-8", "gb18030"]))))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.sampled_from([b"\x00", b"\xed\xa0\x80", b"\xff", b"\x80", b"\x00\x00\x00"]))
    if draw(st.booleans()):
        data = data[: draw(st.integers(len(data) // 2, len(data)))]  # cut: a truncated capture
    return bytes(data)


@st.composite
def mislabelled(draw: st.DrawFn) -> tuple[bytes, str]:
    text = draw(st.sampled_from([SIMP, TRAD])) * draw(st.integers(1, 4)) + "。"
    codec = "big5" if text.startswith(TRAD[:3]) else draw(st.sampled_from(["gbk", "big5"]))
    try:
        data = as_html("标题\n" + text).encode(codec)
    except UnicodeEncodeError:
        data = as_html("标题\n" + text).encode("gb18030")
    return data, draw(st.sampled_from(["gb2312", "gbk", "big5", "latin-1", "cp1252", "koi8-r", "utf-8"]))


large = st.integers(1, 5).map(lambda mb: as_html("大表\n" + "<tr><td>县政府</td><td>召开会议。</td></tr>"
                                                  * (mb * 1_000_000 // 60)))
_newsy_text = st.text(alphabet=SIMP + "，。、：\n ", min_size=1, max_size=30)
_newsy_piece = st.one_of(st.sampled_from(FRAGMENTS), _newsy_text)
newsy = st.lists(_newsy_piece, min_size=1, max_size=30).map("".join)


def _han(s: str) -> set[str]:
    return set(HAN.findall(s))


def _record_text(r: object) -> str:
    d = r.to_dict()  # type: ignore[attr-defined]
    parts = [d["text"], d["title"] or "", d["kicker"] or "", d["subtitle"] or "", d["source"] or "",
             d["editor"] or "", *d["authors"], *d["photographers"], *(x["text"] for x in d["removed"])]
    return "\n".join(parts)


def check(data: str | bytes, http_charset: str | None = None, *, idempotent: bool = False) -> str | None:
    """The problem clean() has with one input, or None."""
    start = time.perf_counter()
    try:
        records = clean(data, http_charset=http_charset)
    except CleanError as exc:
        return None if exc.reason in KNOWN_REASONS else f"crash: unknown reason {exc.reason}"
    except Exception as exc:
        return f"crash: {type(exc).__name__}: {exc}"[:300]
    if time.perf_counter() - start > HANG_SECONDS:
        return "hang"
    for r in records:
        shown = _record_text(r)
        if CONTROL_RE.search(shown):
            return "control: a control character in a record"
        if SURROGATE_RE.search(shown):
            return "surrogate: a lone surrogate in a record"
    if isinstance(data, str) and http_charset is None:
        source = data if len(data) < 200_000 else ""
        lost = _han(re.sub(r"<[^<>]*>", "", source)) - _han("".join(_record_text(r) for r in records))
        if lost and not any("implausible" in f for r in records for f in r.flags):
            return f"silent-loss: {''.join(sorted(lost))[:40]}"
    if idempotent:
        for r in records:
            if r.text.strip():
                again = [x.text for x in clean(r.text, kind="text")]
                if again != [r.text]:
                    return f"not-idempotent: {r.text[:60]!r} -> {again!r}"[:300]
    return None
