#!/usr/bin/env bash
# pywb, webrecorder's replay server, in a venv of its own (.venv-pywb/) for the replay test
# (tests/crawler/test_revisit.py::test_pywb_replays_revisit_records): pywb pins packages of its own
# (brotlipy, an old redis) that must not meet the project's. Idempotent; ~30 s the first time. Without it
# the test skips and says to run this.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3 python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then PY=$c; break; fi
  done
fi
[ -n "$PY" ] || { echo "install-pywb: no python3 found" >&2; exit 1; }
if [ -x .venv-pywb/bin/wayback ] && [ -x .venv-pywb/bin/wb-manager ]; then
  exit 0
fi
"$PY" -m venv .venv-pywb
.venv-pywb/bin/python -m pip install --quiet --disable-pip-version-check "pywb>=2.8,<3"
.venv-pywb/bin/wayback --version >/dev/null
