#!/usr/bin/env bash
# Start a Redis for the distributed crawl on 127.0.0.1 (never on another interface), persistent (AOF), in
# the background; print its URL. Idempotent: a Redis already answering on that port is left running.
#
#   bash scripts/redis-start.sh [PORT]        # default 6379 (or $REDIS_PORT); data in .redis/<port>/
#   bash scripts/redis-stop.sh  [PORT]
#
# Installs redis-server first when it is missing (scripts/install-redis.sh; needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-${REDIS_PORT:-6379}}
DIR=${REDIS_DIR:-.redis/$PORT}
command -v redis-server >/dev/null 2>&1 || bash scripts/install-redis.sh >/dev/null
if redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
  echo "redis://127.0.0.1:$PORT/0"
  exit 0
fi
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
# appendonly: a restarted Redis still holds the frontier (the crawl resumes); everysec: at most ~1 s of
# writes lost if the machine itself dies.
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --daemonize yes \
  --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" \
  --appendonly yes --appendfsync everysec --save "" --protected-mode yes
for _ in $(seq 1 100); do
  if redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
    echo "redis://127.0.0.1:$PORT/0"
    exit 0
  fi
  sleep 0.05
done
echo "redis-start: Redis did not come up on 127.0.0.1:$PORT; see $DIR/redis.log" >&2
tail -n 20 "$DIR/redis.log" >&2 || true
exit 1
