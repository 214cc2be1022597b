"""The repair steps, driven by the case files in cases/repairs/ (one test per case, named by its id).

- in-the-wild.json: real spans of the seed captures;
- synthetic.json: constructed variants of the same damage;
- negative.json: text that must come out unchanged;
- known-failures.json: documented limits, run as strict xfail.
A case names one registered step, or "plan" for the whole REPAIR_STEPS plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from normalize.repairs import CHARACTER_REPAIRS, LINE_REPAIRS, REPAIR_STEPS
from normalize.repairs.registry import STEPS, apply_plan, get_step

CASES = Path(__file__).parent / "cases" / "repairs"
SEEDS = Path(__file__).resolve().parents[2] / "archive" / "seeds"


def load(group: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((CASES / f"{group}.json").read_text(encoding="utf-8"))["cases"]
    return cases


def run(case: dict[str, Any]) -> str:
    if case["step"] == "plan":
        return apply_plan(case["input"], REPAIR_STEPS)[0]
    return get_step(case["step"]).fn(case["input"])


def params(group: str, **kwargs: Any) -> list[Any]:
    return [pytest.param(c, id=c["id"], **kwargs) for c in load(group)]


@pytest.mark.parametrize("case", params("in-the-wild") + params("synthetic"))
def test_repairs(case: dict[str, Any]) -> None:
    assert run(case) == case["expected"]


@pytest.mark.parametrize("case", params("negative"))
def test_negative_cases_stay_unchanged(case: dict[str, Any]) -> None:
    assert case["expected"] == case["input"], "a negative case must expect its input back"
    assert run(case) == case["input"]


@pytest.mark.parametrize("case", params("known-failures", marks=pytest.mark.xfail(strict=True)))
def test_known_failures(case: dict[str, Any]) -> None:
    assert run(case) == case["expected"]


def test_case_ids_are_unique_and_steps_exist() -> None:
    ids = [c["id"] for g in ("in-the-wild", "synthetic", "negative", "known-failures") for c in load(g)]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    for group in ("in-the-wild", "synthetic", "negative", "known-failures"):
        for case in load(group):
            assert case["step"] == "plan" or case["step"] in STEPS, case["id"]


def test_plan_is_every_step_once_in_order() -> None:
    assert REPAIR_STEPS == CHARACTER_REPAIRS + LINE_REPAIRS
    assert len(set(REPAIR_STEPS)) == len(REPAIR_STEPS)
    first = ("replace_lone_surrogates", "strip_control_characters", "strip_pinyin_annotations")
    assert REPAIR_STEPS[:3] == first
    assert REPAIR_STEPS[-1] == "join_broken_lines"


@pytest.mark.parametrize("name", REPAIR_STEPS)
def test_every_step_is_documented_with_a_before_after_doctest(name: str) -> None:
    step = get_step(name)
    doc = step.fn.__doc__ or ""
    assert step.summary, f"{name} has no summary line"
    assert ">>>" in doc, f"{name} has no doctest"
    verbs = {"strip", "convert", "drop", "restore", "close", "join", "replace"}
    assert name.split("_")[0] in verbs, "verb-named"


def test_counts_are_real() -> None:
    text = "2月13日,,市委书记到卢氏县,。统筹推进脱贫攻坚,、稳增长"
    _, repairs = apply_plan(text, ["drop_stray_commas", "restore_fullwidth_punctuation"])
    assert [(r.step, r.count) for r in repairs] == [
        ("drop_stray_commas", 3),
        ("restore_fullwidth_punctuation", 1),
    ]
    _, repairs = apply_plan("區(qū)調(diào)研(yán)", ["strip_pinyin_annotations", "convert_to_simplified"])
    assert [(r.step, r.count) for r in repairs] == [
        ("strip_pinyin_annotations", 3),
        ("convert_to_simplified", 2),  # 區->区, 調->调; 研 is the same in both scripts
    ]


def seed_texts() -> list[Any]:
    return [pytest.param(p, id=p.stem[:3]) for p in sorted(SEEDS.glob("*.txt"))]


@pytest.mark.parametrize("path", seed_texts())
def test_seed_has_no_annotation_or_traditional_left(path: Path) -> None:
    """Over whole seed files: no reading bracket survives, no traditional character but names."""
    from normalize.repairs.pinyin import _ANNOTATED_RE, is_reading
    from normalize.repairs.script import is_traditional_char

    out = apply_plan(path.read_text(encoding="utf-8"), REPAIR_STEPS)[0]
    left = [m.group(0) for m in _ANNOTATED_RE.finditer(out) if is_reading(m.group(1), m.group(2))]
    assert left == []
    traditional = sorted({c for c in out if is_traditional_char(c)})
    assert traditional == (["韋"] if path.name.startswith("004") else [])
    assert ",," not in out and ",。" not in out and ",、" not in out


def test_seed_004_joins_exactly_the_four_broken_sentences() -> None:
    path = SEEDS / "004_45874e38bd59b7c1.txt"
    out, repairs = apply_plan(path.read_text(encoding="utf-8"), REPAIR_STEPS)
    assert dict((r.step, r.count) for r in repairs)["join_broken_lines"] == 4
    for joined in ("主动服务意识。", "同部署、同检查", "重大项目招引、推进", "了解员工晨检"):
        assert joined in out
    for byline in ("言武旭", "许应田", "尹天", "方韋", "许丛军"):
        assert f"\n{byline}\n" in out


# ---- FastT2S gives exactly OpenCC's t2s ------------------------------------------------------------------

WADDLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "extraction" / "waddle-zh"


def opencc_pair() -> tuple[Any, Any]:
    from normalize.repairs.script import _converter, _fast_t2s

    return _fast_t2s(), _converter()


def test_fast_t2s_is_exact_on_the_seeds_and_every_phrase_key() -> None:
    fast, opencc = opencc_pair()
    assert fast.exact, "OpenCC's t2s dictionaries changed shape; FastT2S fell back to OpenCC"
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert fast.convert(text) == opencc.convert(text), path.name
    phrases = opencc._dict_chain_data[0][0][2]
    sample = "".join(f"前{k}後,{k}{k} 乾{k}" for k in phrases)
    assert fast.convert(sample) == opencc.convert(sample)


@pytest.mark.shared
def test_fast_t2s_is_exact_on_traditional_news_pages() -> None:
    pages = sorted((WADDLE / "reference").glob("*"))[:400] if WADDLE.is_dir() else []
    if not pages:
        pytest.skip(f"{WADDLE} is absent: FastT2S is not compared on real traditional pages")
    fast, opencc = opencc_pair()
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in pages)
    assert fast.convert(text) == opencc.convert(text)


# ---- no regex backtracking blow-ups ---------------------------------------------------------------------

PATHOLOGICAL = {
    "ascii-marks-without-cjk": ",:" * 50_000,
    "ascii-marks-then-cjk": ",:" * 50_000 + "中",
    "open-bracket-long-line": "(" + "a" * 100_000,
    "annotation-like-unclosed": "區(qū" * 30_000,
    "lines-ending-in-commas": "中,\n" * 30_000,
    "digits-and-spaces": "1 " * 50_000 + "月",
    "han-and-spaces": "中 " * 50_000,
    "paragraph-broken-on-every-line": ("中" * 100 + "，\n") * 5_000,
    "blank-lines": "中\n" + "\n" * 100_000 + "，中",
    "deeply-nested-brackets": "(" * 50_000 + "中" + ")" * 50_000,
}


@pytest.mark.parametrize("text", list(PATHOLOGICAL.values()), ids=list(PATHOLOGICAL))
def test_plan_is_linear_on_pathological_input(text: str) -> None:
    """Each input takes well under a second; a quadratic regex would take minutes (the alarm fails it)."""
    import signal

    def too_slow(signum: int, frame: object) -> None:
        raise TimeoutError("repair plan took over 10 s: a regex backtracks quadratically")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(10)
    try:
        out = apply_plan(text, REPAIR_STEPS)[0]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert apply_plan(out, REPAIR_STEPS)[0] == out


@pytest.mark.shared
def test_no_traditional_character_left_on_traditional_news_pages() -> None:
    """The TW/HK reference texts of waddle-zh, converted: not one traditional-only character survives
    (this is how 揹 found its way into the fix-up table)."""
    import html
    import re

    from normalize.repairs.script import TRADITIONAL, detect_script, is_traditional_char, to_simplified

    pages = sorted((WADDLE / "reference").glob("*")) if WADDLE.is_dir() else []
    if not pages:
        pytest.skip(f"{WADDLE} is absent")
    left: dict[str, str] = {}
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8", errors="replace")))
        if detect_script(text) != TRADITIONAL:
            continue
        out = to_simplified(text)
        left.update({c: page.name for c in out if is_traditional_char(c)})
    assert left == {}
