"""Article metadata on Chinese news and government pages: headline, kicker, subtitle, publish time,
source, authors, photographers and editor.

The page's own metadata line ("发布时间：2020-02-12 08:28 来源：市政府办 责任编辑：张三") is read first;
these lines are removed from the body by :mod:`normalize.extract_furniture` and handed here. Bylines
inside the text (记者 张三, 文/李四, 王五 摄, a name in brackets closing the text) are read from the body
without changing it. Pure functions over strings; the HTML side (``<title>``, ``<h1>``) is in
:mod:`normalize.extract`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Full-width digits and colon, read as ASCII for dates only (the text itself is never width-folded).
_DIGITS = str.maketrans("０１２３４５６７８９：／－", "0123456789:/-")

_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|--|——|－－|\s-\s|\s－\s|\s–\s|\s—\s)\s*")

_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/年.]\s*(?P<m>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:[TＴ]|\s)?\s*(?P<H>\d{1,2})\s*[:时時]\s*(?P<M>\d{2})(?:\s*[:分]\s*(?P<S>\d{2}))?)?"
)

# A person's name: 2-4 hanzi, a transliterated name with a middle dot, or a Latin name; it must end at a
# delimiter or a role word, so that "记者从市公安局了解到" yields no name.
_NAME_CORE = (
    r"(?![从在日近获了对向到将据于])"
    r"(?:[\u3400-\u9fff]{1,6}[·•][\u3400-\u9fff]{1,8}|[\u3400-\u9fff]{2,4}|[A-Za-z][A-Za-z .]{0,20}[A-Za-z])"
)
_NAME = (
    _NAME_CORE
    + r"(?=$|[\s、，,；;：:）)】\]／/|]|报道|報導|报导|摄|攝|通讯员|通訊員|实习生|實習生|编辑|編輯|校对|校對)"
)
_NAMES = rf"{_NAME}(?:[、,，\s]+{_NAME}){{0,5}}"
_SOURCE = re.compile(
    r"(?:来源|來源|稿源|信息来源|文章来源|文章來源|出处)\s*[:：]\s*"
    r"(?!作者|编辑|編輯|责任|責任|发布|發佈|發布|时间|時間|日期|点击|點擊)(?P<v>[^\s|｜,，;；:：]{1,30})"
)
# an editor is named by one token: a name, a pen name ("几乎不流浪") or a staff code ("NF041")
_EDITOR = re.compile(
    r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯)(?:\s*[:：]\s*|\s+)"
    r"(?!作者|来源|來源|发布|發佈|时间|時間|日期|校对|校對)(?P<v>[^\s|｜,，;；:：()（）【】\[\]]{2,12})"
)
_AUTHOR_LABEL = re.compile(r"(?:作者|撰文|撰稿)\s*[:：]\s*(?P<v>" + _NAMES + ")")
_REPORTER = re.compile(
    r"(?:本报|本報|本台|本網|本网)?(?:特约)?(?:记者|記者|通讯员|通訊員)[:：\s]*(?P<v>" + _NAMES + ")"
)
_SLASH_ROLE = re.compile(  # "滑清泉/文 谭啸/图"
    r"(?:^|(?<=[\s（(【，,、]))(?P<v>" + _NAME_CORE + r")\s*[/／]\s*(?P<role>文|图|圖|摄|攝)"
)
_WEN = re.compile(r"(?:^|[\s（(【])文\s*[/／]\s*(?P<v>" + _NAMES + ")")
_PHOTO = re.compile(
    r"(?:(?:摄影|攝影|图|圖)\s*[/／:：]\s*(?P<a>" + _NAMES + r"))"
    r"|(?:(?:(?<![\u3400-\u9fff])|(?<=记者)|(?<=記者)|(?<=通讯员)|(?<=通訊員)|(?<=实习生))"
    r"(?P<b>" + _NAMES + r")\s*(?:摄|攝)(?:影)?\s*[）)】]?\s*$)"
)
_CLOSING_BRACKET = re.compile(
    r"[（(【\[]\s*(?P<v>[\u3400-\u9fff]{2,4}|[A-Za-zＡ-Ｚａ-ｚ]{1,4})\s*[）)】\]]\s*$"
)
_NOT_NAMES = frozenset(
    {"完", "完结", "待续", "未完", "全文完", "本文完", "记者", "编辑", "图", "摄", "新华社", "中新社"}
    | {"综合", "供图", "资料图", "资料", "网络", "原创", "译", "转载", "组图", "报道", "報道", "报导", "報導"}
    | {"通讯员", "通訊員", "实习生", "實習生", "摄影", "攝影", "记者", "記者", "编辑", "編輯"}
)
# words that follow 记者/作者 but are not names ("记者注意到", "作者：未知", "网络整理")
_NOT_NAME_WORDS = re.compile(
    r"(注意|发现|發現|了解|获悉|獲悉|表示|透露|梳理|统计|統計|采访|採訪|看到|查询|查詢|致电|致電|走访|走訪"
    r"|调查|調查|整理|整合|独家|獨家|未知|详细|詳細|阅读|閱讀|编辑|編輯|责任|責任|日前|近日|昨日|今日|专访|專訪|记者|記者"
    r"|发布|發佈|發布|时间|時間|日期|来源|來源|点击|點擊|浏览|瀏覽)"
)
_NAME_WORDS_STOP = re.compile(r"(报道|報導|报导|摄影|攝影|摄|攝|获悉|了解|日电|电|讯|訊)$")


@dataclass
class Meta:
    """What the metadata lines and bylines say."""

    published: str | None = None
    source: str | None = None
    editor: str | None = None
    authors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)


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
    """The first date (and time) in ``text`` as ISO ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]``.

    >>> normalize_date("发布时间：2020年2月12日 08:28  来源：市政府办")
    '2020-02-12T08:28'
    >>> normalize_date("新华网北京１月１２日电") is None
    True
    >>> normalize_date("２０１１－１２－０９　１８：５１：０３")
    '2011-12-09T18:51:03'
    """
    m = _DATE.search(text.translate(_DIGITS))
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    out = f"{y:04d}-{mo:02d}-{d:02d}"
    if m["H"] is not None and int(m["H"]) < 24 and int(m["M"]) < 60:
        out += f"T{int(m['H']):02d}:{m['M']}"
        if m["S"] is not None:
            out += f":{m['S']}"
    return out


def split_names(value: str) -> list[str]:
    """Names in a byline value, without role words.

    >>> split_names("吴俊宽、高鹏")
    ['吴俊宽', '高鹏']
    >>> split_names("张三 李四报道")
    ['张三', '李四']
    >>> split_names("注意到")
    []
    """
    names = []
    for part in re.split(r"[、,，\s]+", value):
        name = _NAME_WORDS_STOP.sub("", part.strip("·• "))
        if (
            2 <= len(name) <= 12
            and name not in _NOT_NAMES
            and not _NOT_NAME_WORDS.search(name)
            and name not in names
        ):
            names.append(name)
    return names


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
    if meta.source is None and (m := _SOURCE.search(line)):
        meta.source = _clean_source(m["v"])
    if meta.editor is None and (m := _EDITOR.search(line)):
        value = re.split(r"校对|校對|审核|審核|发布|發佈|时间|時間|来源|來源", m["v"])[0]
        meta.editor = re.sub(r"(?<=[\u3400-\u9fff])_[A-Za-z]+\d+$", "", value) or None  # 史建磊_NBJ11331
    if m := _AUTHOR_LABEL.search(line):
        _add(meta.authors, split_names(m["v"]))


def _clean_source(value: str) -> str:
    """A source value without a trailing label that ran into it.

    >>> _clean_source("新华网作者")
    '新华网'
    >>> _clean_source("新华网57人参与11评论")
    '新华网'
    >>> _clean_source("宿遷市廣播電視總臺發佈時間")
    '宿遷市廣播電視總臺'
    """
    value = re.sub(r"\d+人参与.*$|\d+人參與.*$", "", value)
    return re.split(r"作者|编辑|編輯|责任|責任|点击|點擊|时间|時間|發佈|發布|发布|日期|浏览|瀏覽", value)[0]


def read_bylines(body: list[str], meta: Meta, nearby: list[str] | None = None) -> None:
    """Add reporters, authors and photographers named inside the body (the body is not changed);
    ``nearby`` lines (dropped just around the body, e.g. a photo credit) are read for photographers.

    >>> m = Meta()
    >>> read_bylines(["新华网北京1月17日电（记者吴俊宽、高鹏）国家体育总局17日发表白皮书。",
    ...               "图为会议现场。张三 摄", "（王文举）"], m)
    >>> (m.authors, m.photographers)
    (['吴俊宽', '高鹏', '王文举'], ['张三'])
    """
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
        for m in _PHOTO.finditer(line):
            _add(meta.photographers, split_names(m["a"] or m["b"]))
    closing = _CLOSING_BRACKET.search(body[-1][-12:]) if body else None
    if closing:
        _add(meta.authors, split_names(closing["v"]))


def _add(names: list[str], new: list[str]) -> None:
    for name in new:
        if name not in names:
            names.append(name)
