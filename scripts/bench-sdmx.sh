#!/usr/bin/env bash
# SDMX data queries for one country over all years, under wrk, beside a baseline measured in
# the same run: the same observations read from the database through
# /api/v1/statistics/datasets/ims-2024/observations (SQL on every request), as CSV.
# Starts the release `marrakech` on a fresh data directory, waits for the bundled data sets,
# then measures each query with one connection (latency) and with eight (throughput).
# See docs/BENCHMARKS.md, "SDMX queries".
#
#   scripts/bench-sdmx.sh                       # Mexico (484), 20 s per run
#   AREA=276 DURATION=10s scripts/bench-sdmx.sh
#
# Environment: AREA (M49, default 484), DURATION (default 20s), PORT (default 18090),
# DATA_DIR (default /var/tmp/marrakech-sdmx-bench, emptied first), CARGO_TARGET_DIR.
# Needs wrk (Debian: `apt-get install -y wrk`) and curl.
set -euo pipefail

cd "$(dirname "$0")/.."
AREA=${AREA:-484}
DURATION=${DURATION:-20s}
PORT=${PORT:-18090}
DATA_DIR=${DATA_DIR:-/var/tmp/marrakech-sdmx-bench}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/marrakech-target}

for tool in cargo wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench-sdmx.sh: $tool is required" >&2; exit 1; }
done
nice cargo build --release -p marrakech --bin marrakech
BIN="$CARGO_TARGET_DIR/release/marrakech"
REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z "$(git status --porcelain 2>/dev/null)" ]] || REV="$REV + uncommitted changes"
echo "bench-sdmx.sh: $(date -u +%Y-%m-%dT%H:%MZ), commit $REV, area $AREA, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

rm -rf "$DATA_DIR" && mkdir -p "$DATA_DIR"
"$BIN" --data-dir "$DATA_DIR" --log warn serve --bind "127.0.0.1:$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do
    if curl -fsS "$BASE/api/v1/statistics/datasets" 2>/dev/null | grep -q '"total":4' &&
        curl -fsS -o /dev/null "$BASE/api/v1/statistics/migrant-stock" 2>/dev/null; then
        break
    fi
    sleep 0.5
done

SDMX="/sdmx/rest/data/DF_MIGRANT_STOCK/$AREA..?format=csv"
SQL="/api/v1/statistics/datasets/ims-2024/observations?ref_area=$AREA&format=csv"
for path in "$SDMX" "$SQL"; do
    # Both answer the same observations: one per origin, sex and year.
    echo "$path: $(curl -fsS "$BASE$path" | tail -n +2 | wc -l) observations, $(curl -fsS "$BASE$path" | wc -c) bytes"
done

measure() { # measure LABEL PATH CONNECTIONS
    local out
    out=$(wrk -t1 -c"$3" -d"$DURATION" --latency "$BASE$2")
    local p50 p99 rps
    p50=$(awk '/ 50%/{print $2}' <<<"$out")
    p99=$(awk '/ 99%/{print $2}' <<<"$out")
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
    printf '| %s | %s | %s | %s | %s |\n' "$1" "$3" "$p50" "$p99" "$rps"
}
wrk -t1 -c1 -d3s "$BASE$SDMX" >/dev/null   # warm-up, not reported
wrk -t1 -c1 -d3s "$BASE$SQL" >/dev/null
echo
echo "| query | connections | p50 | p99 | requests/s |"
echo "|---|---|---|---|---|"
measure "SDMX data, one country, all years (SDMX-CSV)" "$SDMX" 1
measure "baseline: the same observations by SQL (/api/v1/statistics/.../observations, CSV)" "$SQL" 1
measure "SDMX data, one country, all years (SDMX-CSV)" "$SDMX" 8
measure "baseline: the same observations by SQL" "$SQL" 8
