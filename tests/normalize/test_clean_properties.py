"""Properties of clean() on generated text: it never raises (CleanError only for empty input), is
idempotent on its own output text, never adds U+FFFD and never turns Chinese punctuation into ASCII.

Idempotency is checked on text written in one script (simplified, or traditional with annotations): in a
few characters of mixed script, removing a boilerplate line can change which script the rest is detected
as (a known limit of detecting script on tiny texts; see
tests/normalize/cases/structure/known-failures.json)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize import CleanError, clean
from normalize.repairs.controls import strip_control_characters

SIMP = "复工产疫情防控企业市委书记调研会议强调区长部署统筹推进经济社会发展"
TRAD = "復工產疫情防控企業市委書記調研會議強調區長部署統籌推進經濟社會發展"
HAN = SIMP + TRAD
CN_PUNCT = "，。、；：？！（）“”《》…"
ASCII = "abcxyz ,.:;?!()-/|0123456789"
FRAGMENTS = [
    "(qū)", "(diào)", "(huì )", "(guo)(guo)", "版权声明:", "1.凡本网注明", "责任编辑:张三", "( 编辑:李四 ) |",
    "查看心情排行", "豫公网安备 4117号", "- 热门职位", "-", "...", "摘要:", "来源:", "发布日期:2020-02-14",
    "2020年2月18日 星期二", "第7期(总第1227期)", "新闻热线:", "主编:王五", "管锚点用", "方韋",
    "记者 滑清泉/文", "本报讯(记者柴锦玉)", "打印", "\n", "\n\n", " ", "\u3000", "1,000",
]
piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=HAN + CN_PUNCT + ASCII + "\n", min_size=1,
                                                     max_size=30))
texts = st.lists(piece, min_size=1, max_size=30).map("".join)
NEUTRAL = ["(qū)", "(diào)", "(huì )", "(guo)(guo)", "-", "...", "\n", "\n\n", " ", "1,000", "打印"]
FRAG_S = ["版权声明:", "1.凡本网注明", "责任编辑:张三", "( 编辑:李四 ) |", "查看心情排行", "- 热门职位",
          "摘要:", "来源:", "发布日期:2020-02-14", "新闻热线:", "主编:王五", "管锚点用", "本报讯(记者柴锦玉)"]
FRAG_T = ["版權聲明:", "1.凡本網注明", "責任編輯:張三", "( 編輯:李四 ) |", "查看心情排行", "- 熱門職位",
          "摘要:", "來源:", "發布日期:2020-02-14", "新聞熱線:", "主編:王五", "管錨點(diǎn)用",
          "本報訊(記者柴錦玉)"]


def one_script(alphabet: str, fragments: list[str]) -> st.SearchStrategy[str]:
    part = st.one_of(st.sampled_from(fragments + NEUTRAL),
                     st.text(alphabet=alphabet + CN_PUNCT + ASCII + "\n", min_size=1, max_size=30))
    return st.lists(part, min_size=1, max_size=30).map("".join)


single_script_texts = st.one_of(one_script(SIMP, FRAG_S), one_script(TRAD, FRAG_T))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _clean_text(text: str) -> list[str]:
    try:
        return [r.text for r in clean(text, kind="text")]
    except CleanError as exc:
        # empty: nothing but whitespace and control characters (stripped as not text)
        assert exc.reason == "empty" and not strip_control_characters(text).strip(), f"{exc.reason}: {exc}"
        return []


@SETTINGS
@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _clean_text(text)


@SETTINGS
@given(texts)
def test_never_raises_on_newsy_text(text: str) -> None:
    out = _clean_text(text)
    assert all(isinstance(t, str) for t in out)


@SETTINGS
@given(single_script_texts)
def test_idempotent_on_its_own_output(text: str) -> None:
    for once in _clean_text(text):
        if once.strip():
            assert _clean_text(once) == [once]


def _decodes_cleanly(data: bytes) -> bool:
    for codec in ("utf-8", "gb18030"):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return True
    return False


@SETTINGS
@given(st.one_of(texts, texts.map(lambda t: t.encode("gb18030")), st.binary(max_size=200)))
def test_never_adds_replacement_character(data: str | bytes) -> None:
    """No U+FFFD in the output when the input has none and some candidate decodes the bytes cleanly."""
    if isinstance(data, bytes) and not _decodes_cleanly(data):
        return
    try:
        records = clean(data, kind="text")
    except CleanError:
        return
    source = data if isinstance(data, str) else data.decode("utf-8", "ignore")
    if "\ufffd" not in source:
        for r in records:
            assert "\ufffd" not in r.text + (r.title or "")


@SETTINGS
@given(st.text(alphabet=HAN + CN_PUNCT + "\n\u3000", min_size=1, max_size=300))
def test_never_turns_chinese_punctuation_into_ascii(text: str) -> None:
    """Input with only full-width punctuation comes out with no ASCII punctuation."""
    for out in _clean_text(text):
        assert not set(out) & set(",:;?!()"), out
