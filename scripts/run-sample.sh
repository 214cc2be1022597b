#!/usr/bin/env bash
# THE MAIN JOB, offline: set up .venv, clean the seed archive, crawl the bundled sample portal, summarise.
#
#   bash scripts/run-sample.sh
#
# 1. scripts/setup.sh creates .venv and installs the project (idempotent).
# 2. `newsarchive clean archive/` writes the cleaned record next to every seed capture.
# 3. The sample portal (crawler/sample_portal/site) is served on 127.0.0.1, port $SAMPLE_PORTAL_PORT
#    (default 8731, the port crawler/sites/sample.toml expects; a random free port when it is taken), by
#    `python -m crawler.sample_portal.server`; a trap stops it on every exit path.
# 4. `scrapy crawl sample -a base_url=...` (polite: robots.txt + its Crawl-delay 0.5 s, AutoThrottle) writes
#    WARC + JSONL. It writes into a scratch archive root first; only a finished crawl replaces the previous
#    run's files archive/captures/sample/sample-portal-*, so a rerun ends in the same state and an
#    interrupted run leaves the previous capture intact. Nothing leaves 127.0.0.1. `scrapy crawl` exits
#    non-zero when the crawl failed or was interrupted, and says why (crawler/commands/crawl.py).
# 5. A summary: pages fetched, articles written, drops by reason, where the files are.
# 6. The portal as it stood later (`python -m crawler.sample_portal.server --edition 2`, same port: an
#    article corrected, one deleted, one replaced by a placeholder, one redirected home, one moved, two
#    new, the rest unchanged) is revisited: `scrapy crawl sample -a mode=revisit -a due=all` (conditional
#    requests; unchanged pages become WARC revisit records). It writes straight into the archive (it
#    needs the first crawl's history); a failed revisit's files are removed.
# 7. `newsarchive index`, `newsarchive diff` of the crawl against the seeds (HTML report in reports/), and
#    `newsarchive changes`: every change the revisit found, then each edition-2 case with what the
#    portal's reference data (crawler/sample_portal/edition2.toml) says it must be classified as; the job
#    fails when one is not.
set -euo pipefail
cd "$(dirname "$0")/.."

CRAWL_ID=sample-portal
REVISIT_ID=sample-portal-revisit
SITE=sample
ARCHIVE=archive
DEST="$ARCHIVE/captures/$SITE"
SCRATCH="$ARCHIVE/captures/.run-sample.tmp"   # same filesystem as DEST, so the final moves are renames

bash scripts/setup.sh
PY=.venv/bin/python

echo "== 1/3 clean the seed archive: newsarchive clean $ARCHIVE/"
.venv/bin/newsarchive clean "$ARCHIVE/"

