"""Bytes -> text, saying which encoding was used and why.

Order of evidence (strongest first):

1. ``override`` — an encoding from the site's config; used unless the bytes fail it strictly (or are
   valid non-ASCII UTF-8 while it names a legacy encoding: the site moved to UTF-8, the config is stale).
2. A byte-order mark (UTF-8, UTF-16, UTF-32).
3. Declarations: the HTTP ``Content-Type`` charset, then ``<meta charset>`` / ``http-equiv`` content-type
   and the XML declaration in the first :data:`SNIFF_BYTES` bytes.
4. Strict validation overrules a declaration the bytes contradict: non-ASCII bytes that are valid UTF-8
   are UTF-8 whatever the header says (a legacy CJK text is practically never valid UTF-8 as well), and
   a declared codec that fails strictly is skipped.
5. chardet, only when nothing above decodes the bytes (and to overrule a single-byte Latin declaration —
   a server default — on bytes that are clearly CJK).

Labels are read the way browsers read them: gb2312 / gbk / x-gbk / cp936 / euc-cn as **gb18030** (a strict
superset: a page labelled gb2312 routinely holds GBK-only characters such as 镕 堃 喆); big5 as big5, then
cp950, then **big5hkscs** when the plain table fails (HKSCS and the Microsoft table assign code points that
plain Big5 leaves empty, so they decode more; for bytes valid in plain Big5 all three agree).

Never U+FFFD when some candidate decodes the bytes cleanly ("cleanly": without error *and* reading as
text, see :func:`_plausibility`; cp862 letters from GBK bytes do not count). Only when none does is the
best candidate used with replacement characters (``why`` ends in ``"-lossy"``), and only if few bytes are
bad (a truncated last character, a damaged byte); otherwise
:class:`~normalize.errors.DecodeError` is raised (reason ``"undecodable"``, or ``"binary"`` for images,
archives and other non-text data).
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from normalize.chars import HAN, common_han_chars, han_count
from normalize.errors import DecodeError
from normalize.record import EncodingInfo

SNIFF_BYTES = 8192  # how far into the document <meta> / <?xml?> declarations are looked for
MAX_LOSSY_RATIO = 0.01  # at most this share of replacement characters before giving up as undecodable
MIN_LOSSY_ALLOWED = 8  # ... or this many: a short article is not lost for a few bad bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Browser-style label aliases (WHATWG Encoding Standard) that Python spells differently or reads narrower.
_ALIASES: dict[str, str] = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "iso-ir-58": "gb18030",
    "chinese": "gb18030",
    "gb18030": "gb18030",
    "hz-gb-2312": "hz",
    "x-big5": "big5",
    "cn-big5": "big5",
    "csbig5": "big5",
    "big5-hkscs": "big5hkscs",
    "unicode": "utf-16",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "latin1": "windows-1252",  # browsers read latin-1 labels as windows-1252
    "iso-8859-1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
}

# For a label, the codecs tried in order: the first that decodes strictly wins.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "big5": ("big5", "cp950", "big5hkscs"),
    "cp950": ("cp950", "big5hkscs"),
}

_SINGLE_BYTE_LATIN = frozenset({"windows-1252", "cp1252", "iso8859-1", "latin-1", "iso8859-15"})

_META_RE = re.compile(rb"""<meta\b[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9][A-Za-z0-9_:.+\-]*)""", re.I)
_XML_DECL_RE = re.compile(
    rb"""^\s*<\?xml\b[^>]{0,512}?encoding\s*=\s*["']([A-Za-z0-9][A-Za-z0-9_.+\-]*)""", re.I
)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9][A-Za-z0-9_:.+\-]*)""", re.I)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (docx/xlsx?)"),
    (b"\x1f\x8b", "gzip data (decompress the capture first)"),
    (b"\xd0\xcf\x11\xe0", "OLE document (doc/xls)"),
    (b"WARC/", "WARC file (read it with warcio, record by record)"),
)

# Control characters that do not occur in text (everything below 0x20 except \t \n \f \r and ESC).
_BAD_CONTROLS_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# Characters that show a wrong decoding: controls, C1 controls, private use, replacement, Latin-1 letters
# mixed into CJK are judged separately by _looks_like_text.
_IMPLAUSIBLE_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")


@dataclass
class Decoded:
    """The text of a capture and how it was decoded."""

    text: str
    encoding: EncodingInfo
    flags: tuple[str, ...] = ()  # what the bytes needed tolerating ("nul-bytes", "implausible-decoding"...)


def decode(data: bytes, http_charset: str | None = None, *, override: str | None = None) -> Decoded:
    """Decode a capture's bytes; see the module docstring for the order of evidence.

    ``http_charset`` is the charset from the HTTP ``Content-Type`` header (the bare label or the whole
    header value); ``override`` an encoding from site configuration.

    >>> decode("駐馬店".encode("big5")).text
    '駐馬店'
    >>> d = decode("<meta charset=gb2312><p>朱镕基</p>".encode("gb18030"))
    >>> d.text[-10:], d.encoding.used, d.encoding.why
    ('<p>朱镕基</p>', 'gb18030', 'meta')
    >>> decode("复工复产".encode("utf-8"), "gbk").encoding.why
    'validated-utf-8'
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"decode() takes bytes, not {type(data).__name__}; pass text to clean() directly")
    data = bytes(data)
    if not data:
        return Decoded("", EncodingInfo(declared=None, detected=None, used="utf-8", why="empty"))
    declared = _declarations(data, http_charset)
    first_declared = declared[0][1] if declared else None
    if override and not _stale_override(data, override):
        found = _try_label(data, override)
        if found is not None:
            return _result(found[1], first_declared or override, None, found[0], "override")
    bom = _decode_bom(data)
    if bom is not None:
        return _result(bom[1], first_declared, bom[0], bom[0], bom[2])
    _refuse_binary_magic(data)
    if b"\x00" in data[:65536]:
        wide = _detect_utf16_32(data)
        if wide is not None:
            return _result(wide[1], first_declared, wide[0], wide[0], "utf-16/32-pattern")
        _refuse_binary(data)  # a few NUL bytes in a text are damage, not a sign of binary data
        decoded = _decode_by_evidence(data, declared, first_declared)
        return _flag_implausible(dataclasses.replace(decoded, flags=(*decoded.flags, "nul-bytes")))
    return _flag_implausible(_decode_by_evidence(data, declared, first_declared))


