"""The one vocabulary of dates, bylines, names, source and editor labels, shared by both paths.

Text captures (:mod:`metadata`, :mod:`boilerplate`, :mod:`epaper`) and
HTML pages (:mod:`bylines`, :mod:`normalize.extract.head`, :mod:`normalize.extract.parts`)
read the same things — a publish date, a reporter's name, a 来源 or 责任编辑 label — and must agree on
them: a fix here (a new byline shape, full-width digits, a traditional-script spelling) reaches both.
What the two paths do *differently* with this vocabulary is documented where they differ:

- the text path reads a lead byline in brackets, where every token is a role word or a name
  (:func:`metadata.parse_byline`), and a date in the lead without a year (:func:`partial_date`);
- the HTML path scans free text for bylines with context (:func:`~normalize.structure.bylines.read_bylines`)
  and reads labelled metadata lines (:func:`~normalize.structure.bylines.read_meta_lines`).

Full-width digits and colons are read as ASCII for matching only (:data:`DIGITS`, a one-to-one
translation, so match positions hold); the text itself is never width-folded.
"""

from __future__ import annotations

import re

from normalize.chars import HAN_CHARS

COLON = "[:：]"

# ---------------------------------------------------------------------------------------------- dates
# Full-width digits, colon, slash and dash read as ASCII for dates only (one character for one).
DIGITS = str.maketrans("０１２３４５６７８９：／－", "0123456789:/-")

DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/年.]\s*(?P<m>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:[TＴ]|\s)?\s*(?P<H>\d{1,2})\s*[:时時]\s*(?P<M>\d{2})(?:\s*[:分]\s*(?P<S>\d{2}))?)?"
)
MONTH_DAY = re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")


def parse_date(text: str) -> str | None:
    """The first full date (and time) in ``text`` as ISO ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]``.

    >>> parse_date("2020年02月12日08:28 来源:宿迁市广播电视总台"), parse_date("发布日期:2020-02-14")
    ('2020-02-12T08:28', '2020-02-14')
    >>> parse_date("２０１１－１２－０９　１８：５１：０３"), parse_date("2020年2月12日 8时30分")
    ('2011-12-09T18:51:03', '2020-02-12T08:30')
    >>> parse_date("新华网北京１月１２日电") is None, parse_date("2020年13月40日") is None
    (True, True)
    """
    m = DATE.search(text.translate(DIGITS))
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


# dates that a page labels as something else than its publish date: a government document's 成文日期
# (written), 实施/施行/生效日期 (in force from), 废止日期, 截止日期, 印发日期, 有效期
OTHER_DATE = re.compile(
    r"(?:成文|实施|實施|施行|生效|失效|废止|廢止|截止|印发|印發|有效期)(?:日期|时间|時間|至)?\s*[:：]?\s*"
    r"(?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?"
)


def publish_date(text: str) -> str | None:
    """The first date in ``text`` that is not labelled as another kind of date (成文日期, 实施日期 ...).

    >>> publish_date("成文日期： 2023-10-19 发布日期：2023-11-07")
    '2023-11-07'
    >>> publish_date("实施日期： 2025年06月01日") is None
    True
    >>> publish_date("发布时间：2020-02-12 08:28")
    '2020-02-12T08:28'
    """
    return parse_date(OTHER_DATE.sub(" ", text))


DATE_LABEL = re.compile(  # a metadata label with its colon, 来源于, or a date first
    r"(?:发布|發佈|發布|发表|發表|更新|时间|時間|日期|来源|來源|作者|编辑|編輯|责编|責編|浏览|瀏覽|点击|點擊)"
    r"[^\d:：]{0,6}[:：]|来源于|來源於|^\s*(?:19|20)\d{2}\s*[-/年.]"
)


