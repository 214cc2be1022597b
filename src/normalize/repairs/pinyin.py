"""Remove pinyin readings that a converter inserted after characters: "區(qū)調(diào)研" -> "區調研".

A bracket is removed only when its syllable is a reading of the character before it, by pypinyin's
heteronym dictionary (with or without tone marks; "ü" may be written "v" or "u"), including the variants
"(huì )" with a space and a repeated toneless "(guo)(guo)". Brackets that are not readings stay:
(記者柴錦玉), (开发区), (总第1227期), 太重集團(大同), (AI), (2020).

Context decides the rest. The converter that did this annotates the characters it converted, so one
reading after a character that exists only in traditional writing marks the text as damaged; and damaged
text carries readings in runs on everyday characters. A genuine gloss explains a rare character. So the
readings of a text are removed when one follows a traditional-only character, or when at least
:data:`MIN_RUN` follow common characters (GB2312/Big5 level 1); "犇(bēn)" in clean simplified text
stays, and so does a glossary of rare characters ("犇(bēn)，猋(biāo)，羴(shān)").
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections import Counter
from functools import cache

from normalize.chars import HAN_CHARS, common_han_chars
from normalize.repairs.registry import note_changes, step
from normalize.repairs.script import is_traditional_char, simplified_form

MIN_RUN = 3  # this many readings after common characters make a text damaged, not glossed

_HAN = f"[{HAN_CHARS}]"
_SYL_CHAR = "[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ]"
_SYL = rf"{_SYL_CHAR}{{1,7}}"
_BRACKET = rf"[(（][ \t\u3000]*({_SYL})[ \t\u3000]*[)）]"
_BRACKET_RE = re.compile(_BRACKET)
# a character, its first reading-like bracket, then any repeats ("(guo)(guo)") as one group
_REPEAT = rf"[(（][ \t\u3000]*{_SYL}[ \t\u3000]*[)）]"  # the same bracket, nothing captured
_ANNOTATED_RE = re.compile(rf"({_HAN}){_BRACKET}((?:{_REPEAT})*)")
# the brackets of the same matches, found from their opening bracket (the engine jumps from one bracket to
# the next instead of trying a match at every Han character), the character read checked behind it:
# split() hands back, in C, [text, brackets, text, brackets, ..., text], each text ending with the
# character its brackets read
_SPLIT_RE = re.compile(rf"([(（](?<={_HAN}[(（])[ \t\u3000]*{_SYL}[ \t\u3000]*[)）](?:{_REPEAT})*)")
_LAST_CHAR = operator.itemgetter(-1)
_QUICK_RE = re.compile(rf"[(（][ \t\u3000]*{_SYL_CHAR}")  # any text the patterns above can match


@step
def strip_pinyin_annotations(text: str) -> str:
    """Remove "(pinyin)" after the character it reads, where the text carries such annotations in runs.

    >>> strip_pinyin_annotations("區(qū)調(diào)研指導(dǎo)")
    '區調研指導'
    >>> strip_pinyin_annotations("區(qū)委會(huì )國(guo)(guo)")
    '區委會國'
    >>> strip_pinyin_annotations("太重集團(大同)起重機 人工智能(AI) 三牛为犇(bēn)")
    '太重集團(大同)起重機 人工智能(AI) 三牛为犇(bēn)'
    """
    if not _QUICK_RE.search(text):
        return text
    parts = _SPLIT_RE.split(text)
    state = _Run()  # each distinct annotation (character + brackets) is judged once, with its count
    found = Counter(map(operator.add, map(_LAST_CHAR, parts[0:-1:2]), parts[1::2]))
    verdicts = {found_as: state.judge(found_as, count) for found_as, count in found.items()}
    if state.removed == 0 or (state.on_common < MIN_RUN and not state.after_traditional):
        return text
    note_changes(state.removed)
    if all(v == "" for v in verdicts.values()):  # every bracket goes: keep the text and each character
        return "".join(parts[0::2])
    out = []
    for at in range(0, len(parts) - 1, 2):
        between, brackets = parts[at], parts[at + 1]
        kept = verdicts[between[-1] + brackets]
        out += [between, brackets if kept is None else kept]
    out.append(parts[-1])
    return "".join(out)


class _Run:
    """Collects what one pass removes, so that the context rule can accept or refuse the pass."""

    def __init__(self) -> None:
        self.removed = 0
        self.on_common = 0  # readings after common characters: a glossary explains rare ones
        self.after_traditional = False

    def judge(self, annotation: str, count: int) -> str | None:
        """What replaces the brackets after the character of ``annotation`` (found ``count`` times): None
        when they stay (the first syllable is not a reading of the character), else the repeats left."""
        m = _ANNOTATED_RE.fullmatch(annotation)
        assert m is not None, annotation  # _SPLIT_RE finds what _ANNOTATED_RE finds
        ch, syllable, repeats = m.groups()
        if not is_reading(ch, syllable):
            return None
        left, removed = _strip_repeats(ch, repeats) if repeats else ("", 0)
        self.removed += count * (1 + removed)
        if ch in common_han_chars():
            self.on_common += count
        if is_traditional_char(ch):
            self.after_traditional = True
        return left


def _strip_repeats(ch: str, repeats: str) -> tuple[str, int]:
    """Repeated brackets after the first: readings of ``ch`` go until the first one that is not.
    Returns the repeats left and how many went."""
    removed = 0
    for m in _BRACKET_RE.finditer(repeats):
        if not is_reading(ch, m.group(1)):
            return repeats[m.start() :], removed
        removed += 1
    return "", removed


def is_reading(ch: str, syllable: str) -> bool:
    """True if ``syllable`` (tone marks or toneless) is a reading of ``ch`` or of its simplified form.

    >>> is_reading("區", "qū"), is_reading("區", "qu"), is_reading("綠", "lv"), is_reading("區", "da")
    (True, True, True, False)
    """
    key = _toneless(syllable)
    return key in readings(ch) or key in readings(simplified_form(ch))


@cache
def readings(ch: str) -> frozenset[str]:
    """Toneless readings of one character from pypinyin's heteronym dictionary ("ü" also as v and u).

    Built per character on first use and cached: the dictionary itself is a plain dict, so this is
    one lookup and one split per distinct character in the whole run.
    """
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(ch)) if len(ch) == 1 else None
    if not raw:
        return frozenset()
    out: set[str] = set()
    for reading in raw.split(","):
        plain = _toneless(reading)
        out.update({plain, plain.replace("v", "u")})
    return frozenset(out)


@cache
def _toneless(syllable: str) -> str:
    """'lǜ' -> 'lv', 'qū' -> 'qu', 'Huì ' -> 'hui'."""
    decomposed = unicodedata.normalize("NFD", syllable.strip().lower())
    base = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0308")
    return unicodedata.normalize("NFC", base).replace("ü", "v").replace("u\u0308", "v")
