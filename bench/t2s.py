"""Benchmark: traditional -> simplified, the project beside OpenCC's C++ library and the reimplementation.

    .venv/bin/python bench/t2s.py [--size-mb 1] [--runs 5] [--shared DIR]

Inputs, ~--size-mb of UTF-8 each:
- ``annotated``: the project's traditional seeds 000-003 (pinyin-annotated, folded punctuation)
  repeated to the size — issue 14's input;
- ``waddle-zh``: the traditional (TW/HK) reference texts of ../shared's waddle-zh pages repeated to the
  size: real traditional news without annotations (skipped with a message when ../shared is absent).

Timed on each, in the same run, round-robin (each run times every contestant once, so load on the
machine falls on all of them alike), medians of --runs:
- baseline: bare opencc-python-reimplemented ``OpenCC("t2s").convert`` (the design card's converter);
- peer: bare OpenCC C++ (PyPI ``opencc``, its own t2s config and dictionaries, as its users call it);
- ours: ``to_simplified`` (t2s + fix table; C++ on the reimplementation's tables where installed) and
  ``FastT2S`` (the fallback), and the whole ``normalize.clean(text, kind="text")``.

Target (issue 14): clean() on the annotated input <= 0.1x the baseline's time. The table shows
medians, characters per second and the ratios; it also counts the characters where each converter's
output differs from the baseline's (ours must be 0; OpenCC's own dictionaries are newer). The last line
is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# `python bench/t2s.py` puts bench/ first on sys.path, where bench/normalize.py would shadow the
# normalize package: look packages up without it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT / "src"))

from normalize.pipeline import clean  # noqa: E402
from normalize.repairs import opencc_cpp, script  # noqa: E402

SEEDS = ROOT / "archive" / "seeds"
TARGET = 0.10  # clean() / bare reimplementation t2s, on the annotated input
BASELINE = "reimplemented"


def repeat_to(unit: str, size_bytes: int) -> str:
    copies = size_bytes // max(1, len(unit.encode("utf-8"))) + 1
    return "\n\n".join([unit] * copies)


def annotated_input(size_bytes: int) -> str:
    return repeat_to("\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("00[0-3]_*.txt"))),
                     size_bytes)


def waddle_input(shared: Path, size_bytes: int) -> str | None:
    folder = shared / "eval" / "extraction" / "waddle-zh" / "reference"
    if not folder.is_dir():
        print(f"waddle-zh: {folder} is absent, input skipped", file=sys.stderr)
        return None
    texts = []
    for page in sorted(folder.glob("*")):
        text = html.unescape(re.sub(r"<[^>]+>", "\n", page.read_text(encoding="utf-8", errors="replace")))
        if script.detect_script(text) == script.TRADITIONAL:
            texts.append(text)
    return repeat_to("\n".join(texts), size_bytes)


def contestants() -> tuple[dict[str, Callable[[str], object]], dict[str, str]]:
    """name -> function, and name -> what it is (or why it is missing)."""
    import opencc

    reimplemented = opencc.OpenCC("t2s")
    reimplemented.convert("預熱")  # dictionaries loaded outside the timing
    about = {BASELINE: "opencc-python-reimplemented OpenCC('t2s').convert (baseline)"}
    funcs: dict[str, Callable[[str], object]] = {BASELINE: reimplemented.convert}
    bare = bare_cpp()
    if bare is not None:
        funcs["opencc-cpp"], about["opencc-cpp"] = bare
    else:
        about["opencc-cpp"] = "n/a: " + script.t2s_engine()
    script.to_simplified("預熱")
    funcs["ours:to_simplified"] = script.to_simplified
    about["ours:to_simplified"] = "normalize to_simplified: " + script.t2s_engine()
    funcs["ours:FastT2S"] = script._fast_t2s().convert
    about["ours:FastT2S"] = "normalize FastT2S (the fallback), t2s only"
    clean("區(qū)調(diào)研,。", kind="text")  # tables loaded outside the timing
    funcs["ours:clean"] = lambda text: clean(text, kind="text")
    about["ours:clean"] = 'normalize.clean(text, kind="text"): the whole pipeline'
    return funcs, about


def bare_cpp() -> tuple[Callable[[str], str], str] | None:
    """OpenCC's C++ t2s as its own package calls it (its t2s.json, its dictionaries)."""
    folder = opencc_cpp.default_folder()
    clib_path = opencc_cpp._find_extension(folder) if folder is not None else None
    if clib_path is None:
        return None
    clib = opencc_cpp._load_extension(clib_path)
    converter = clib._OpenCC(str(clib_path.parent / "share" / "opencc" / "t2s.json"), True, None)

    def convert(text: str) -> str:
        data = text.encode("utf-8")
        return str(converter.convert(data, len(data)))

    convert("預熱")
    return convert, f"OpenCC {clib.__version__} C++ t2s.json (own dictionaries), bare"


