#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install the project with its test tools. Idempotent: a second run
# only checks that everything is installed. Needs nothing but the package index.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3 python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then PY=$c; break; fi
  done
fi
[ -n "$PY" ] || { echo "setup: Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml | "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# OpenCC's C++ library, alone in its own folder (why: pyproject.toml [tool.cn-gov-news-archive]). Without it
# t2s falls back to opencc-python-reimplemented (same output, slower), so a failure here only warns.
opencc_req=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["cn-gov-news-archive"]["opencc-cpp"])')
opencc_dir=.venv/opencc-cpp
opencc_stamp="$opencc_dir/.installed-$(printf %s "$opencc_req" | "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')"
if [ ! -f "$opencc_stamp" ]; then
  rm -rf "$opencc_dir" "$opencc_dir.tmp"
  if .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --target "$opencc_dir.tmp" "$opencc_req"; then
    mv "$opencc_dir.tmp" "$opencc_dir" && touch "$opencc_stamp"
  else
    rm -rf "$opencc_dir.tmp"
    echo "setup: could not install $opencc_req into $opencc_dir: t2s uses opencc-python-reimplemented" \
      "(same output, slower); rerun scripts/setup.sh when the package index is reachable" >&2
  fi
fi
