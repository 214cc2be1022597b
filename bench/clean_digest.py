"""Output-identity check for speed work: a digest of every record ``clean()`` makes from a fixed corpus.

    .venv/bin/python bench/clean_digest.py --write digests.json   # before a change
    .venv/bin/python bench/clean_digest.py --check digests.json   # after it: exit 1 on any difference

Inputs: the project's seeds (archive/seeds/*.txt), ../shared/seeds, every page under
../shared/eval/extraction (HTML, kind auto) and, cleaned as text, the references beside them, every file of
../shared/eval/encoding (bytes, kind auto), and the two benchmark inputs (bench/t2s.py's annotated text,
bench/normalize.py's seed 004 repeated) at 0.2 MB. Each input's digest is the SHA-256 of its records'
JSON (``Record.to_dict``, keys sorted) or of its CleanError's reason and message. Absent ../shared parts
are skipped with a message. The last line is one JSON object with the counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT / "src"))

from normalize.errors import CleanError  # noqa: E402
from normalize.pipeline import clean  # noqa: E402

SEEDS = ROOT / "archive" / "seeds"
BENCH_BYTES = 200_000


def inputs(shared: Path) -> Iterator[tuple[str, bytes | str, str]]:
    """(label, data, kind) for every input of the check."""
    for path in sorted(SEEDS.glob("*.txt")):
        yield f"seeds/{path.name}", path.read_bytes(), "auto"
    for path in sorted((shared / "seeds").glob("*.txt")):
        yield f"shared-seeds/{path.name}", path.read_bytes(), "auto"
    extraction = shared / "eval" / "extraction"
    encoding = shared / "eval" / "encoding"
    for folder, kind in ((extraction, "auto"), (encoding, "auto")):
        if not folder.is_dir():
            print(f"{folder} is absent: skipped", file=sys.stderr)
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(shared).as_posix()
            data = path.read_bytes()
            yield rel, data, kind
            if "/reference/" in rel or rel.endswith((".txt", ".md")):
                yield rel + "#text", data.decode("utf-8", "replace"), "text"
    yield from bench_inputs()


def bench_inputs() -> Iterator[tuple[str, bytes | str, str]]:
    def repeat(unit: str) -> str:
        return "\n\n".join([unit] * (BENCH_BYTES // len(unit.encode("utf-8")) + 1))

    annotated = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("00[0-3]_*.txt")))
    yield "bench/annotated", repeat(annotated), "text"
    epaper = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("004_*.txt")))
    yield "bench/seed004-repeated", repeat(epaper), "text"


def digest(data: bytes | str, kind: str, label: str) -> str:
    try:
        records = clean(data, name=Path(label.split("#")[0]).name, kind=kind)
        payload = json.dumps([r.to_dict() for r in records], ensure_ascii=False, sort_keys=True)
    except CleanError as exc:
        payload = f"CleanError {exc.reason}: {exc}"
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, help="write the digests to this JSON file")
    mode.add_argument("--check", type=Path, help="compare with digests written before; exit 1 on a change")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="../shared by default")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    digests = {label: digest(data, kind, label) for label, data, kind in inputs(args.shared)}
    seconds = time.perf_counter() - start
    if args.write:
        args.write.write_text(json.dumps(digests, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(json.dumps({"benchmark": "clean_digest", "inputs": len(digests), "written": str(args.write),
                          "seconds": round(seconds, 1)}))
        return 0
    before = json.loads(args.check.read_text(encoding="utf-8"))
    changed = sorted(k for k in digests.keys() & before.keys() if digests[k] != before[k])
    missing = sorted(before.keys() - digests.keys())
    new = sorted(digests.keys() - before.keys())
    for label in changed:
        print(f"CHANGED {label}")
    for label in missing:
        print(f"MISSING {label}")
    print(json.dumps({"benchmark": "clean_digest", "inputs": len(digests), "changed": len(changed),
                      "missing": len(missing), "new": len(new), "seconds": round(seconds, 1)}))
    return 1 if changed or missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
