"""Fuzz clean() offline with many more examples than CI (issue 10) and count what goes wrong.

    .venv/bin/python scripts/fuzz_normalize.py [--examples N] [--seed S]

Runs every input class of tests/normalize/fuzzing.py (shapes, characters, bad bytes, mislabelled
charsets, large pages, newsy text for idempotency) N times each, checks each input with
``fuzzing.check`` and prints a table of inputs tried, crashes, hangs, silent losses and other problems
per class (the first few problems verbatim), then one JSON line. Exit status 1 when any problem was found.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "normalize"))

import fuzzing
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

CLASSES: dict[str, tuple[st.SearchStrategy, dict]] = {  # type: ignore[type-arg]
    "shapes": (fuzzing.shapes, {}),
    "characters": (fuzzing.characters(), {"idempotent": True}),
    "bad-bytes": (fuzzing.bad_bytes(), {}),
    "mislabelled": (fuzzing.mislabelled(), {}),
    "large": (fuzzing.large, {}),
    "newsy": (fuzzing.newsy, {"idempotent": True}),
}
KINDS = ("crash", "hang", "silent-loss", "control", "surrogate", "not-idempotent")


def run_class(name: str, examples: int, rng_seed: int) -> tuple[Counter[str], list[str]]:
    strategy, options = CLASSES[name]
    counts: Counter[str] = Counter()
    samples: list[str] = []

    @seed(rng_seed)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def trial(case: object) -> None:
        data, charset = case if isinstance(case, tuple) else (case, None)
        counts["inputs"] += 1
        problem = fuzzing.check(data, charset, **options)
        if problem:
            counts[problem.split(":")[0]] += 1
            if len(samples) < 3:
                samples.append(f"{problem} <- {data[:80]!r}")

    trial()
    return counts, samples


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=2000, help="inputs per class (large: a tenth)")
    p.add_argument("--seed", type=int, default=10)
    args = p.parse_args()
    totals: Counter[str] = Counter()
    print(f"{'class':12} {'inputs':>7} " + " ".join(f"{k:>14}" for k in KINDS))
    for name in CLASSES:
        n = max(2, args.examples // 10) if name == "large" else args.examples
        counts, samples = run_class(name, n, args.seed)
        totals.update(counts)
        print(f"{name:12} {counts['inputs']:>7} " + " ".join(f"{counts[k]:>14}" for k in KINDS), flush=True)
        for s in samples:
            print("   ", s)
    print(f"{'all':12} {totals['inputs']:>7} " + " ".join(f"{totals[k]:>14}" for k in KINDS))
    print(json.dumps({"inputs": totals["inputs"], **{k: totals[k] for k in KINDS}}))
    return 1 if any(totals[k] for k in KINDS) else 0


if __name__ == "__main__":
    sys.exit(main())