work=$(mktemp -d "${TMPDIR:-/tmp}/run-sample.XXXXXX")
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() { stop_server; rm -rf "$work" "$SCRATCH"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== 2/3 serve the sample portal on 127.0.0.1"
# A fixed port by default, so that record URLs (and so record ids) are the same on every run; when it is
# taken, a random free port (the records then carry that port).
start_server() {  # $1 = port (0 = any), $2... = server options; sets server_pid and base
  base=""
  local port=$1
  shift
  "$PY" -m crawler.sample_portal.server --port "$port" "$@" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 1 100); do
    base=$(head -n 1 "$work/server.out" 2>/dev/null || true)
    [ -n "$base" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || { server_pid=""; return 1; }
    sleep 0.1
  done
  return 1
}
if ! start_server "${SAMPLE_PORTAL_PORT:-8731}"; then
  stop_server
  echo "   port ${SAMPLE_PORTAL_PORT:-8731} is taken; using a random free port"
  start_server 0 || { echo "run-sample: the portal server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }
fi
echo "   portal at $base/"

echo "== 3/3 crawl: scrapy crawl $SITE -a base_url=$base/"
rm -rf "$SCRATCH"
log="$work/crawl.log"
if ! .venv/bin/scrapy crawl "$SITE" -a base_url="$base/" \
    -s NEWSARCHIVE_ARCHIVE_DIR="$SCRATCH" -s NEWSARCHIVE_CRAWL_ID="$CRAWL_ID" \
    -s NEWSARCHIVE_STATS_FILE="$work/stats.json" -s LOG_FILE="$log" -s LOG_LEVEL=INFO; then
  echo "run-sample: the crawl failed; last lines of its log:" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
fi
stop_server
# Scrapy exits 0 after a graceful shutdown too (Ctrl-C, CLOSESPIDER_*): only a finished crawl replaces the
# previous capture.
reason=$("$PY" -m crawler.sample_portal.summary --finish-reason --stats "$work/stats.json" --log "$log")
if [ "$reason" != "finished" ]; then
  echo "run-sample: the crawl did not finish (finish_reason: ${reason:-unknown}); the previous capture in" \
       "$DEST is left as it was. Last lines of the crawl log:" >&2
  tail -n 15 "$log" >&2 || true
  exit 1
fi

# Replace the previous main-job capture with this one (records point at captures/sample/<file>, relative
# to the archive root, so they stay valid after the move).
mkdir -p "$DEST"
new=("$SCRATCH/captures/$SITE/$CRAWL_ID"-*)
[ -e "${new[0]}" ] || { echo "run-sample: the crawl wrote no files (see $log)" >&2; tail -n 30 "$log" >&2; exit 1; }
rm -f "$DEST/$CRAWL_ID"-* "$DEST/$CRAWL_ID.log" "$DEST/$CRAWL_ID.stats.json"  # (and the last revisit's)
mv "${new[@]}" "$DEST/"
cp "$log" "$DEST/$CRAWL_ID.log"
[ -f "$work/stats.json" ] && cp "$work/stats.json" "$DEST/$CRAWL_ID.stats.json"

echo
echo "== summary"
"$PY" -m crawler.sample_portal.summary --archive "$ARCHIVE" --site "$SITE" --crawl-id "$CRAWL_ID" \
  --stats "$DEST/$CRAWL_ID.stats.json" --log "$DEST/$CRAWL_ID.log"
echo "seed records       $ARCHIVE/seeds/*.json"
echo "crawl log          $DEST/$CRAWL_ID.log"

echo
port=${base##*:}
echo "== revisit: the portal as it stood later (edition 2) on the same port; scrapy crawl $SITE -a mode=revisit"
start_server "$port" --edition 2 || { echo "run-sample: the edition-2 portal did not start:" >&2; cat "$work/server.err" >&2; exit 1; }
rlog="$work/revisit.log"
if ! .venv/bin/scrapy crawl "$SITE" -a base_url="$base/" -a mode=revisit -a due=all \
    -s NEWSARCHIVE_ARCHIVE_DIR="$ARCHIVE" -s NEWSARCHIVE_CRAWL_ID="$REVISIT_ID" \
    -s NEWSARCHIVE_STATS_FILE="$work/revisit-stats.json" -s LOG_FILE="$rlog" -s LOG_LEVEL=INFO; then
  rm -f "$DEST/$REVISIT_ID"-*
  echo "run-sample: the revisit failed; last lines of its log:" >&2
  tail -n 30 "$rlog" >&2 || true
  exit 1
fi
stop_server
cp "$rlog" "$DEST/$REVISIT_ID.log"
cp "$work/revisit-stats.json" "$DEST/$REVISIT_ID.stats.json"
"$PY" -m crawler.sample_portal.summary --archive "$ARCHIVE" --site "$SITE" --crawl-id "$REVISIT_ID" \
  --stats "$DEST/$REVISIT_ID.stats.json" --log "$DEST/$REVISIT_ID.log"

echo
echo "== what changed since the seeds: newsarchive index + diff"
.venv/bin/newsarchive index "$ARCHIVE" | sed 's/^/index              /'
mkdir -p reports
report="reports/sample-vs-seeds.html"  # outside archive/: an .html there would be taken for a capture
.venv/bin/newsarchive diff "$DEST" --against "$ARCHIVE/seeds" --format html -o "$report"
.venv/bin/newsarchive diff "$DEST" --against "$ARCHIVE/seeds" --color never | tail -n 1 | sed 's/^/diff               /'
echo "diff report        $report (text: newsarchive diff $DEST)"

echo
echo "== what the revisit found: newsarchive changes $ARCHIVE --state edited,deleted,moved,restored"
.venv/bin/newsarchive changes "$ARCHIVE" --site "$SITE" --state edited,metadata-changed,deleted,moved,restored --color never
.venv/bin/newsarchive changes "$ARCHIVE" --site "$SITE" --format html -o reports/changes.html
echo "changes report     reports/changes.html (also --format jsonl | atom)"
echo
echo "== each edition-2 case against the portal's reference data (crawler/sample_portal/edition2.toml)"
"$PY" -m crawler.sample_portal.editions "$ARCHIVE" "$base/"
