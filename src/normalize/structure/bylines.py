"""Article metadata on Chinese news and government pages: headline, kicker, subtitle, publish time,
source, authors, photographers and editor.

The page's own metadata line ("发布时间：2020-02-12 08:28 来源：市政府办 责任编辑：张三") is read first;
these lines are removed from the body by :mod:`~normalize.structure.furniture` and handed here. Bylines
inside the text (记者 张三, 文/李四, 王五 摄, a name in brackets closing the text) are read from the body
without changing it. Pure functions over strings; the HTML side (``<title>``, ``<h1>``) is in
:mod:`normalize.extract`.
"""

from __future__ import annotations

import re

from normalize.chars import HAN_CHARS
from normalize.structure import vocab
from normalize.structure.meta import Meta
from normalize.structure.vocab import split_names

__all__ = ["Meta", "normalize_date", "read_bylines", "read_meta_lines", "split_names", "strip_title_suffix"]

_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|--|——|－－|\s-\s|\s－\s|\s–\s|\s—\s)\s*")

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
_PHOTO_HINT = re.compile("[摄攝图圖]")  # every _PHOTO match holds one: a cheap scan skips the other lines
_CLOSING_BRACKET = re.compile(
    "[（(【\\[]\\s*(?P<v>[" + HAN_CHARS + r"]{2,4}|[A-Za-zＡ-Ｚａ-ｚ]{1,4})\s*[）)】\]]\s*$"
)


def strip_title_suffix(title: str) -> str:
    """The headline part of a ``<title>``: the site name after ``_``, ``|``, `` - `` goes.

    >>> strip_title_suffix("我市召开春耕生产工作会议_中山网")
    '我市召开春耕生产工作会议'
    >>> strip_title_suffix("韩国女主播是非不断 - 新浪新闻")
    '韩国女主播是非不断'
    >>> strip_title_suffix("要闻 | 市政府常务会议研究部署春耕工作 | 某某市人民政府")
    '市政府常务会议研究部署春耕工作'
    """
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title.strip()) if p.strip()]
    if not parts:
        return title.strip()
    return max(parts, key=len) if len(parts[0]) < 6 else parts[0]


def normalize_date(text: str) -> str | None:
    """The first date (and time) in ``text``: :func:`vocab.parse_date`, the one date reader
    of both paths.

    >>> normalize_date("发布时间：2020年2月12日 08:28  来源：市政府办")
    '2020-02-12T08:28'
    >>> normalize_date("新华网北京１月１２日电") is None
    True
    >>> normalize_date("２０１１－１２－０９　１８：５１：０３")
    '2011-12-09T18:51:03'
    """
    return vocab.parse_date(text)


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
        meta.published = normalize_date(line)
    if meta.source is None and (m := vocab.SOURCE.search(line)):
        meta.source = _clean_source(m["v"])
    if meta.editor is None:
        meta.editor = vocab.read_editor(line)
    if m := _AUTHOR_LABEL.search(line):
        _add(meta.authors, split_names(m["v"]))


def _clean_source(value: str) -> str:
    """A source value without a trailing label that ran into it (:func:`vocab.clean_source`).

    >>> _clean_source("新华网作者")
    '新华网'
    >>> _clean_source("新华网57人参与11评论")
    '新华网'
    >>> _clean_source("宿遷市廣播電視總臺發佈時間")
    '宿遷市廣播電視總臺'
    """
    return vocab.clean_source(value)


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
        for m in _SLASH_ROLE.finditer(line[:80]):
            _add(meta.authors if m["role"] == "文" else meta.photographers, split_names(m["v"]))
        for m in _REPORTER.finditer(line[:80]):
            _add(meta.authors, split_names(m["v"]))
        for m in _WEN.finditer(line[:40]):
            _add(meta.authors, split_names(m["v"]))
    if body:
        for m in _WEN.finditer(body[-1][-30:]):
            _add(meta.authors, split_names(m["v"]))
    for line in body + (nearby or []):
        if not _PHOTO_HINT.search(line):
            continue
        for m in _PHOTO.finditer(line):
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
