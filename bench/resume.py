"""Kill/resume sweep of the sample crawl: SIGKILL at many points, resume, count what was lost or doubled.

    .venv/bin/python bench/resume.py [--time-points 10] [--parallel 2] [--repeat-baseline 3]

In one run, on this machine:
  1. serves the bundled sample portal on 127.0.0.1 (crawler/sample_portal/server.py);
  2. baseline: the same crawl (JOBDIR, politeness off) run to the end without a kill, ``--repeat-baseline``
     times (median wall time);
  3. the sweep: the 20 kill points of crawler.sample_portal.resume_sweep.DEFAULT_POINTS (inside queue
     pushes and pops, inside WARC and JSONL writes, an e-paper page cut after its first record, inside the
     scheduler's close, kills during the resume ...) plus ``--time-points`` kills at times spread over the
     crawl (``time:T``, T from 0.05 s to the baseline's engine time); each point is followed by resumes
     until the crawl finishes, then checked: articles lost, articles recorded twice, WARCs that fail
     `warcio check` or do not read whole, clean workers that outlived their killed crawler;
  4. the time of a killed-and-resumed crawl against the uninterrupted one.
Prints a table, then as its very last line one JSON object with the figures. Exit status 1 when any point
lost or doubled an article.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from crawler.sample_portal.resume_sweep import (  # noqa: E402
    DEFAULT_POINTS,
    PointResult,
    crawl_command,
    run,
    sweep,
)
from crawler.sample_portal.server import serve  # noqa: E402


def baseline(base_url: str, work: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Wall seconds of uninterrupted crawls (same settings as the sweep, no kill), and the engine's
    running time in each (``elapsed_time_seconds``: from engine start, as ``time:T`` kill points count)."""
    from crawler.sample_portal.summary import stats_from_log

    times, engine = [], []
    for i in range(repeat):
        folder = work / f"baseline{i}"
        folder.mkdir(parents=True)
        started = time.monotonic()
        status, _ = run(crawl_command(base_url, folder / "archive", folder / "job", None, folder / "run.log"),
                        folder / "run.out")
        if status != 0:
            raise SystemExit(f"bench: the uninterrupted crawl failed (exit {status}); see {folder}")
        times.append(time.monotonic() - started)
        stats = stats_from_log((folder / "run.log").read_text(encoding="utf-8", errors="replace"))
        engine.append(float(stats.get("elapsed_time_seconds") or 1.0))
    return times, engine


def time_points(count: int, crawl_seconds: float) -> list[list[str]]:
    """``count`` kill times spread from 0.05 s to the end of an uninterrupted crawl."""
    if count <= 0:
        return []
    step = max(crawl_seconds - 0.05, 0.1) / count
    return [[f"time:{0.05 + i * step:.2f}"] for i in range(count)]


def print_table(results: list[PointResult]) -> None:
    width = max(len("+".join(r.specs)) for r in results)
    print(f"{'kill point(s)':<{width}}  killed  lost  dup  orphans  seconds  problems")
    for r in results:
        killed = "yes" if all(r.killed) else "NO"
        print(f"{'+'.join(r.specs):<{width}}  {killed:>6}  {r.lost:>4}  {r.duplicated:>3}  {r.orphans:>7}  "
              f"{r.seconds:>7.1f}  {'; '.join(r.problems) or '-'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-points", type=int, default=10, help="extra kills at spread-out times")
    parser.add_argument("--parallel", type=int, default=2, help="points run at the same time")
    parser.add_argument("--repeat-baseline", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (archives, logs)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-resume-"))
    server, base = serve()
    try:
        base_times, engine_times = baseline(base + "/", work, args.repeat_baseline)
        crawl_seconds = statistics.median(base_times)
        points = DEFAULT_POINTS + time_points(args.time_points, 0.9 * min(engine_times))
        started = time.monotonic()
        results = sweep(points, base + "/", work / "sweep", parallel=args.parallel)
        sweep_seconds = time.monotonic() - started
    finally:
        server.shutdown()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    point_seconds = statistics.median(r.seconds for r in results)
    figures = {
        "points": len(results),
        "points_killed_as_planned": sum(all(r.killed) for r in results),
        "articles_lost": sum(r.lost for r in results),
        "articles_duplicated": sum(r.duplicated for r in results),
        "orphan_workers": sum(r.orphans for r in results),
        "points_with_problems": sum(not r.ok for r in results),
        "baseline_crawl_s": crawl_seconds,
        "killed_and_resumed_s_median": point_seconds,
        "resumed_vs_baseline": point_seconds / crawl_seconds,
        "sweep_wall_s": sweep_seconds,
        "parallel": args.parallel,
    }
    print()
    print(f"{figures['points']} kill points ({figures['points_killed_as_planned']} killed as planned): "
          f"{figures['articles_lost']} articles lost, {figures['articles_duplicated']} duplicated, "
          f"{figures['orphan_workers']} orphan workers; a killed+resumed crawl took "
          f"{point_seconds:.1f} s (median, checks included) vs {crawl_seconds:.1f} s uninterrupted; "
          f"sweep {sweep_seconds:.0f} s with {args.parallel} at a time")
    print(json.dumps(figures, sort_keys=True))
    return 0 if figures["points_with_problems"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
