"""The five seed captures (archive/seeds, byte-identical copies of the shared seeds) cleaned field by field.

What a reader of the archive would check: headline, date, source, editor, reporters, the e-paper page cut
into its articles, and that no pinyin annotation, traditional character (other than in names) or
boilerplate is left in the text. Also: the committed NAME.json files are what `newsarchive clean` writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from normalize import Record, clean
from normalize.repairs.script import is_traditional_char

SEEDS = Path(__file__).resolve().parents[2] / "archive" / "seeds"
ANNOTATION = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü ]{1,8}[)）]")
BROKEN_ANNOTATION = re.compile(r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]")
BOILERPLATE = [
    "版权声明", "法律顾问", "律师事务所", "责任编辑", "查看心情排行", "公网安备", "ICP", "摘要", "打印",
    "热门职位", "热门地点", "地区招聘", "新闻热线", "官方微信", "官方微博", "主编", "投稿邮箱", "总第1227期",
    "星期二", "( 编辑", "编辑：", "来源：", "发布日期", "...", "\n-\n",
]


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="module")
def records() -> dict[str, list[Record]]:
    return {p.name[:3]: clean(p.read_bytes(), name=p.name) for p in sorted(SEEDS.glob("*.txt"))}


def test_there_are_five_seeds(records: dict[str, list[Record]]) -> None:
    assert sorted(records) == ["000", "001", "002", "003", "004"]


def test_000_headline_summary_byline_editor(records: dict[str, list[Record]]) -> None:
    [r] = records["000"]
    assert r.title == "朱是西深入高新区调研指导企业复工复产和疫情防控工作"
    assert r.subtitle == "主动沟通对接 及时解决难题\n为企业复工复产创造良好条件"
    assert r.kicker is None
    assert (r.published, r.source, r.editor) == ("--02-20", "驻马店网", "律凯凯")
    assert (r.authors, r.photographers) == (["滑清泉"], ["谭啸"])
    assert r.text.startswith("驻马店网讯（记者 滑清泉/文 谭啸/图）2月20日上午，市委副书记、市长朱是西")
    assert r.text.endswith("为圆满完成全年经济社会发展目标奠定坚实基础。")
    kinds = {x.kind for x in r.removed}
    assert {"summary-duplicate", "copyright", "related-links", "icp", "mood-widget", "editor-line"} <= kinds
    copyright_ = next(x.text for x in r.removed if x.kind == "copyright")
    assert "首席法律顾问" in copyright_ and copyright_.count("\n") >= 5  # the clauses went with it


def test_001_dateline_and_injected_token(records: dict[str, list[Record]]) -> None:
    [r] = records["001"]
    assert r.title == ("宿迁市召开服务企业复工复产工作专题会商会 全面贯彻落实中央和省最新部署要求 "
                       "结合实际分批有序推动企业复工复产")
    assert (r.published, r.source) == ("2020-02-12T08:28", "宿迁市广播电视总台")
    assert "按照科学、合理、适度、管用的原则" in r.text
    assert "锚点" not in r.text and "injected-token:锚点" in r.flags
    assert [x.kind for x in r.removed].count("injected-token") == 1
    assert r.text.startswith("2月10日下午，宿迁市召开服务企业复工复产工作专题会商会。")


def test_002_headline_after_body(records: dict[str, list[Record]]) -> None:
    [r] = records["002"]
    assert r.kicker == "刘南昌到卢氏检查疫情防控和企业复工复产工作强调"
    assert r.title == "毫不放松 统筹推进 抓实抓细各项工作"
    assert (r.published, r.source, r.editor, r.authors) == ("2020-02-14", None, "李建新", ["柴锦玉"])
    assert r.text.startswith("本报讯（记者柴锦玉）2月13日，市委书记刘南昌到卢氏县检查疫情防控")
    assert r.text.endswith("努力实现今年经济社会发展预期目标任务。")
    for stray in (",", "，，", "，。", "，、"):
        assert stray not in r.text


def test_003_navigation_and_teasers_go(records: dict[str, list[Record]]) -> None:
    [r] = records["003"]
    assert r.title is None and "no-title" in r.flags
    assert r.published == "--11-04"
    assert r.text.startswith("11月4日至6日，省委常委、市委书记卢东亮")
    assert r.text.endswith("为全市稳经济保安全贡献力量。")
    for teaser in ("永泰街道", "北村村", "阳高县", "在发展中保障和改善民生", "大同高速"):
        assert teaser not in r.text
    teasers = next(x.text for x in r.removed if x.kind == "teaser")
    assert teasers.count("\n") == 9  # five title + lead pairs
    assert "太重集团（大同）起重机有限公司" in r.text  # a legitimate bracket stays


def test_004_epaper_one_record_per_article(records: dict[str, list[Record]]) -> None:
    rs = records["004"]
    assert [r.authors for r in rs] == [["言武旭"], ["许应田"], ["尹天"], ["方韋"], []]
    assert [r.title for r in rs] == [
        "区委常委会召开会议，研究部署当前各项重点工作 统筹推进疫情防控和经济社会发展",
        "黄卫锋督查企业复工复产情况 压紧压实责任 提供高效服务",
        "区委召开专题会议，研究部署企业复工复产工作 确保疫情防控生产经营两不误",
        "曹金海到基层检查指导企业 防控不放松 发展不停步",
        None,
    ]
    assert {r.published for r in rs} == {"2020-02-18"}
    assert rs[4].photographers == ["许丛军"] and "photo-caption" in rs[4].flags  # a photo's credit
    assert rs[4].text.startswith("2月16日，在幸福科技工业园区")
    assert "要强化主动服务意识。" in rs[0].text and "同部署、同检查、同落实" in rs[0].text
    assert "了解员工晨检" in rs[3].text
    assert len({r.id for r in rs}) == 5
    assert not rs[0].script.converted  # simplified page: 方韋 stays as written
    punct = [next(x.count for x in r.repairs if x.step == "restore_fullwidth_punctuation") for r in rs]
    assert len(set(punct)) == 5 and rs[4].repairs[0].count < 10  # each article counts its own lines
    masthead = next(x.text for x in rs[0].removed if x.kind == "masthead")
    assert "第7期（总第1227期）" in masthead and "新闻热线" in masthead


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_boilerplate_left(records: dict[str, list[Record]], prefix: str) -> None:
    for r in records[prefix]:
        for s in BOILERPLATE:
            assert s not in r.text, f"{r.id}: {s!r} left in the text"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_annotation_or_traditional_character_left(records: dict[str, list[Record]], prefix: str) -> None:
    for r in records[prefix]:
        names = "".join(r.authors + r.photographers + ([r.editor] if r.editor else []))
        for field in (r.text, r.title or "", r.kicker or "", r.subtitle or ""):
            assert not ANNOTATION.search(field), f"{r.id}: {ANNOTATION.search(field)}"
            trad = {c for c in field if is_traditional_char(c)} - set(names)
            assert not trad, f"{r.id}: traditional characters left: {''.join(sorted(trad))}"


@pytest.mark.xfail(strict=True, reason="seed 000 holds two spans already destroyed by a GBK round trip "
                   "('环??萍肌⒑幽仙衅肥称?', '重?zé)ㄉ鷻C'): the '?' lost bytes; nothing restores them yet")
def test_000_mojibake_spans_repaired(records: dict[str, list[Record]]) -> None:
    [r] = records["000"]
    assert not BROKEN_ANNOTATION.search(r.text) and "？？" not in r.text


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_committed_records_are_current(records: dict[str, list[Record]], prefix: str) -> None:
    """archive/seeds/NAME.json holds exactly these records (run `newsarchive clean` after a change)."""
    path = seed(prefix).with_suffix(".json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    for i, r in enumerate(records[prefix]):
        r.capture = {"file": f"seeds/{seed(prefix).name}", "index": i}
    fresh = [r.to_dict() for r in records[prefix]]
    assert doc["records"] == fresh, f"{path} is stale: run `newsarchive clean`"
