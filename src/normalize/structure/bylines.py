"""Names and labels of an article: labelled metadata lines and the bylines inside its text.

- :func:`read_meta_lines`: publish time, source, editor and authors from labelled lines
  ("发布时间：2020-02-12 08:28 来源：市政府办 责任编辑：张三");
- :func:`read_bylines`: reporters, authors and photographers named inside the body (记者 张三, 文/李四,
  王五 摄, a name in brackets closing the text), read without changing it;
- :func:`read_lead_byline`: a lead's source and bracketed byline (``驻马店网讯(记者 滑清泉/文 谭啸/图)``),
  where every token is a role word or a name (:func:`parse_byline`).

Role words, name shapes and labels are :mod:`normalize.structure.vocab`'s.
"""

from __future__ import annotations

import re

from normalize.chars import HAN_CHARS
from normalize.literals import guard
from normalize.structure import vocab
from normalize.structure.draft import Meta
from normalize.structure.vocab import split_names

# In free text a name (normalize.structure.vocab.NAME_CORE) must end at a delimiter or a role word, so that
# "记者从市公安局了解到" yields no name.
_NAME_CORE = vocab.NAME_CORE
_NAME = (
    _NAME_CORE
    + r"(?=$|[\s、，,；;：:）)】\]／/|]|报道|報導|报导|摄|攝|通讯员|通訊員|实习生|實習生|编辑|編輯|校对|校對)"
)
_NAMES = rf"{_NAME}(?:[、,，\s]+{_NAME}){{0,5}}"
_AUTHOR_LABEL = re.compile(r"(?:作者|撰文|撰稿)\s*[:：]\s*(?P<v>" + _NAMES + ")")
_REPORTER = re.compile(vocab.REPORTER_ROLE + r"[:：\s]*(?P<v>" + _NAMES + ")")
_SLASH_ROLE = re.compile(  # "滑清泉/文 谭啸/图"
    r"(?:^|(?<=[\s（(【，,、]))(?P<v>" + _NAME_CORE + r")\s*[/／]\s*(?P<role>"
    + vocab.TEXT_ROLE + "|" + vocab.PHOTO_ROLE + ")"
)
_WEN = re.compile(r"(?:^|[\s（(【])" + vocab.TEXT_ROLE + r"\s*[/／]\s*(?P<v>" + _NAMES + ")")
_PHOTO = re.compile(
    r"(?:(?:摄影|攝影|图|圖)\s*[/／:：]\s*(?P<a>" + _NAMES + r"))"
    "|(?:(?:(?<![" + HAN_CHARS + r"])|(?<=记者)|(?<=記者)|(?<=通讯员)|(?<=通訊員)|(?<=实习生)|(?<=實習生))"
    r"(?P<b>" + _NAMES + r")\s*(?:摄|攝)(?:影)?\s*[）)】]?\s*$)"
)
# the patterns read on every lead line, behind the pre-filter of their words (/, 记者, 文: normalize.literals)
_SLASH_ROLE_GUARDED, _REPORTER_GUARDED, _WEN_GUARDED = guard(_SLASH_ROLE), guard(_REPORTER), guard(_WEN)
_PHOTO_GUARDED = guard(_PHOTO)  # every match holds 摄, 攝, 图 or 圖: a cheap scan skips the other lines
_CLOSING_BRACKET = re.compile(
    "[（(【\\[]\\s*(?P<v>[" + HAN_CHARS + r"]{2,4}|[A-Za-zＡ-Ｚａ-ｚ]{1,4})\s*[）)】\]]\s*$"
)


def read_meta_lines(lines: list[str]) -> Meta:
    """Read publish time, source, editor and authors from the page's metadata lines.

    >>> m = read_meta_lines(["发布时间：2020-02-12 08:28 来源：市卫健局 作者：王明", "责任编辑：李华"])
    >>> (m.published, m.source, m.editor, m.authors)
    ('2020-02-12T08:28', '市卫健局', '李华', ['王明'])
    >>> read_meta_lines(["本文来源：华尔街见闻 责任编辑：NF041"]).editor
    'NF041'
    >>> read_meta_lines(["编辑：李跃群校对：王五"]).editor
    '李跃群'
    >>> read_meta_lines(["编辑部地址：某某路1号"]).editor is None
    True
    >>> read_meta_lines(["责任编辑：史建磊_NBJ11331"]).editor
    '史建磊'
    """
    meta = Meta()
    for line in lines:
        _read_one_line(line, meta)
    return meta


def _read_one_line(line: str, meta: Meta) -> None:
    if meta.published is None:
        meta.published = vocab.publish_date(line)
    if meta.source is None and (m := vocab.SOURCE.search(line)):
        meta.source = vocab.clean_source(m["v"])
    if meta.editor is None:
        meta.editor = vocab.read_editor(line)
    if m := _AUTHOR_LABEL.search(line):
        _add(meta.authors, split_names(m["v"]))