def measure(text: str, funcs: dict[str, Callable[[str], object]], runs: int) -> dict[str, dict[str, float]]:
    wall: dict[str, list[float]] = {name: [] for name in funcs}
    cpu: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(runs):
        for name, fn in funcs.items():
            w, c = time.perf_counter(), time.process_time()
            fn(text)
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    return {name: {"wall_s": statistics.median(wall[name]), "cpu_s": statistics.median(cpu[name])}
            for name in funcs}


def differing(text: str, funcs: dict[str, Callable[[str], object]]) -> dict[str, int | None]:
    """Characters where each t2s output differs from the baseline's (None: not a plain converter)."""
    reference = str(funcs[BASELINE](text))
    out: dict[str, int | None] = {}
    for name, fn in funcs.items():
        if name == "ours:clean":
            out[name] = None
            continue
        mine = str(fn(text))
        if name == "ours:to_simplified":
            reference_fixed = script._apply_fixes(reference)
            out[name] = script._count_changed(mine, reference_fixed) if mine != reference_fixed else 0
        else:
            out[name] = script._count_changed(mine, reference) if mine != reference else 0
    return out


def report(label: str, text: str, times: dict[str, dict[str, float]], diffs: dict[str, int | None]) -> dict:
    base = times[BASELINE]
    rows = {}
    for name, t in times.items():
        rows[name] = {
            **t,
            "chars_per_s": len(text) / t["wall_s"],
            "ratio": t["wall_s"] / base["wall_s"],
            "cpu_ratio": t["cpu_s"] / base["cpu_s"],
            "chars_differing": diffs.get(name),
        }
    return {"input": label, "chars": len(text), "bytes": len(text.encode("utf-8")), "rows": rows}


def print_table(results: list[dict], about: dict[str, str], runs: int) -> None:
    print(f"t2s vs bare opencc-python-reimplemented, median of {runs} runs (wall; cpu beside)")
    for name, what in about.items():
        print(f"  {name:<20} {what}")
    print()
    print(f"{'input':<10} {'contestant':<20} {'median s':>9} {'cpu s':>7} {'chars/s':>12} "
          f"{'x base':>7} {'differ':>7}")
    for r in results:
        for name, row in r["rows"].items():
            diff = "-" if row["chars_differing"] is None else str(row["chars_differing"])
            print(f"{r['input']:<10} {name:<20} {row['wall_s']:>9.3f} {row['cpu_s']:>7.3f} "
                  f"{row['chars_per_s']:>12,.0f} {row['ratio']:>7.3f} {diff:>7}")
        print(f"{'':<10} ({r['chars']:,} characters, {r['bytes']:,} bytes)")
    annotated = results[0]["rows"]["ours:clean"]
    verdict = "met" if annotated["ratio"] <= TARGET else "MISSED"
    print(f"\ntarget: clean() on annotated traditional text <= {TARGET}x the baseline: "
          f"{annotated['ratio']:.3f}x ({verdict}; cpu {annotated['cpu_ratio']:.3f}x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0, help="input size in MB of UTF-8 (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median is reported")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="../shared by default")
    args = parser.parse_args(argv)
    size = int(args.size_mb * 1_000_000)
    funcs, about = contestants()
    inputs = {"annotated": annotated_input(size), "waddle-zh": waddle_input(args.shared, size)}
    results = []
    for label, text in inputs.items():
        if text is None:
            continue
        results.append(report(label, text, measure(text, funcs, args.runs), differing(text, funcs)))
    print_table(results, about, args.runs)
    clean_ratio = results[0]["rows"]["ours:clean"]["ratio"]
    summary: dict[str, Any] = {
        "benchmark": "t2s", "runs": args.runs, "size_mb": args.size_mb, "baseline": BASELINE,
        "engine": script.t2s_engine(),
        "ratios": {r["input"]: {name: row["ratio"] for name, row in r["rows"].items()} for r in results},
        "target": {"clean_ratio_max": TARGET, "clean_ratio": clean_ratio, "met": clean_ratio <= TARGET},
        "results": results,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