def labelled_date(text: str) -> str | None:
    """The publish date of a block that labels it (发布时间：…, 来源：…) or starts with it; a date in a
    block without a label (a teaser's, a video player's build date) is not the article's.

    >>> labelled_date("发布日期：2023-11-07 浏览次数：12")
    '2023-11-07'
    >>> labelled_date("复制当前时间的页面地址 (2019-9-5 9:38)") is None
    True
    """
    return publish_date(text) if DATE_LABEL.search(text) else None


def partial_date(text: str) -> str | None:
    """``M月D日`` as an ISO date without year (``--MM-DD``): a lead gives no year.

    >>> partial_date("2月20日上午,市委副书记"), partial_date("11月4日至6日"), partial_date("１月１２日电")
    ('--02-20', '--11-04', '--01-12')
    """
    m = MONTH_DAY.search(text.translate(DIGITS))
    if not m or not (1 <= int(m["m"]) <= 12 and 1 <= int(m["d"]) <= 31):
        return None
    return f"--{int(m['m']):02d}-{int(m['d']):02d}"


# -------------------------------------------------------------------------------------- byline roles
# Role words in front of names (simplified and traditional); the longer spellings come first.
REPORTER_ROLE = (
    r"(?:本报|本報|本台|本网|本網)?(?:特约|特約)?(?:记者|記者|通讯员|通訊員|实习生|實習生)"
)
PHOTO_ROLE = r"(?:摄影|攝影|摄|攝|图|圖)"
TEXT_ROLE = r"文"

# ---------------------------------------------------------------------------------------------- names
# A person's name: 2-4 hanzi, a transliterated name with a middle dot, or a Latin name. In free text
# (the HTML path) it must also end at a delimiter or a role word (see normalize.structure.bylines), so that
# "记者从市公安局了解到" yields no name.
NAME_CORE = (
    r"(?![从在日近获了对向到将据于])"
    rf"(?:[{HAN_CHARS}]{{1,6}}[·•][{HAN_CHARS}]{{1,8}}|[{HAN_CHARS}]{{2,4}}"
    # atomic: the longest Latin name, once (a line of " A A A ..." took minutes: issue 10)
    r"|(?>[A-Za-z][A-Za-z .]{0,20}[A-Za-z]))"
)
# A token that is a whole name (a bracketed byline's token, a name line): Han names up to 5 characters
# (compound surnames: 欧阳晓明), with a middle dot, or Latin.
NAME_TOKEN = re.compile(
    rf"[{HAN_CHARS}]{{1,6}}[·•][{HAN_CHARS}]{{1,8}}|[{HAN_CHARS}]{{2,5}}|[A-Za-z][A-Za-z .]{{0,20}}[A-Za-z]"
)
NOT_NAMES = frozenset(
    {"完", "完结", "待续", "未完", "全文完", "本文完", "记者", "编辑", "图", "摄", "新华社", "中新社"}
    | {"综合", "供图", "资料图", "资料", "网络", "原创", "译", "转载", "组图", "报道", "報道", "报导", "報導"}
    | {"通讯员", "通訊員", "实习生", "實習生", "摄影", "攝影", "记者", "記者", "编辑", "編輯"}
)
# words that follow 记者/作者 but are not names ("记者注意到", "作者：未知", "网络整理")
NOT_NAME_WORDS = re.compile(
    r"(注意|发现|發現|了解|获悉|獲悉|表示|透露|梳理|统计|統計|采访|採訪|看到|查询|查詢|致电|致電|走访|走訪"
    r"|调查|調查|整理|整合|独家|獨家|未知|详细|詳細|阅读|閱讀|编辑|編輯|责任|責任|日前|近日|昨日|今日|专访|專訪|记者|記者"
    r"|发布|發佈|發布|时间|時間|日期|来源|來源|点击|點擊|浏览|瀏覽)"
)
_NAME_WORDS_STOP = re.compile(r"(报道|報導|报导|摄影|攝影|摄|攝|获悉|了解|日电|电|讯|訊)$")


def _plausible_name(name: str) -> bool:
    return 2 <= len(name) <= 12 and name not in NOT_NAMES and not NOT_NAME_WORDS.search(name)


