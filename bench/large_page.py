"""Time and peak memory of clean() on large table pages, each in its own process.

    python bench/large_page.py                 # 0.5M, 1M, 2M characters of table HTML, then 20 MB
    python bench/large_page.py --runs 3 --sizes 1000000 20000000

Pages over normalize.pipeline.MAX_HTML_CHARS are refused as ``too-large`` (the raw capture is kept);
below it the work should grow linearly. Prints a table (medians), then one JSON line: seconds and MiB
per size, and the time ratio per character of the largest accepted size to the smallest (1.0 = linear).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import resource, sys, time
from normalize import CleanError, clean
row = "<tr><td>县政府召开常务会议</td><td>研究部署当前各项重点工作</td><td>2020-02-14</td></tr>"
size = int(sys.argv[1])
html = "<html><body><table>" + row * (size // len(row)) + "</table></body></html>"
start = time.perf_counter()
try:
    outcome = f"{len(clean(html.encode()))} record(s)"
except CleanError as exc:
    outcome = exc.reason
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, outcome)
"""


def run_once(size: int) -> tuple[float, float, str]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(size)], capture_output=True, text=True,
                          timeout=600, check=True, cwd="/")
    seconds, mib, outcome = proc.stdout.split(maxsplit=2)
    return float(seconds), float(mib), outcome.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500_000, 1_000_000, 2_000_000, 20_000_000],
                        help="characters of table HTML (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs per size; medians reported")
    args = parser.parse_args()
    # (bench/normalize.py would shadow the package here: ask a child process)
    ask = "from normalize.pipeline import MAX_HTML_CHARS as m; print(m)"
    cap = subprocess.run([sys.executable, "-c", ask], capture_output=True, text=True, check=True,
                         cwd="/").stdout.strip()
    rows = []
    for size in args.sizes:
        runs = [run_once(size) for _ in range(args.runs)]
        rows.append({"chars": size, "seconds": statistics.median(r[0] for r in runs),
                     "mib": statistics.median(r[1] for r in runs), "outcome": runs[0][2]})
    print(f"clean() on table HTML (cap {int(cap):,} characters), medians of {args.runs}")
    print(f"{'characters':>12} {'seconds':>8} {'peak MiB':>9}  outcome")
    for row in rows:
        print(f"{row['chars']:>12,} {row['seconds']:>8.2f} {row['mib']:>9.0f}  {row['outcome']}")
    accepted = [r for r in rows if r["outcome"] != "too-large"]
    ratio = None
    if len(accepted) >= 2:
        small, big = accepted[0], accepted[-1]
        ratio = round((big["seconds"] / big["chars"]) / (small["seconds"] / small["chars"]), 2)
    print(json.dumps({"sizes": rows, "per_char_time_ratio_largest_to_smallest": ratio}))


if __name__ == "__main__":
    main()