def _flag_implausible(decoded: Decoded) -> Decoded:
    """Flag ``implausible-decoding:<why>`` on a text no candidate reads plausibly (see
    :func:`implausibility`): the record says its text may be mojibake instead of passing it on silently."""
    why = implausibility(decoded.text)
    return decoded if why is None else dataclasses.replace(
        decoded, flags=(*decoded.flags, f"implausible-decoding:{why}"))


def _stale_override(data: bytes, override: str) -> bool:
    """A legacy override on bytes that are valid, non-ASCII UTF-8: the site has moved to UTF-8 (GBK
    text is never valid UTF-8 as well, but UTF-8 bytes often pass as GBK), so validation decides."""
    return _canonical(override) != "utf-8" and not data.isascii() and _strict(data, "utf-8") is not None


def _decode_by_evidence(data: bytes, declared: list[tuple[str, str]], first_declared: str | None) -> Decoded:
    if data.isascii():
        return _decode_ascii(data, declared, first_declared)
    utf8 = _strict(data, "utf-8")
    flags: tuple[str, ...] = ()
    if utf8 is None and b"\xed" in data:
        utf8, flags = _utf8_with_surrogates(data), ("utf-8-encoded-surrogates",)
    if utf8 is not None:
        why = "validated-utf-8"
        if declared and _canonical(declared[0][1]) == "utf-8":
            why = declared[0][0]
        return dataclasses.replace(_result(utf8, first_declared, "utf-8", "utf-8", why), flags=flags)
    chosen = _choose_declared(data, declared)
    if chosen is not None:
        source, (codec, text) = chosen
        if _canonical(codec) in _SINGLE_BYTE_LATIN:
            better = _detect(data)
            if better is not None and _is_cjk_codec(better[0]):  # only CJK overrules (not iso8859-4)
                return _result(better[1], first_declared, better[0], better[0], "chardet")
        other = _more_plausible_cjk(data, codec, text)
        if other is not None:
            return _result(other[1], first_declared, other[0], other[0], "plausibility")
        return _result(text, first_declared, codec, codec, source)
    detected = _detect(data, cjk_only=any(_is_cjk_codec(label) for _, label in declared))
    if detected is not None:
        return _result(detected[1], first_declared, detected[0], detected[0], "chardet")
    return _decode_lossy(data, declared, first_declared)


