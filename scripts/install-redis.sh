#!/usr/bin/env bash
# Install redis-server (Debian package) for the distributed crawl's tests and demo. Idempotent: when a
# redis-server is already on PATH it only prints its version. Needs root (or sudo) and the Debian
# package index; the package's own service is NOT started (our scripts start Redis on 127.0.0.1 themselves:
# scripts/redis-start.sh / scripts/redis-stop.sh; the tests start their own on a free port).
#
#   bash scripts/install-redis.sh
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  redis-server --version
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-redis: run as root, or install redis-server yourself (apt-get install redis-server)" >&2; exit 1; }
  SUDO=sudo
fi
command -v apt-get >/dev/null 2>&1 || {
  echo "install-redis: no apt-get here; install Redis >= 6 with your package manager (redis-server must be on PATH)" >&2
  exit 1
}
export DEBIAN_FRONTEND=noninteractive
# Do not let the package start its system service (policy-rc.d exit 101 = "do not start"): the project
# starts Redis where and when it needs it. An existing policy-rc.d is left as it is.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  made_policy=1
fi
cleanup() { if [ -n "$made_policy" ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT
if ! $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
redis-server --version
