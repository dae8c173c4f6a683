#!/usr/bin/env bash
# Builds and runs the search benchmark: this crate's index, SQLite FTS5 and PostgreSQL full-text
# search on the same generated items and query mix, at each size. Results (a Markdown table per
# size) go to stdout and are appended to $OUT.
#
#   scripts/bench.sh                      # 10k, 100k and 1M items, all three engines
#   SIZES=10000,100000 scripts/bench.sh   # smaller run
#
# Environment:
#   SIZES     comma-separated item counts (default 10000,100000,1000000)
#   ENGINES   tantivy,sqlite,postgres (default: all three)
#   BUDGET    seconds per measured phase per engine (default 120): a slow engine stops
#             starting queries after this and reports how many it ran
#   PASSES    passes over the 80-query mix per phase (default 3)
#   OUT       results file (default bench-results.md)
#   BENCH_DIR where indexes and databases are built (default /var/tmp/marrakech-bench)
#   MARRAKECH_BENCH_POSTGRES_URL  PostgreSQL server (default
#             postgresql://postgres:marrakech@127.0.0.1:5432/postgres); the run uses a database
#             `marrakech_bench` there, and skips PostgreSQL with a message when none answers
#   INSTALL_POSTGRES=1  when no server answers locally, install Debian's PostgreSQL, start it
#             and set the password the default URL uses
#   CARGO_TARGET_DIR    build directory (default /var/tmp/marrakech-target, shared with the workspace)
#
# The SQLite baseline uses rusqlite 0.32 (its bundled SQLite, FTS5 on): the workspace's sqlx
# links libsqlite3-sys 0.30, and only one crate may link the native sqlite3 library, so rusqlite
# must stay on the version that shares it.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=${SIZES:-10000,100000,1000000}
ENGINES=${ENGINES:-tantivy,sqlite,postgres}
BUDGET=${BUDGET:-120}
PASSES=${PASSES:-3}
OUT=${OUT:-bench-results.md}
BENCH_DIR=${BENCH_DIR:-/var/tmp/marrakech-bench}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/marrakech-target}

command -v cargo >/dev/null || { echo "bench.sh: cargo is required (rustup.rs)" >&2; exit 1; }

if [[ "${INSTALL_POSTGRES:-0}" == 1 && -z "${MARRAKECH_BENCH_POSTGRES_URL:-}" ]]; then
    if ! PGPASSWORD=marrakech psql -h 127.0.0.1 -U postgres -Atc 'select 1' >/dev/null 2>&1; then
        echo "bench.sh: installing PostgreSQL" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        service postgresql start
        su postgres -c "psql -c \"ALTER USER postgres PASSWORD 'marrakech'\"" >/dev/null
    fi
fi

# SQLite comes bundled with rusqlite (FTS5 enabled); the PostgreSQL client is pure Rust.
# Built at low priority: the machine is usually shared with other builds.
nice cargo build --release --features bench --example bench
BIN="$CARGO_TARGET_DIR/release/examples/bench"

REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain -- . 2>/dev/null)" ]]; then REV="$REV + uncommitted changes"; fi
echo "bench.sh: $(date -u +%Y-%m-%dT%H:%MZ), commit $REV, sizes $SIZES, budget ${BUDGET}s" >&2
"$BIN" --sizes "$SIZES" --engines "$ENGINES" --budget-secs "$BUDGET" --passes "$PASSES" \
    --dir "$BENCH_DIR" --out "$OUT"
