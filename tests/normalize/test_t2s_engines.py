"""The t2s engines give one output: OpenCC's C++ library (normalize.repairs.opencc_cpp) equals the
checked fallback (script.FastT2S on opencc-python-reimplemented), after the project's fix table, on
every text available: the project's seeds, ../shared's encoding corpus, seeds and traditional news
pages, and a generated stress text. Without the library, t2s falls back (tested with an empty folder).

Tests that need the library skip with a message where scripts/setup.sh could not install it; where it
is installed and does not load, they fail.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from normalize.repairs import opencc_cpp, script

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "archive" / "seeds"
SHARED = ROOT.parent / "shared"
ENCODING = SHARED / "eval" / "encoding"
WADDLE = SHARED / "eval" / "extraction" / "waddle-zh" / "reference"


def engines() -> tuple[Any, script.FastT2S]:
    """(C++ engine, fallback), or a skip that says why the C++ engine is not there."""
    engine = script._t2s()
    if not isinstance(engine, opencc_cpp.CppT2S):
        folder = opencc_cpp.default_folder()
        if folder is not None and opencc_cpp._find_extension(folder) is not None:
            pytest.fail(f"OpenCC's C++ library is installed but unusable: {script.t2s_engine()}")
        pytest.skip(f"no C++ engine to compare: {script.t2s_engine()}")
    return engine, script._fast_t2s()


def assert_same(texts: Iterator[tuple[str, str]]) -> int:
    """Both engines, then the fix table, on each (name, text); returns the characters compared."""
    cpp, fast = engines()
    compared = 0
    for name, text in texts:
        mine, reference = script._apply_fixes(cpp.convert(text)), script._apply_fixes(fast.convert(text))
        assert mine == reference, f"{name}: {first_difference(mine, reference)}"
        compared += len(text)
    return compared


def first_difference(a: str, b: str) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"at {at}: C++ {a[max(0, at - 8) : at + 8]!r}, fallback {b[max(0, at - 8) : at + 8]!r}"


def shared_or_skip(path: Path) -> Path:
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the engines are not compared on that corpus")
    return path


# ---- the fallback -------------------------------------------------------------------------------------

def test_without_the_library_t2s_falls_back_to_the_reimplementation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(opencc_cpp.ENV_VAR, str(tmp_path))
    script._t2s.cache_clear()
    try:
        assert isinstance(script._t2s(), script.FastT2S)
        assert "not installed" in script.t2s_engine() and "scripts/setup.sh" in script.t2s_engine()
        out = script.to_simplified("陜汽大同專用汽車 圍著 乾隆年間乾燥")
        assert out == "陕汽大同专用汽车 围着 乾隆年间干燥"
    finally:
        script._t2s.cache_clear()


def test_the_library_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(opencc_cpp.ENV_VAR, "off")
    loaded = opencc_cpp.load_engine(script._fast_t2s(), script._converter())
    assert loaded.engine is None and "off" in loaded.why


def test_an_engine_that_disagrees_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    cpp, _ = engines()
    monkeypatch.setattr(type(cpp), "convert", lambda self, text: text.replace("后", "後"))
    assert cpp.check() is not None


# ---- where the two algorithms differ, the fallback converts ------------------------------------------

def test_the_installed_engine_loads_and_passes_its_check() -> None:
    _, fast = engines()
    assert script.t2s_engine().startswith("opencc 1."), script.t2s_engine()
    loaded = opencc_cpp.load_engine(fast, script._converter())  # a fresh load, checked again
    assert loaded.engine is not None, loaded.why


@pytest.mark.parametrize(
    "text",
    ["么麼些族", "反覆盆子，回覆盆子", "康乾乾淨淨的乾隆年間", "於其一目瞭然", "字形⿰氵區與區別",
     "⿱艹⿰區區區，區"],
    ids=["phrase-overlap", "overlap-twice", "overlap-in-sentence", "overlap-at-start", "ids", "ids-nested"],
)
def test_overlapping_phrases_and_ids_go_to_the_fallback(text: str) -> None:
    """Bare C++ converts these differently (longest match from the left vs longest anywhere; an IDS
    copied whole): the engine routes them, and agrees."""
    cpp, fast = engines()
    assert cpp._cpp(text) != fast.convert(text), "no longer a difference: the case proves nothing"
    assert cpp._risky_stretches(text, text.encode("utf-8"))
    assert cpp.convert(text) == fast.convert(text)


@pytest.mark.parametrize(
    "text", ["區委\ud800書記", "區委\ufdd0書記", "", "\x00區\x00", "𠀀區𡃁 e\u0301 區"],
    ids=["lone-surrogate", "marker-char", "empty", "nul", "astral-and-combining"],
)
def test_odd_text_converts_like_the_fallback(text: str) -> None:
    cpp, fast = engines()
    assert cpp.convert(text) == fast.convert(text)


# ---- equality on every text available ----------------------------------------------------------------

def test_same_output_on_the_project_seeds() -> None:
    assert assert_same((p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))) > 10_000


@pytest.mark.shared
def test_same_output_on_the_shared_seeds() -> None:
    folder = shared_or_skip(SHARED / "seeds")
    assert assert_same((p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))) > 10_000


@pytest.mark.shared
def test_same_output_on_the_shared_encoding_corpus() -> None:
    """Every file of the corpus (Big5, EUC-TW, GB*, UTF-*), decoded by the project's decoder."""
    folder = shared_or_skip(ENCODING)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".md",) and
                   p.name not in ("MANIFEST.txt", "README.txt"))
    assert len(files) > 100
    assert assert_same((str(p.relative_to(folder)), decoded(p)) for p in files) > 100_000


