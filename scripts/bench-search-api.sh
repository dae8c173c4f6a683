#!/usr/bin/env bash
# The knowledge search API under wrk: builds `marrakech` (release), fills a fresh data
# directory with generated published knowledge items, builds the search index, starts the
# server and runs wrk against /api/v1/knowledge with the search benchmark's query mix.
# See docs/BENCHMARKS.md, "Search API under wrk".
#
#   scripts/bench-search-api.sh                     # 100k items, wrk -t2 -c16 -d20s
#   ITEMS=10000 DURATION=10s scripts/bench-search-api.sh
#
# Environment:
#   ITEMS        published items to generate (default 100000)
#   SEED         generator seed (default 2018, the search benchmark's)
#   THREADS, CONNECTIONS, DURATION   wrk's -t, -c, -d (default 2, 16, 20s)
#   WARMUP       a wrk run before the measured one, not reported (default 5s; 0 for none)
#   PORT         the server's port on 127.0.0.1 (default 18080)
#   DATA_DIR     the data directory (default /var/tmp/marrakech-api-bench); emptied first
#   REUSE=1      keep DATA_DIR's database and index if a previous run seeded it with ITEMS
#   SKIP_BUILD=1 use the binaries already in CARGO_TARGET_DIR
#   MIX          a file of request paths to cycle through instead of the benchmark's mix
#                (e.g. one path, to see the API's fixed cost per request)
#   CARGO_TARGET_DIR  build directory (default /var/tmp/marrakech-target)
#
# Needs wrk (Debian: `apt-get install -y wrk`) and curl.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
ITEMS=${ITEMS:-100000}
SEED=${SEED:-2018}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
PORT=${PORT:-18080}
DATA_DIR=${DATA_DIR:-/var/tmp/marrakech-api-bench}
REUSE=${REUSE:-0}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/marrakech-target}

for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench-search-api.sh: $tool is required" >&2; exit 1; }
done

# Built at low priority: the machine is usually shared with other builds.
# Two builds: the seeding example needs the search crate's `bench` feature (a
# dev-dependency), the server must not get it (so it is built as it ships).
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    nice cargo build --release -p marrakech --example seed_knowledge
    nice cargo build --release -p marrakech --bin marrakech
fi
BIN="$CARGO_TARGET_DIR/release/marrakech"
SEEDER="$CARGO_TARGET_DIR/release/examples/seed_knowledge"

REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then REV="$REV + uncommitted changes"; fi
echo "bench-search-api.sh: $(date -u +%Y-%m-%dT%H:%MZ), commit $REV, $ITEMS items, wrk -t$THREADS -c$CONNECTIONS -d$DURATION" >&2
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

DB_URL="sqlite://$DATA_DIR/marrakech.db?mode=rwc"
QUERIES="$DATA_DIR/queries.txt"
MARKER="$DATA_DIR/seeded-$ITEMS-$SEED"
if [[ "$REUSE" == 1 && -f "$MARKER" ]]; then
    echo "reusing $DATA_DIR ($ITEMS items, seed $SEED)" >&2
else
    rm -rf "$DATA_DIR"
    mkdir -p "$DATA_DIR"
    echo "seeding $ITEMS items..." >&2
    "$SEEDER" --database-url "$DB_URL" --items "$ITEMS" --seed "$SEED" --queries-out "$QUERIES"
    echo "building the search index (marrakech search reindex)..." >&2
    start=$(date +%s%N)
    "$BIN" --data-dir "$DATA_DIR" --log warn search reindex
    end=$(date +%s%N)
    echo "search reindex: $(( (end - start) / 1000000 )) ms for $ITEMS items" >&2
    touch "$MARKER"
fi

BASE="http://127.0.0.1:$PORT"
if curl -s -o /dev/null "$BASE/"; then
    echo "something already answers at $BASE: stop it or set PORT" >&2
    exit 1
fi
LOG="$DATA_DIR/serve.log"
"$BIN" --data-dir "$DATA_DIR" serve --bind "127.0.0.1:$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

for _ in $(seq 1 240); do
    if curl -fs -o /dev/null "$BASE/api/v1/knowledge?q=migration&limit=1"; then break; fi
    kill -0 "$SERVER" 2>/dev/null || { echo "the server stopped; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
    sleep 0.5
done
curl -fsS -o /dev/null "$BASE/api/v1/knowledge?q=migration&limit=1" || { echo "the server does not answer; see $LOG" >&2; exit 1; }

# The server loads its bundled data sets in the background after it answers: wait until it
# is idle (under 5 % of a core over 3 s), so that wrk measures searches alone.
ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
for _ in $(seq 1 100); do
    a=$(ticks); sleep 3; b=$(ticks)
    if (( b - a < 15 )); then break; fi
done
echo "server idle; $(curl -fsS "$BASE/api/v1/knowledge?q=migrant+workers&limit=20" 2>/dev/null | grep -o '"total":[0-9]*' | head -1) for 'migrant workers'" >&2

if [[ -n "${MIX:-}" ]]; then QUERIES="$MIX"; fi
# Every request of the mix must answer 200 before it is measured.
while read -r path; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")
    if [[ "$code" != 200 ]]; then echo "$path answered $code" >&2; exit 1; fi
done <"$QUERIES"
echo "all $(wc -l <"$QUERIES") requests of the mix ($QUERIES) answer 200; mean answer $(while read -r p; do curl -s -o /dev/null -w '%{size_download}\n' "$BASE$p"; done <"$QUERIES" | awk '{s += $1} END {printf "%d", s / NR}') bytes" >&2

export QUERIES
if [[ "$WARMUP" != 0 ]]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/scripts/wrk-queries.lua" "$BASE" >/dev/null
fi
echo "load average before the measured run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/scripts/wrk-queries.lua" "$BASE"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$SERVER/status")" >&2