def _choose_declared(data: bytes, declared: list[tuple[str, str]]) -> tuple[str, tuple[str, str]] | None:
    """The most authoritative declaration that decodes strictly. When declarations conflict and several
    decode (header big5, meta gbk), the header wins unless another reads clearly more plausibly: the
    classic case of a server-wide header overruling a page's correct meta tag."""
    decoding: list[tuple[str, tuple[str, str]]] = []
    for source, label in declared:
        if any(_canonical(label) == _canonical(seen[1][0]) for seen in decoding):
            continue
        found = _try_label(data, label)
        if found is not None:
            decoding.append((source, found))
    if len(decoding) <= 1:
        return decoding[0] if decoding else None
    first = decoding[0]
    first_score = _plausibility(first[1][1])
    best = max(decoding[1:], key=lambda d: _plausibility(d[1][1]))
    return best if _plausibility(best[1][1]) >= first_score + _CONFLICT_MARGIN else first


def _more_plausible_cjk(data: bytes, codec: str, text: str) -> tuple[str, str] | None:
    """A CJK reading clearly more plausible than the declared codec's (issue 10): Big5 bytes labelled
    gbk decode strictly as GB18030 into rare characters and Private Use Area; GBK or Big5 bytes labelled
    koi8-r / windows-1251 decode into Cyrillic. None when the declared reading is plausible or nothing
    reads clearly better."""
    score = _cjk_plausibility(text)
    cjk = _is_cjk_codec(codec) and not codec.startswith("utf")
    if (cjk and score >= _PLAUSIBLE_CJK) or (not cjk and han_count(text) > 0):
        return None
    best: tuple[float, str, str] | None = None
    for label in ("gb18030", "big5"):
        found = _try_label(data, label)
        if found is None or _canonical(found[0]) == _canonical(codec):
            continue
        alt = _cjk_plausibility(found[1])
        clearly = alt >= score + _CONFLICT_MARGIN or not cjk  # a single-byte reading's score says nothing
        if alt >= _PLAUSIBLE_CJK and clearly and (best is None or alt > best[0]):
            best = (alt, *found)
    return None if best is None else (best[1], best[2])


def _cjk_plausibility(text: str) -> float:
    """Share of the non-ASCII characters that a correct CJK decoding shows: common Han (GB2312 level 1,
    Big5 level 1), CJK and general punctuation, full-width forms. ASCII markup does not dilute it.

    >>> _cjk_plausibility("<p>县政府召开会议。</p>"), _cjk_plausibility("<p>\ue000\ue001犇</p>")
    (1.0, 0.0)
    """
    sample = text[:40000]
    wide = _non_ascii_count(sample)
    if not wide:
        return 1.0
    return _count_chars(_common_or_marks_re(), sample) / wide


@functools.cache
def _common_or_marks_re() -> re.Pattern[str]:
    """One character class: the common Han characters or a CJK/general punctuation or full-width mark
    (counted by the regex engine: a Python loop over a page's characters took ~10 ms a page)."""
    return re.compile("[" + "".join(sorted(map(re.escape, common_han_chars()))) + _CJK_MARKS + "]+")


@functools.cache
def _common_han_re() -> re.Pattern[str]:
    """The common Han characters that are Han by :data:`normalize.chars.HAN` (what _plausibility counts)."""
    return re.compile("[" + "".join(sorted(re.escape(c) for c in common_han_chars() if HAN.match(c))) + "]+")


