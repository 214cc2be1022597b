"""Benchmark: decoding legacy Chinese bytes under a wrong charset label (issue 10, item 5).

    .venv/bin/python bench/charset_mismatch.py [--shared DIR]

Every file of ../shared/eval/encoding whose folder names a Big5 or GB encoding is decoded with each wrong
label a server or page could give it (gb2312, gbk, big5, latin-1, cp1252, koi8-r) as the HTTP charset.
Each result is **right** (the true text), **flagged** (wrong, but the decoder says so: a flag starting
``implausible-decoding``) or **silent** (mojibake with no flag: the defect). Prints a table, then one
JSON line. Skipped with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT / "src")  # not bench/ (bench/normalize.py would shadow the package)

from normalize.decoding import decode  # noqa: E402

TRUE = {"big5": "big5", "gb2312": "gb18030", "gb18030": "gb18030"}
LABELS = ("gb2312", "gbk", "big5", "latin-1", "cp1252", "koi8-r")
FAMILY = {"gb2312": "gb", "gbk": "gb", "big5": "big5", "latin-1": "latin", "cp1252": "latin",
          "koi8-r": "koi8"}


def corpus(shared: Path) -> list[tuple[Path, str]]:
    out = []
    for p in sorted((shared / "eval" / "encoding").glob("*/*/*")):
        codec = TRUE.get(p.parent.name.lower().replace("_", ""))
        if p.is_file() and codec:
            out.append((p, codec))
    return out


def judge(data: bytes, truth: str, label: str) -> str:
    d = decode(data, label)
    if d.text.replace("\u30fb", "\u00b7") == truth:
        return "right"
    return "flagged" if any(f.startswith("implausible-decoding") for f in d.flags) else "silent"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = p.parse_args()
    files = corpus(args.shared)
    if not files:
        print(f"{args.shared}/eval/encoding is absent: nothing to measure", file=sys.stderr)
        return 0
    counts: dict[str, Counter[str]] = {}
    for path, codec in files:
        data = path.read_bytes()
        truth = data.decode(codec)
        true_family = "big5" if codec == "big5" else "gb"
        for label in LABELS:
            if FAMILY[label] == true_family:
                continue
            key = f"{true_family}-as-{FAMILY[label]}"
            counts.setdefault(key, Counter())[judge(data, truth, label)] += 1
    print(f"{'case':20} {'records':>8} {'right':>6} {'flagged':>8} {'silent':>7}")
    total: Counter[str] = Counter()
    for key, c in sorted(counts.items()):
        total.update(c)
        print(f"{key:20} {sum(c.values()):>8} {c['right']:>6} {c['flagged']:>8} {c['silent']:>7}")
    t = total
    print(f"{'all':20} {sum(t.values()):>8} {t['right']:>6} {t['flagged']:>8} {t['silent']:>7}")
    print(json.dumps({"records": sum(t.values()), **t, "by_case": {k: dict(v) for k, v in counts.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