def read_bylines(body: list[str], meta: Meta, nearby: list[str] | None = None) -> None:
    """Add reporters, authors and photographers named inside the body (the body is not changed);
    ``nearby`` lines (dropped just around the body, e.g. a photo credit) are read for photographers.

    >>> m = Meta()
    >>> read_bylines(["新华网北京1月17日电（记者吴俊宽、高鹏）国家体育总局17日发表白皮书。",
    ...               "图为会议现场。张三 摄", "（王文举）"], m)
    >>> (m.authors, m.photographers)
    (['吴俊宽', '高鹏', '王文举'], ['张三'])
    >>> m = Meta()
    >>> read_bylines(["图为检查人员在餐馆检查燃气管道。新华社记者廖宇杰摄"], m)
    >>> (m.authors, m.photographers)
    ([], ['廖宇杰'])
    """
    authors_before = list(meta.authors)
    head = body[:3]
    for line in head:
        for m in _SLASH_ROLE_GUARDED.finditer(line[:80]):
            _add(meta.authors if m["role"] == "文" else meta.photographers, split_names(m["v"]))
        for m in _REPORTER_GUARDED.finditer(line[:80]):
            _add(meta.authors, split_names(m["v"]))
        for m in _WEN_GUARDED.finditer(line[:40]):
            _add(meta.authors, split_names(m["v"]))
    if body:
        for m in _WEN_GUARDED.finditer(body[-1][-30:]):
            _add(meta.authors, split_names(m["v"]))
    for line in body + (nearby or []):
        for m in _PHOTO_GUARDED.finditer(line):
            _add(meta.photographers, split_names(m["a"] or m["b"]))
    closing = _CLOSING_BRACKET.search(body[-1][-12:]) if body else None
    if closing:
        _add(meta.authors, split_names(closing["v"]))
    # a reporter credited with 摄 ("新华社记者廖宇杰摄") took the photo: a photographer, not also an author
    credited = set(meta.photographers) - set(authors_before)
    meta.authors[:] = [a for a in meta.authors if a in authors_before or a not in credited]


def _add(names: list[str], new: list[str]) -> None:
    for name in new:
        if name not in names:
            names.append(name)


# --- the lead's bracketed byline -------------------------------------------------------------------
LEAD_BYLINE = re.compile(
    r"^\s*+(?:(?P<src>[" + HAN_CHARS + r"]{2,12}?)(?:讯|訊|消息|电|電))?\s*+[(（](?P<by>"
    + vocab.REPORTER_ROLE
    + r"[^)）]{1,40})[)）]"
)
NOT_A_SOURCE = {"本报", "本報", "本台", "本网", "本網", "本刊", "本站"}
ROLE_WORDS = re.compile(vocab.REPORTER_ROLE)
PHOTO_MARK = re.compile(r"[/／]?" + vocab.PHOTO_ROLE + "$")
TEXT_MARK = re.compile(r"[/／]?" + vocab.TEXT_ROLE + "$")


def parse_byline(byline: str) -> tuple[list[str], list[str]]:
    """Names of a bracketed byline: (authors, photographers).

    Inside a lead byline's brackets every token is a role word or a name, so a token is a name by its
    shape alone (:func:`~normalize.structure.vocab.is_name`); :func:`read_bylines` scans free text and
    needs context.

    >>> parse_byline("记者 滑清泉/文 谭啸/图")
    (['滑清泉'], ['谭啸'])
    >>> parse_byline("记者柴锦玉")
    (['柴锦玉'], [])
    >>> parse_byline("本报记者 张三 李四 通讯员 王五 摄")
    (['张三', '李四', '王五'], [])
    """
    authors: list[str] = []
    photographers: list[str] = []
    for part in re.split(r"[\s、，,]+", ROLE_WORDS.sub(" ", byline)):
        name, target = part, authors
        if PHOTO_MARK.search(part) and len(part) > 2:
            name, target = PHOTO_MARK.sub("", part), photographers
        elif TEXT_MARK.search(part) and len(part) > 2:
            name = TEXT_MARK.sub("", part)
        if vocab.is_name(name) and name not in authors + photographers:
            target.append(name)
    return authors, photographers


def read_lead_byline(lead: str, meta: Meta) -> None:
    """The names of the lead's bracketed byline, and its source unless it is 本报/本台/本网.

    >>> m = Meta(); read_lead_byline("驻马店网讯（记者 滑清泉/文 谭啸/图）2月20日上午，", m)
    >>> m.source, m.authors, m.photographers
    ('驻马店网', ['滑清泉'], ['谭啸'])
    """
    m = LEAD_BYLINE.match(lead)
    if not m:
        return
    authors, photographers = parse_byline(m["by"])
    meta.authors += [a for a in authors if a not in meta.authors]
    meta.photographers += [p for p in photographers if p not in meta.photographers]
    if m["src"] and m["src"] not in NOT_A_SOURCE and not meta.source:
        meta.source = m["src"]
