#!/usr/bin/env bash
# Stop the Redis that scripts/redis-start.sh started on 127.0.0.1 (its data stays in .redis/<port>/).
#
#   bash scripts/redis-stop.sh [PORT]     # default 6379 (or $REDIS_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-${REDIS_PORT:-6379}}
DIR=${REDIS_DIR:-.redis/$PORT}
if ! redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
  echo "no Redis answering on 127.0.0.1:$PORT"
  exit 0
fi
pid=$(cat "$DIR/redis.pid" 2>/dev/null || true)
if [ -z "$pid" ]; then
  echo "redis-stop: the Redis on 127.0.0.1:$PORT was not started by scripts/redis-start.sh (no $DIR/redis.pid); leaving it running" >&2
  exit 1
fi
redis-cli -h 127.0.0.1 -p "$PORT" shutdown >/dev/null 2>&1 || true
for _ in $(seq 1 100); do
  redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 || { echo "stopped Redis on 127.0.0.1:$PORT"; exit 0; }
  sleep 0.05
done
[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
echo "stopped Redis on 127.0.0.1:$PORT"
