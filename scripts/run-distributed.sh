#!/usr/bin/env bash
# THE DISTRIBUTED DEMO, offline: one Redis + 3 workers crawl the bundled sample portal served as three
# portals (127.0.0.2, 127.0.0.3, 127.0.0.4), then a summary.
#
#   bash scripts/run-distributed.sh
#
# 1. scripts/setup.sh (.venv) and scripts/install-redis.sh (redis-server from Debian; needs root/sudo).
# 2. Redis on 127.0.0.1 (a free port, data in a scratch folder) by scripts/redis-start.sh.
# 3. The sample portal on 127.0.0.2-4 (`python -m crawler.sample_portal.server --host ...`); a site config
#    "sample-multi" with the start pages of all three (NEWSARCHIVE_EXTRA_SITES).
# 4. Three workers, as you would start them on three machines:
#      scrapy crawl sample-multi -s NEWSARCHIVE_REDIS_URL=redis://127.0.0.1:PORT/0 -s NEWSARCHIVE_WORKER_ID=wN
#    They share one frontier, seed it once, keep each portal's robots.txt Crawl-delay (0.5 s) across all
#    three together, and write their own segments into .distributed-demo/archive/captures/sample-multi/.
# 5. A summary (per worker, per host, articles recorded once), `python -m crawler.distributed status` and
#    `newsarchive index` over the three workers' segments as one archive.
# Redis, the portals and the workers are stopped on every exit path. Nothing leaves 127.0.0.1/8.
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=sample-multi
CRAWL_ID=distributed-demo
OUT=.distributed-demo
ARCHIVE="$OUT/archive"

bash scripts/setup.sh
bash scripts/install-redis.sh >/dev/null
PY=.venv/bin/python

rm -rf "$OUT"
mkdir -p "$OUT/sites" "$OUT/logs"
pids=()
redis_port=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$redis_port" ]; then REDIS_DIR="$OUT/redis" bash scripts/redis-stop.sh "$redis_port" >/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

redis_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REDIS_URL=$(REDIS_DIR="$OUT/redis" bash scripts/redis-start.sh "$redis_port")
echo "== Redis at $REDIS_URL"

echo "== the sample portal as three portals"
starts=(/xwzx/zwyw/index.html /xwzx/gzdt/index.html /szb/html/2020-02/18/node_7.htm /big5/index.html)
pages=""
domains=""
bases=()
# one port for the three hosts: allowed_domains hosts share the scheme and port of base_url
portal_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0)); print(s.getsockname()[1])')
for host in 127.0.0.2 127.0.0.3 127.0.0.4; do
  "$PY" -m crawler.sample_portal.server --host "$host" --port "$portal_port" >"$OUT/logs/portal-$host.out" 2>&1 &
  pids+=($!)
  base=""
  for _ in $(seq 1 100); do
    base=$(head -n 1 "$OUT/logs/portal-$host.out" 2>/dev/null || true)
    [ -n "$base" ] && break
    sleep 0.1
  done
  [ -n "$base" ] || { echo "run-distributed: the portal on $host did not start" >&2; cat "$OUT/logs/portal-$host.out" >&2; exit 1; }
  bases+=("$base")
  echo "   $base/"
  for path in "${starts[@]}"; do pages+="\"$base$path\", "; done
  domains+="\"$host\", "
done
cat >"$OUT/sites/$SITE.toml" <<TOML
# The bundled sample portal served on three loopback hosts (written by scripts/run-distributed.sh)
name = "$SITE"
title = "sample portal x3 (distributed demo)"
base_url = "${bases[0]}/"
start_pages = [${pages%, }]
allowed_domains = [${domains%, }]

[links]
max_pages = 10
TOML

echo "== 3 workers: scrapy crawl $SITE -s NEWSARCHIVE_REDIS_URL=$REDIS_URL -s NEWSARCHIVE_WORKER_ID=wN"
workers=()
started=$(date +%s.%N)
for w in w1 w2 w3; do
  NEWSARCHIVE_EXTRA_SITES="$OUT/sites" .venv/bin/scrapy crawl "$SITE" \
    -s NEWSARCHIVE_REDIS_URL="$REDIS_URL" -s NEWSARCHIVE_WORKER_ID="$w" -s NEWSARCHIVE_CRAWL_ID="$CRAWL_ID" \
    -s NEWSARCHIVE_ARCHIVE_DIR="$ARCHIVE" -s NEWSARCHIVE_STATS_FILE="$OUT/logs/stats-$w.json" \
    -s CLEAN_WORKERS=1 -s LOG_FILE="$OUT/logs/$w.log" -s LOG_LEVEL=INFO &
  workers+=($!)
  pids+=($!)
done
failed=0
for i in 0 1 2; do
  if ! wait "${workers[$i]}"; then
    echo "run-distributed: worker w$((i + 1)) failed; last lines of its log:" >&2
    tail -n 20 "$OUT/logs/w$((i + 1)).log" >&2 || true
    failed=1
  fi
done
elapsed=$("$PY" -c "import time; print(f'{time.time() - $started:.1f}')")
[ "$failed" -eq 0 ] || exit 1

echo
echo "== summary ($elapsed s)"
"$PY" -m crawler.distributed.summary --archive "$ARCHIVE" --site "$SITE" --crawl-id "$CRAWL_ID"
"$PY" -c "from crawler.sample_portal.articles import expected_records, load_articles
print(f'expected       {3 * len(load_articles())} pages, {3 * len(expected_records())} records (13 articles on 9 pages, x3 hosts)')"
for w in w1 w2 w3; do
  "$PY" - "$OUT/logs/stats-$w.json" "$w" <<'PYEOF'
import json, sys
stats = json.load(open(sys.argv[1], encoding="utf-8"))
wait = stats.get("newsarchive/distributed/polite_wait", 0)
print(f"stats {sys.argv[2]:<8} finish_reason {stats.get('finish_reason')}, waited {wait:.1f} s for "
      f"politeness turns, {stats.get('newsarchive/distributed/acknowledged', 0)} leases acknowledged")
PYEOF
done
.venv/bin/python -m crawler.distributed status "$SITE" --redis-url "$REDIS_URL" | sed 's/^/redis          /'
.venv/bin/newsarchive index "$ARCHIVE" | sed 's/^/index          /'
echo "files          $ARCHIVE/captures/$SITE/ (logs in $OUT/logs/)"
