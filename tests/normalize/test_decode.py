"""normalize.decoding: project fixtures named after their defect, then the real-world encoding corpus in
../shared/eval/encoding (skipped with a message when that folder is absent)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from normalize.decoding import decode
from normalize.errors import DecodeError

FIXTURES = Path(__file__).parent / "fixtures" / "encoding"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "encoding"

BODY = "区委书记黄卫锋主持召开区委常委会会议，研究部署当前各项重点工作。朱镕基、王堃、张喆出席。"
TRAD = (
    "駐馬店網訊：市委副書記、市長朱是西帶領相關部門負責同志深入到高新區部分企業，實地調研指導企業復工復產。"
)

# file, HTTP charset, text the result must contain, codec used, why
CASES = [
    ("bom-utf8.txt", None, BODY, "utf-8", "bom"),
    ("bom-utf16le.txt", None, BODY, "utf-16-le", "bom"),
    ("bom-utf8-meta-gbk.html", None, BODY, "utf-8", "bom"),
    ("meta-gb2312-body-utf8.html", None, BODY, "utf-8", "validated-utf-8"),
    ("meta-gb2312-body-utf8.html", "gbk", BODY, "utf-8", "validated-utf-8"),
    ("meta-gb2312-gbk-only-chars.html", None, "朱镕基、王堃、张喆", "gb18030", "meta"),
    ("meta-gb2312-gb18030-only-chars.html", None, "南汉刘䶮，𠀀。", "gb18030", "meta"),
    ("meta-gbk-header-big5-conflict.html", "big5", BODY, "gb18030", "meta"),
    ("header-gbk-meta-big5-body-big5.html", "text/html; charset=GBK", TRAD, "big5", "meta"),
    ("meta-big5-page.html", None, TRAD, "big5", "meta"),
    ("meta-big5-hkscs-chars.html", None, TRAD + "佢哋嘅工廠", "big5hkscs", "meta"),
    ("no-charset-gbk.txt", None, BODY, "gb18030", "chardet"),
    ("no-charset-big5.txt", None, TRAD, "big5", "chardet"),
    ("no-charset-utf16le-no-bom.txt", None, BODY, "utf-16-le", "utf-16/32-pattern"),
    ("header-latin1-body-gbk.html", "text/html; charset=ISO-8859-1", BODY, "gb18030", "chardet"),
    ("meta-utf8-body-gbk.html", None, BODY, "gb18030", "chardet"),
    ("meta-utf8-body-gbk.html", "text/html; charset=utf-8", BODY, "gb18030", "chardet"),
]


@pytest.mark.parametrize(
    ("name", "header", "text", "used", "why"), CASES, ids=[f"{c[0]}|{c[1]}" for c in CASES]
)
def test_fixture_decodes(name: str, header: str | None, text: str, used: str, why: str) -> None:
    result = decode((FIXTURES / name).read_bytes(), header)
    assert text in result.text
    assert "\ufffd" not in result.text
    assert (result.encoding.used, result.encoding.why) == (used, why)


def test_declared_is_reported_even_when_it_loses() -> None:
    info = decode((FIXTURES / "meta-gb2312-body-utf8.html").read_bytes(), "gbk").encoding
    assert (info.declared, info.detected) == ("gbk", "utf-8")


def test_override_wins_when_it_decodes() -> None:
    data = (FIXTURES / "no-charset-gbk.txt").read_bytes()
    info = decode(data, "big5", override="gbk").encoding
    assert (info.used, info.why) == ("gb18030", "override")


def test_override_that_fails_strictly_loses() -> None:
    data = (FIXTURES / "meta-gb2312-gbk-only-chars.html").read_bytes()
    result = decode(data, override="utf-8")
    assert "朱镕基" in result.text and result.encoding.why == "meta"


def test_truncated_last_character_is_the_only_replacement() -> None:
    result = decode((FIXTURES / "truncated-gbk-last-byte.txt").read_bytes())
    assert result.text.count("\ufffd") == 1 and result.text.endswith("出席\ufffd")
    assert result.encoding.why == "gb18030-lossy"


@pytest.mark.parametrize("name", ["binary-junk.bin", "binary-png.png"])
def test_binary_is_refused(name: str) -> None:
    with pytest.raises(DecodeError) as err:
        decode((FIXTURES / name).read_bytes())
    assert err.value.reason == "binary"
    assert "raw bytes" in str(err.value)


def test_empty_and_ascii() -> None:
    assert decode(b"").text == "" and decode(b"").encoding.why == "empty"
    assert decode(b"plain ascii").encoding.why == "ascii"
    assert decode(b"<meta charset=gbk>ok", "utf-8").encoding.why == "http-header"


def test_hz_is_recognised() -> None:
    data = "区委书记".encode("hz")
    assert decode(data).text == "区委书记"


def test_str_input_is_a_type_error_with_advice() -> None:
    with pytest.raises(TypeError, match="clean"):
        decode("text")  # type: ignore[arg-type]


# ---- the shared corpus: every file decodes to the right text -------------------------------------------

# Python's gb2312 codec maps two GB2312 code points differently from GB18030 (and from browsers):
# A1A4 -> U+30FB (katakana middle dot) instead of U+00B7, A1AA -> U+2015 instead of U+2014 (em dash).
# We decode gb2312 as gb18030 on purpose, so the truth text is compared with these two mapped.
GB2312_TABLE_DIFFERENCES = str.maketrans({"\u30fb": "\u00b7", "\u2015": "\u2014"})
NO_PYTHON_CODEC = {"euc-tw"}  # chardet-tests/EUC-TW: Python has no EUC-TW codec, no truth to compare


def shared_files() -> list[object]:
    if not SHARED.is_dir():
        return [pytest.param(None, id="shared-absent")]
    files = sorted(p for p in SHARED.glob("c*/*/*") if p.is_file())
    return [pytest.param(p, id=f"{p.parent.parent.name}/{p.parent.name}/{p.name}") for p in files]


def truth_codec(path: Path) -> str:
    return path.parent.name.lower().replace("_", "-")


@pytest.mark.shared
@pytest.mark.parametrize("path", shared_files())
def test_shared_corpus_file_decodes_to_truth(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"{SHARED} is absent: the shared encoding corpus is not checked")
    codec = truth_codec(path)
    if codec in NO_PYTHON_CODEC:
        pytest.skip(f"{codec}: Python has no codec to produce the truth text")
    data = path.read_bytes()
    truth = data.decode(codec)
    if truth.startswith("\ufeff"):
        truth = truth[1:]
    if codecs.lookup(codec).name == "gb2312":
        truth = truth.translate(GB2312_TABLE_DIFFERENCES)
    result = decode(data)
    assert "\ufffd" not in result.text
    assert result.text == truth, f"decoded as {result.encoding}"


@pytest.mark.shared
def test_shared_cpython_pairs_round_trip() -> None:
    folder = SHARED / "cpython-cjkencodings"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    pairs = sorted(folder.glob("*-utf8.txt"))
    assert pairs
    for utf8 in pairs:
        legacy = utf8.with_name(utf8.name.replace("-utf8", ""))
        result = decode(legacy.read_bytes())
        assert result.text == utf8.read_bytes().decode("utf-8"), f"{legacy.name}: {result.encoding}"


def test_bom_with_a_damaged_byte_is_still_utf8() -> None:
    data = codecs.BOM_UTF8 + BODY.encode("utf-8")[:30] + b"\xff" + BODY.encode("utf-8")[30:]
    result = decode(data, "gbk")
    assert result.encoding.why == "bom-lossy" and result.text.count("\ufffd") == 1
    assert result.text.replace("\ufffd", "") == BODY


def test_declarations_are_read_from_header_value_meta_and_xml() -> None:
    data = '<?xml version="1.0" encoding="big5"?><rss>新聞</rss>'.encode("big5")
    result = decode(data)
    assert result.encoding.why == "xml-declaration" and result.text.endswith("<rss>新聞</rss>")
    late_meta = b" " * 9000 + b'<meta charset="big5">' + "新聞".encode("big5")
    assert decode(late_meta).encoding.why != "meta", "declarations are only looked for near the start"


def test_undecodable_bytes_name_the_fix() -> None:
    data = bytes([0x81, 0x20]) * 400  # a GB18030 lead byte before a space, over and over
    assert decode(data).encoding.used != "gb18030"  # undeclared: some single-byte table reads it cleanly
    with pytest.raises(DecodeError) as err:
        decode(data, "gbk")
    assert err.value.reason == "undecodable" and "override=" in str(err.value)


@pytest.mark.shared
def test_shared_gbk_pages_decode_without_replacement_characters() -> None:
    folder = SHARED.parent / "extraction" / "gbk-unlabeled" / "RawHtml"
    pages = sorted(folder.glob("*.html")) if folder.is_dir() else []
    if not pages:
        pytest.skip(f"{folder} is absent")
    for page in pages:
        result = decode(page.read_bytes())
        assert result.encoding.used == "gb18030", page.name
        assert "\ufffd" not in result.text, page.name


def test_stale_legacy_override_loses_to_valid_utf8() -> None:
    text = "研究部署当前各项重点工作"
    data = text.encode("utf-8")
    assert data.decode("gb18030") == "鐮旂┒閮ㄧ讲褰撳墠鍚勯」閲嶇偣宸ヤ綔"  # passes as GBK, garbled
    result = decode(data, override="gbk")
    assert result.text == text and result.encoding.why == "validated-utf-8"


def test_content_type_without_charset_declares_nothing() -> None:
    info = decode((FIXTURES / "meta-big5-page.html").read_bytes(), "text/html").encoding
    assert (info.declared, info.why) == ("big5", "meta")


# ---- wrong labels (issue 10, item 5): an implausible reading loses or is flagged ----------------------

WRONG_LABELS = {"big5": ("gb2312", "gbk", "latin-1", "cp1252", "koi8-r"),
                "gb2312": ("big5", "latin-1", "cp1252", "koi8-r")}


@pytest.mark.shared
def test_shared_corpus_under_wrong_labels_is_never_silent_mojibake() -> None:
    """bench/charset_mismatch.py in short: every Big5/GB file of the corpus under every wrong label
    decodes to its true text or carries an ``implausible-decoding`` flag (111 of 437 were silent)."""
    files = [p for p in SHARED.glob("c*/*/*") if p.is_file() and truth_codec(p) in WRONG_LABELS]
    if not files:
        pytest.skip(f"{SHARED} is absent: the shared encoding corpus is not checked")
    silent = []
    for path in files:
        data = path.read_bytes()
        truth = data.decode("gb18030" if truth_codec(path) == "gb2312" else "big5")
        for label in WRONG_LABELS[truth_codec(path)]:
            d = decode(data, label)
            if d.text != truth and not any(f.startswith("implausible-decoding") for f in d.flags):
                silent.append(f"{path.name} as {label}: {d.encoding.used}")
    assert not silent, silent


@pytest.mark.parametrize(("text", "codec"), [
    ("Президент России провёл совещание с членами правительства. " * 4, "koi8-r"),
    ("Президент России провёл совещание с членами правительства. " * 4, "windows-1251"),
    ("Les élèves français étudient à l'école. Ça va très bien, déjà vu. " * 3, "cp1252"),
])
def test_genuine_single_byte_text_keeps_its_declared_codec(text: str, codec: str) -> None:
    d = decode(text.encode(codec), codec)
    assert d.text == text and not d.flags


def test_big5_bytes_labelled_gbk_read_as_big5() -> None:
    data = ("<p>" + TRAD + "</p>").encode("big5")
    d = decode(data, "gbk")
    assert d.text == "<p>" + TRAD + "</p>" and d.encoding.why == "plausibility"
    assert d.encoding.declared == "gbk"
