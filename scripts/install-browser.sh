#!/usr/bin/env bash
# Install the headless browser the serve tests drive (tests/serve): Debian's chromium and chromium-driver,
# plus one small CJK font so that screenshots show Chinese. Idempotent: does nothing when they are there.
# Needs root (CI runs as root); elsewhere it says what to run and exits 0, and the browser tests skip.
#
#   bash scripts/install-browser.sh
#
# Never downloads a browser build of its own (no `playwright install`): Playwright for Python drives
# /usr/bin/chromium (see tests/serve/browser.py).
set -euo pipefail
PACKAGES=(chromium chromium-driver fonts-wqy-microhei)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; install ${missing[*]} yourself (the browser tests skip without them)" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: run as root to install ${missing[*]}: sudo bash scripts/install-browser.sh" \
       "(the browser tests skip without them)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-browser: installed ${missing[*]}: $(/usr/bin/chromium --version)"
