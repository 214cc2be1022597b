"""A whole page of GB bytes that was decoded as Latin-1/cp1252 upstream ("ÊÐÕþ¸®"), read back.

Decoding work that can only be done on text (the bytes are gone: a mirror or an old crawler decoded them
with the wrong codec and saved the result), so it runs on the decoded HTML before extraction.
"""

from __future__ import annotations

import re

from normalize.chars import han_count

_LATIN_RUN = re.compile(r"[\u00a1-\u00ff]")


def undo_page_mojibake(html: str) -> tuple[str, bool]:
    """A whole page of GB bytes that was decoded as Latin-1/cp1252 upstream, read back as GB18030.

    Only a page that is mostly Latin-1 letters and has no CJK at all is touched, and only when every
    character maps back to a byte and the bytes are valid GB18030; otherwise the text is returned as is.

    >>> undo_page_mojibake("<p>" + "政府工作报告".encode("gbk").decode("cp1252") + "</p>")
    ('<p>政府工作报告</p>', True)
    >>> undo_page_mojibake("<p>Café déjà vu</p>")
    ('<p>Café déjà vu</p>', False)
    """
    latin = len(_LATIN_RUN.findall(html[:20000]))
    if latin < 4 or han_count(html[:20000]) > 0:
        return html, False
    text = html
    for _ in range(3):  # a page can have been mis-decoded twice (GB -> Latin -> UTF-8 -> Latin)
        readings = [
            r for codec in ("cp1252", "iso8859-15") for target in ("utf-8", "gb18030")
            if (r := _reread(text, codec, target)) is not None
        ]
        if not readings:
            return html, False
        text = max(readings, key=_gb_plausibility)
        if han_count(text[:20000]) >= latin // 8:
            return text, True
    return html, False


def _gb_plausibility(text: str) -> tuple[int, int]:
    """More common-set (GB2312) CJK first, then fewer Latin-1 letters."""
    sample = text[:20000]
    common = han_count(sample) - sample.encode("gb2312", errors="replace").count(b"?")
    return common, -len(_LATIN_RUN.findall(sample))


def _reread(text: str, codec: str, target: str) -> str | None:
    """``text`` encoded back with a Latin codec and decoded as ``target``; None when either fails."""
    try:
        raw = bytes(_byte_of(ch) for ch in text) if codec == "cp1252" else text.encode(codec)
        return raw.decode(target)
    except (ValueError, UnicodeError):
        return None


def _byte_of(ch: str) -> int:
    """The byte a Latin-1/cp1252 decoder turned into ``ch`` (ValueError when there is none)."""
    code = ord(ch)
    if code < 256:
        return code
    encoded = ch.encode("cp1252", errors="strict") if code < 0x2200 else b""
    if len(encoded) != 1:
        raise ValueError(ch)
    return encoded[0]
