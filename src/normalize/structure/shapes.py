"""The shapes of a line, the one place that says what a sentence, prose, a headline or a name line is.

- :func:`is_sentence`: a sentence of an article — it :func:`ends_sentence` (。！？；… or ASCII ones,
  closing quotes aside) or :func:`is_prose` (two sentence ends, or long with several commas: the guard
  that keeps a body sentence mentioning 举报电话 or 版权 from being taken for furniture);
- :func:`is_title_like` / :func:`is_paragraph`: a short line with Han characters that does not end a
  sentence (a headline, a name, a label) / any other non-blank line;
- :data:`NAMES_LINE` (one to three bare names), :data:`ELLIPSIS_END` (a teaser cut short),
  :data:`BULLET_LINE` / :data:`BULLET_ITEM` (list marks of a text capture), :data:`LIST_MARK` (the
  mark of a list item in extracted text).
"""

from __future__ import annotations

import re

from normalize.chars import HAN, HAN_CHARS

# each run tried once, from its first mark (linear on 100k dots)
ELLIPSIS_END = re.compile(r"((?<!\.)\.{3,}+|(?<!…)…++|(?<!。)。{3,}+)\s*+$")
BULLET_LINE = re.compile(r"^\s*[-•·*▪◆●]\s*$")
BULLET_ITEM = re.compile(r"^\s*[-•·*▪◆●]\s+\S.{0,24}$")
LIST_MARK = re.compile(r"^[-•·*]\s+")  # the mark trafilatura writes before a list item ("- 项目")
NAMES_LINE = re.compile(rf"^\s*[{HAN_CHARS}]{{2,4}}(?:[ \u3000]+[{HAN_CHARS}]{{2,4}}){{0,2}}\s*$")
TITLE_MAX_CHARS = 80
TAIL_CHARS = 40  # a line's end is read from its last characters (a whole article can be one line)
_QUOTES_AFTER_END = "”’」』\"'"
_SENTENCE_MARKS = ("。", "！", "？", "!", "?", "；", ";", "…", "...")


def ends_sentence(line: str) -> bool:
    """The line ends with a sentence mark, closing quotes and trailing spaces aside.

    >>> ends_sentence("正文结束。” "), ends_sentence("他说……"), ends_sentence("标题 2020.01.06")
    (True, True, False)
    """
    return line[-TAIL_CHARS:].rstrip().rstrip(_QUOTES_AFTER_END).endswith(_SENTENCE_MARKS)


def is_prose(line: str) -> bool:
    """Two sentence ends, or long with several commas: a body sentence, not a label line.

    >>> is_prose("省高院向社会公布了举报电话。凡是群众来电涉及拖欠工资的，要进行通报。")
    True
    >>> is_prose("举报电话：12345")
    False
    """
    ends = line.count("。") + line.count("！") + line.count("？")
    return ends >= 2 or (len(line) >= 60 and ends + line.count("，") >= 3)


def is_sentence(line: str) -> bool:
    """A sentence of an article: it ends a sentence or reads as prose.

    >>> is_sentence("会议要求各地抓好落实。"), is_sentence("一、抓好种子供应")
    (True, False)
    """
    return ends_sentence(line) or is_prose(line)


def is_title_like(line: str) -> bool:
    """A short line with Han characters and no sentence-final mark: a headline, name or label.

    >>> is_title_like("毫不放松 统筹推进 抓实抓细各项工作"), is_title_like("会议还研究了其他事项。")
    (True, False)
    >>> is_title_like("市委书记到企业调研，")  # a sentence broken after a comma
    False
    """
    s = line.strip()
    return (0 < len(s) <= TITLE_MAX_CHARS and HAN.search(s) is not None and not ends_sentence(s)
            and "。" not in s and s[-1] not in "，,、\ufffd"  # U+FFFD: a line cut by damage, not a headline
            and not BULLET_ITEM.match(s) and not BULLET_LINE.match(s))


def is_paragraph(line: str) -> bool:
    """A non-blank line that is not title-like (body text).

    >>> is_paragraph("会议还研究了其他事项。"), is_paragraph("相关新闻"), is_paragraph("")
    (True, False, False)
    """
    return bool(line.strip()) and not is_title_like(line)