def _count_chars(runs: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` a one-class pattern ``[...]+`` covers (runs, not characters, are
    matched: ten times fewer match objects than counting ``[...]`` one by one).

    >>> _count_chars(re.compile("[a-z]+"), "ab1cd2e")
    5
    """
    return sum(map(len, runs.findall(text)))


def _non_ascii_count(text: str) -> int:
    """How many characters of ``text`` are not ASCII.

    >>> _non_ascii_count("<p>会议</p>")
    2
    """
    return len(text) - len(text.encode("ascii", "ignore"))


_CJK_MARKS = "\u00b7\u2000-\u206f\u3000-\u303f\uff00-\uffef"
_PLAUSIBLE_CJK = 0.9


def implausibility(text: str) -> str | None:
    """Why a decoded text does not read as text, or None: ``"private-use"`` (PUA characters, the mark of
    Big5 read as GB18030), ``"rare-characters"`` (a low share of common Han, ASCII and punctuation),
    ``"latin-mojibake"`` (CJK bytes read as Latin-1: runs of accented letters and no Han).

    >>> implausibility("县政府召开常务会议。"), implausibility("¿ªÕ¹ÁË¹¤×÷" * 3), implausibility("Café")
    (None, 'latin-mojibake', None)
    """
    sample = text[:20000]
    if len(_PUA_RE.findall(sample)) * 200 > max(len(sample), 200):
        return "private-use"
    if not han_count(sample):
        letters = len(_HIGH_LATIN_RE.findall(sample))
        return "latin-mojibake" if letters >= 6 and letters * 4 > len(_LATIN_RE.findall(sample)) else None
    if _non_ascii_count(sample) < 20:  # too few to judge (none: ASCII)
        return None
    return "rare-characters" if _plausibility(sample) < _PLAUSIBLE else None


_PUA_RE = re.compile("[\ue000-\uf8ff]")
_HIGH_LATIN_RE = re.compile("[\u00c0-\u00ff]")  # accented letters: a few in a Latin word, runs in mojibake
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u00ff]")
_PLAUSIBLE = 0.8  # a correct decoding of news text scores ~0.95 and above


def _decode_ascii(data: bytes, declared: list[tuple[str, str]], first_declared: str | None) -> Decoded:
    """Pure 7-bit bytes: any ASCII-compatible codec gives the same text, except HZ (``~{...~}``)."""
    for source, label in declared:
        if _canonical(label) == "hz":
            found = _try_label(data, label)
            if found is not None:
                return _result(found[1], first_declared, "hz", "hz", source)
    if b"~{" in data and b"~}" in data:
        hz = _strict(data, "hz")
        if hz is not None and han_count(hz) > 0:
            return _result(hz, first_declared, "hz", "hz", "validated-hz")
    why = declared[0][0] if declared else "ascii"
    return _result(data.decode("ascii"), first_declared, "ascii", "ascii", why)


def _decode_lossy(data: bytes, declared: list[tuple[str, str]], first_declared: str | None) -> Decoded:
    """No candidate decodes strictly: pick the one with the fewest replacement characters."""
    _refuse_binary(data)
    labels = [label for _, label in declared] + ["utf-8", "gb18030", "big5hkscs"]
    best: tuple[int, str, str] | None = None
    for label in labels:
        codec = _codec(label)
        if codec is None:
            continue
        text = data.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, codec, text)
    assert best is not None  # "utf-8" always resolves
    bad, codec, text = best
    if bad == 0:
        return _result(text, first_declared, codec, codec, "best-candidate")
    if bad > max(MIN_LOSSY_ALLOWED, int(len(text) * MAX_LOSSY_RATIO)):
        raise DecodeError(
            "undecodable",
            f"no encoding decodes these {len(data)} bytes (best: {codec} with {bad} bad sequences); "
            "if you know the site's encoding, pass it as override= (site config 'encoding')",
        )
    return _result(text, first_declared, codec, codec, f"{codec}-lossy")


def _utf8_with_surrogates(data: bytes) -> str | None:
    """UTF-8 whose only fault is encoded surrogates (ED A0 80: CESU-8 / Java's modified UTF-8, or a lone
    half from a broken encoder): a pair becomes its character, a lone half stays a surrogate (the
    pipeline turns it into U+FFFD and flags it). None when the bytes have other faults.

    >>> _utf8_with_surrogates("县".encode() + b"\\xed\\xa0\\x80" + b"\\xed\\xa0\\xbd\\xed\\xb8\\x80")
    '县\\ud800😀'
    """
    try:
        text = data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _result(text: str, declared: str | None, detected: str | None, used: str, why: str) -> Decoded:
    return Decoded(text, EncodingInfo(declared=declared, detected=detected, used=used, why=why))


def _declarations(data: bytes, http_charset: str | None) -> list[tuple[str, str]]:
    """(source, label) pairs in order of authority: HTTP header, meta tag, XML declaration."""
    found: list[tuple[str, str]] = []
    if http_charset:
        label = charset_from_content_type(http_charset)
        if label:
            found.append(("http-header", label))
    head = data[:SNIFF_BYTES]
    meta = _META_RE.search(head)
    if meta:
        found.append(("meta", meta.group(1).decode("ascii").lower()))
    xml = _XML_DECL_RE.search(head)
    if xml:
        found.append(("xml-declaration", xml.group(1).decode("ascii").lower()))
    return found


def charset_from_content_type(value: str | None) -> str | None:
    """The charset label of an HTTP ``Content-Type`` value (or a bare label), lower-cased; None when it
    names none. The one parser of this header in the project (the crawler and newsarchive call it).

    >>> cfct = charset_from_content_type
    >>> cfct("text/html; charset=GBK"), cfct("gb2312"), cfct("text/html")
    ('gbk', 'gb2312', None)
    >>> cfct('text/html; charset="GB2312"'), cfct(None), cfct("")
    ('gb2312', None, None)
    """
    value = (value or "").strip()
    if ";" in value or "=" in value or "/" in value:  # a whole Content-Type value, charset or not
        m = _HEADER_CHARSET_RE.search(value)
        return m.group(1).lower() if m else None
    return value.strip("\"'").lower() or None


def _canonical(label: str) -> str:
    """A browser-style canonical name, or the label itself when unknown."""
    label = label.strip().lower().replace("_", "-")
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return label


def _codec(label: str) -> str | None:
    """The Python codec for a label, or None when Python has none (e.g. EUC-TW)."""
    name = _canonical(label)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _candidates(label: str) -> Iterator[str]:
    name = _canonical(label)
    family = _FAMILIES.get(name)
    if family:
        yield from family
    elif _codec(name) is not None:
        yield name


def _try_label(data: bytes, label: str) -> tuple[str, str] | None:
    """(codec, text) for the first codec of the label's family that decodes strictly."""
    for codec in _candidates(label):
        text = _strict(data, codec)
        if text is not None:
            return codec, text
    return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_bom(data: bytes) -> tuple[str, str, str] | None:
    """(codec, text, why) for data that starts with a byte-order mark. A BOM followed by a few bad
    sequences (a damaged UTF-8 file) is still that encoding, read with replacement ("bom-lossy")."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            text = _strict(body, codec)
            if text is not None:
                return codec, text, "bom"
            lossy = body.decode(codec, errors="replace")
            if lossy.count("\ufffd") <= max(1, int(len(lossy) * MAX_LOSSY_RATIO)):
                return codec, lossy, "bom-lossy"
    return None


def _detect(data: bytes, *, cjk_only: bool = False) -> tuple[str, str] | None:
    """Fallback detection: UTF-16/32 by their NUL pattern, then chardet, each validated strictly.

    chardet's guess is cross-checked against the CJK codecs: a candidate whose text is clearly more
    plausible (see :func:`_plausibility`) wins, so a mis-guess (cp720 for Big5-HKSCS bytes) costs nothing.
    With ``cjk_only`` (the page declared a CJK encoding that its bytes fail) a single-byte guess such as
    cp862 is not taken: the declaration is wrong about the table, not about the family.
    """
    wide = _detect_utf16_32(data)
    if wide is not None:
        return wide
    import chardet  # lazy: only needed when nothing declared decodes the bytes

    scored: list[tuple[float, int, str, str]] = []
    result = chardet.detect(data)
    guess = result.get("encoding") if (result.get("confidence") or 0) >= _MIN_CHARDET_CONFIDENCE else None
    if guess and cjk_only and not _is_cjk_codec(guess):
        guess = None
    labels = ([guess] if guess else []) + list(_FALLBACK_LABELS)
    for rank, label in enumerate(labels):
        found = _try_label(data, label)
        if found is not None:
            bonus = _CHARDET_BONUS if rank == 0 and guess else 0.0
            scored.append((_plausibility(found[1]) + bonus, -rank, found[0], found[1]))
    if not scored:
        return None
    score, _, codec, text = max(scored)
    if score < _MIN_PLAUSIBILITY:
        return None
    return codec, text


_FALLBACK_LABELS = ("gb18030", "big5", "utf-16-le", "utf-16-be", "shift_jis", "euc-jp", "euc-kr")
_CONFLICT_MARGIN = 0.1  # a lower-ranked declaration must read this much more plausibly to win
_MIN_CHARDET_CONFIDENCE = 0.1  # below this chardet is guessing (cp720 at 0.01 for Big5-HKSCS bytes)
_CHARDET_BONUS = 0.05  # chardet's guess wins ties and near-ties
_MIN_PLAUSIBILITY = 0.6
# ASCII, Latin/Greek/Cyrillic/Hebrew/Arabic letters (U+00B7 among them), the marks of _CJK_MARKS
_GOOD_NON_HAN_RE = re.compile("[\t\n\r\x20-\x7e\u00a0-\u06ff" + _CJK_MARKS + "]+")


def _plausibility(text: str) -> float:
    """Share of characters a correct decoding of news text shows: ASCII, Latin/Cyrillic/Greek letters,
    general and CJK punctuation, full-width forms, and *common* Han characters (GB2312 level 1 and Big5
    level 1: the ~8,000 characters that make up nearly all running text). A wrong CJK decoding turns
    byte pairs into rare characters, Hangul or kana and scores low."""
    if not text:
        return 1.0
    sample = text[:20000]
    good = _count_chars(_GOOD_NON_HAN_RE, sample) + _count_chars(_common_han_re(), sample)
    return good / len(sample)


def _is_cjk_codec(label: str) -> bool:
    """Multi-byte East Asian codecs and the Unicode ones."""
    codec = _codec(label)
    return codec is not None and (codec in _CJK_CODECS or codec.startswith("utf"))


_CJK_CODECS = frozenset(
    {"gb18030", "gbk", "gb2312", "hz", "big5", "cp950", "big5hkscs", "shift_jis", "cp932", "euc_jp"}
    | {"euc_kr", "cp949", "iso2022_jp", "iso2022_kr"}
)


def _detect_utf16_32(data: bytes) -> tuple[str, str] | None:
    """UTF-16/32 without a BOM: NUL bytes sit in fixed columns. Validated strictly and for plausibility."""
    if b"\x00" not in data:
        return None
    for codec, unit in (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2)):
        if len(data) % unit:
            continue
        text = _strict(data, codec)
        if text is not None and _looks_like_text(text):
            return codec, text
    return None


def _looks_like_text(text: str) -> bool:
    """No control / private-use / replacement characters in more than 1 in 200 characters."""
    if not text:
        return True
    bad = len(_IMPLAUSIBLE_RE.findall(text))
    return bad * 200 <= len(text)


def _refuse_binary_magic(data: bytes) -> None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise DecodeError("binary", f"this is a {kind}, not a text or HTML capture; keep it as raw bytes")


def _refuse_binary(data: bytes) -> None:
    """Many control bytes (NUL among them) with no UTF-16/32 reading: not text. A few are damage in a
    text (a NUL from a broken CMS template): decoded, stripped later and flagged."""
    sample = data[:65536].decode("latin-1")
    bad = len(_BAD_CONTROLS_RE.findall(sample))
    if bad * 50 > len(sample):
        raise DecodeError(
            "binary",
            f"{bad} control bytes in the first {len(sample)} bytes: this is binary data, not a text or "
            "HTML capture; keep it as raw bytes (if it is text in an unusual encoding, pass override=)",
        )