def decoded(path: Path) -> str:
    from normalize.decoding import decode
    from normalize.errors import CleanError

    data = path.read_bytes()
    try:
        return decode(data).text
    except CleanError:
        return data.decode("utf-8", "replace")


@pytest.mark.shared
def test_same_output_on_traditional_news_pages() -> None:
    folder = shared_or_skip(WADDLE)
    pages = sorted(folder.glob("*"))
    texts = ((p.name, html.unescape(re.sub(r"<[^>]+>", "", p.read_text(encoding="utf-8", errors="replace"))))
             for p in pages)
    assert assert_same(texts) > 100_000


def test_same_output_on_a_generated_stress_text() -> None:
    cpp, _ = engines()
    text = stress_text(cpp, random.Random(14), 150_000)
    assert cpp._risky_stretches(text, text.encode("utf-8")), "the stress text has no overlap or IDS"
    assert assert_same(iter([("stress", text)])) == len(text)


def stress_text(cpp: Any, rng: random.Random, size: int) -> str:
    """Phrase keys and their overlaps packed together, character keys, separators of every kind, the
    fix table's characters, IDS, astral and combining characters, NUL, ASCII: shuffled pieces, with a
    separator after a third of them (long unbroken runs of phrases make the fallback slow, not wrong)."""
    phrases, chars, overlaps = cpp._phrase_keys, cpp._char_keys, sorted(cpp.overlaps)
    odd = ["⿰氵區", "⿱", "𠀀", "𡃁", "e\u0301", "\x00", "\t", "\n\n", "\u3000", "\xa0", "\x85", " ",
           "著", "陜", "於", "麽", "纔", "揹", "，", "。", "「", "」", "—", "…", "-", ".", "abc", "2024",
           "後", "乾"]
    separators = ["，", "。", " ", "\n", "、", "「", "」", "！", "\u3000", "-"]
    pieces: list[str] = []
    total = 0
    while total < size:
        kind = rng.random()
        if kind < 0.35:
            piece = "".join(rng.choice(phrases) for _ in range(rng.randint(1, 4)))
        elif kind < 0.45:
            piece = rng.choice(overlaps)
        elif kind < 0.8:
            piece = "".join(rng.choice(chars) for _ in range(rng.randint(1, 12)))
        else:
            piece = rng.choice(odd)
        pieces.append(piece + (rng.choice(separators) if rng.random() < 0.3 else ""))
        total += len(pieces[-1])
    return "".join(pieces)