def is_name(token: str) -> bool:
    """Whether one token is a person's name (its shape, and not a role or a reporting verb).

    >>> is_name("柴锦玉"), is_name("欧阳晓明"), is_name("通讯员"), is_name("注意到"), is_name("摄")
    (True, True, False, False, False)
    """
    return NAME_TOKEN.fullmatch(token) is not None and _plausible_name(token)


def split_names(value: str) -> list[str]:
    """Names in a byline value, without role words.

    >>> split_names("吴俊宽、高鹏")
    ['吴俊宽', '高鹏']
    >>> split_names("张三 李四报道")
    ['张三', '李四']
    >>> split_names("注意到")
    []
    """
    names: list[str] = []
    for part in re.split(r"[、,，\s]+", value):
        name = _NAME_WORDS_STOP.sub("", part.strip("·• "))
        if _plausible_name(name) and name not in names:
            names.append(name)
    return names


# ------------------------------------------------------------------------------- source and editor
SOURCE_LABEL = r"(?:信息来源|信息來源|文章来源|文章來源|来源|來源|稿源|出处|出處)"
# the label that would follow an empty source ("来源： 发布时间：...")
_NOT_A_SOURCE_VALUE = r"(?!作者|编辑|編輯|责任|責任|发布|發佈|發布|时间|時間|日期|点击|點擊)"
SOURCE = re.compile(SOURCE_LABEL + r"\s*" + COLON + r"\s*" + _NOT_A_SOURCE_VALUE
                    + r"(?P<v>[^\s|｜,，;；:：]{1,30})")

EDITOR_LABEL = r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯)"
# an editor is named by one token: a name, a pen name ("几乎不流浪") or a staff code ("NF041")
EDITOR = re.compile(
    EDITOR_LABEL + r"(?:\s*" + COLON + r"\s*|\s+)"
    r"(?!作者|来源|來源|发布|發佈|时间|時間|日期|校对|校對)(?P<v>[^\s|｜,，;；:：()（）【】\[\]]{2,12})"
)


def read_source(line: str) -> str | None:
    """The source a ``来源：`` label names on ``line``, without a label that ran into it.

    >>> read_source("2020年02月12日08:28 来源:宿迁市广播电视总台"), read_source("來源：新华网57人参与11评论")
    ('宿迁市广播电视总台', '新华网')
    >>> read_source("来源: 发布日期:2020-02-14") is None, read_source("宿遷市廣播電視總臺") is None
    (True, True)
    """
    m = SOURCE.search(line)
    return (clean_source(m["v"]) or None) if m else None


def clean_source(value: str) -> str:
    """A source value without a trailing label that ran into it.

    >>> clean_source("新华网作者"), clean_source("新华网57人参与11评论")
    ('新华网', '新华网')
    >>> clean_source("宿遷市廣播電視總臺發佈時間")
    '宿遷市廣播電視總臺'
    """
    value = re.sub(r"\d+人参与.*$|\d+人參與.*$", "", value)
    return re.split(r"作者|编辑|編輯|责任|責任|点击|點擊|时间|時間|發佈|發布|发布|日期|浏览|瀏覽", value)[0]


_STAFF_CODE = re.compile(rf"(?<=[{HAN_CHARS}])_[A-Za-z]+\d+$")


def read_editor(line: str) -> str | None:
    """The editor a ``责任编辑：`` label names on ``line``.

    >>> read_editor("本文来源：华尔街见闻 责任编辑：NF041"), read_editor("编辑：李跃群校对：王五")
    ('NF041', '李跃群')
    >>> read_editor("责任编辑：史建磊_NBJ11331"), read_editor("編輯部地址：某某路1號")
    ('史建磊', None)
    """
    m = EDITOR.search(line)
    if m is None:
        return None
    value = re.split(r"校对|校對|审核|審核|发布|發佈|时间|時間|来源|來源", m["v"])[0]
    return _STAFF_CODE.sub("", value) or None  # 史建磊_NBJ11331
