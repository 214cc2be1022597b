"""Benchmark of the normaliser's repairs against bare OpenCC t2s, on ~1 MB of text each.

Inputs, built from the project's own seed captures (archive/seeds):
- traditional: seeds 000-003 (traditional, pinyin-annotated, folded punctuation) repeated to the size;
- simplified: seed 004 (simplified e-paper page, folded punctuation, broken lines) repeated to the size —
  clean() splits this into hundreds of e-paper articles, so its clean() figure includes that structure work;
- simplified-article: the clean text of seed 004's records (archive/seeds/004_*.json) as ONE long simplified
  article: what clean() costs on already-clean simplified text.

For each input, in the same run: bare ``opencc.OpenCC('t2s').convert(text)`` (the baseline), the repair
plan ``apply_plan(text, REPAIR_STEPS)`` step by step, and ``normalize.clean(text, kind="text")`` when it
exists. Figures are medians of --runs runs (wall; for clean() and t2s also CPU time, the "cpu ratio"
column, which a loaded machine disturbs less); converters are warmed up first (dictionaries loaded).

Targets (issue 2): simplified text costs at most 1/10 of the bare t2s time; annotated traditional text
at most 1.5x. The last line printed is one JSON object with all figures.

    .venv/bin/python bench/normalize.py [--size-mb 1] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from normalize.repairs import REPAIR_STEPS  # noqa: E402
from normalize.repairs.registry import apply_plan, get_step  # noqa: E402

SEEDS = ROOT / "archive" / "seeds"
TARGETS = {"simplified": 0.10, "simplified-article": 0.10, "traditional": 1.5}  # time / bare t2s time


def build_input(names: list[str], size_bytes: int) -> str:
    unit = "\n\n".join((SEEDS / n).read_text(encoding="utf-8") for n in names)
    parts: list[str] = []
    total = 0
    while total < size_bytes:
        parts.append(unit)
        total += len(unit.encode("utf-8")) + 2
    return "\n\n".join(parts)


def build_article_input(size_bytes: int) -> str:
    """Seed 004's cleaned article texts, repeated to the size, as one article (no e-paper structure)."""
    paragraphs = [
        rec["text"]
        for path in sorted(SEEDS.glob("004_*.json"))
        for rec in json.loads(path.read_text(encoding="utf-8"))["records"]
    ]
    unit = "\n".join(paragraphs)
    return "\n".join([unit] * (size_bytes // len(unit.encode("utf-8")) + 1))


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    return median_wall_cpu(fn, runs)[0]


def median_wall_cpu(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and median CPU seconds of ``runs`` calls (CPU: this process's, which a loaded machine
    disturbs less than the wall clock)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def step_times(text: str, runs: int) -> dict[str, float]:
    """Median time of every step on the input it sees inside the plan."""
    out: dict[str, float] = {}
    for name in REPAIR_STEPS:
        fn = get_step(name).fn
        current = text
        out[name] = median_seconds(lambda fn=fn, current=current: fn(current), runs)
        text = fn(text)
    return out


def load_clean() -> Callable[[str], object] | None:
    try:
        from normalize.pipeline import clean
    except ImportError:
        return None
    return lambda text: clean(text, kind="text")


def measure(label: str, text: str, runs: int, t2s: Callable[[str], str]) -> dict[str, object]:
    bare, bare_cpu = median_wall_cpu(lambda: t2s(text), runs)
    plan = median_seconds(lambda: apply_plan(text, REPAIR_STEPS), runs)
    clean = load_clean()
    clean_s, clean_cpu = median_wall_cpu(lambda: clean(text), runs) if clean else (None, None)
    return {
        "input": label,
        "chars": len(text),
        "bytes": len(text.encode("utf-8")),
        "t2s_s": bare,
        "plan_s": plan,
        "clean_s": clean_s,
        "plan_ratio": plan / bare,
        "clean_ratio": (clean_s / bare) if clean_s is not None else None,
        "t2s_cpu_s": bare_cpu,
        "clean_cpu_s": clean_cpu,
        "clean_cpu_ratio": (clean_cpu / bare_cpu) if clean_cpu is not None else None,
        "target_ratio": TARGETS[label],
        "plan_meets_target": plan / bare <= TARGETS[label],
        "clean_meets_target": (clean_s / bare <= TARGETS[label]) if clean_s is not None else None,
        "plan_chars_per_s": len(text) / plan,
        "t2s_chars_per_s": len(text) / bare,
        "steps_s": step_times(text, runs),
    }


def print_table(rows: list[dict[str, object]]) -> None:
    print(
        f"{'input':<18} {'chars':>9} {'t2s s':>8} {'plan s':>8} {'plan/t2s':>9} {'target':>7} "
        f"{'clean s':>8} {'clean/t2s':>9} {'cpu ratio':>9} {'plan chars/s':>13}"
    )
    for r in rows:
        clean_s = f"{r['clean_s']:.3f}" if r["clean_s"] is not None else "n/a"
        clean_ratio = f"{r['clean_ratio']:.3f}" if r["clean_ratio"] is not None else "n/a"
        cpu_ratio = f"{r['clean_cpu_ratio']:.3f}" if r["clean_cpu_ratio"] is not None else "n/a"
        ok = "plan ok" if r["plan_meets_target"] else "plan MISS"
        if r["clean_meets_target"] is not None:
            ok += ", clean ok" if r["clean_meets_target"] else ", clean MISS"
        print(
            f"{r['input']:<18} {r['chars']:>9} {r['t2s_s']:>8.3f} {r['plan_s']:>8.3f} "
            f"{r['plan_ratio']:>9.3f} {'<=' + str(r['target_ratio']):>7} {clean_s:>8} {clean_ratio:>9} "
            f"{cpu_ratio:>9} {r['plan_chars_per_s']:>13,.0f}  {ok}"
        )
    print()
    print("per step (median s):")
    for r in rows:
        steps = r["steps_s"]
        assert isinstance(steps, dict)
        print(f"  {r['input']:<18} " + "  ".join(f"{k}={v:.3f}" for k, v in steps.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0, help="input size in MB of UTF-8 (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median is reported")
    args = parser.parse_args(argv)
    import opencc

    converter = opencc.OpenCC("t2s")
    converter.convert("預熱")  # load dictionaries outside the timing
    apply_plan("區(qū)調(diào)研,。", REPAIR_STEPS)  # load our tables outside the timing
    size = int(args.size_mb * 1_000_000)
    inputs = {
        "traditional": build_input([p.name for p in sorted(SEEDS.glob("00[0-3]_*.txt"))], size),
        "simplified": build_input([p.name for p in sorted(SEEDS.glob("004_*.txt"))], size),
        "simplified-article": build_article_input(size),
    }
    rows = [measure(label, text, args.runs, converter.convert) for label, text in inputs.items()]
    print(f"normalize repair plan vs bare OpenCC t2s, median of {args.runs} runs, ~{args.size_mb} MB each")
    print_table(rows)
    print(json.dumps({"benchmark": "normalize", "runs": args.runs, "size_mb": args.size_mb, "results": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
