#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: installs the baselines (pandas, openpyxl, DuckDB) into a virtual
# environment, builds the runner in release mode and runs it. Extra arguments go to the
# runner (see examples/bench.rs), e.g. `--repeat 5` or `--rpw-rows 50000`.
#
#   scripts/bench.sh
#
# Environment: CARGO_TARGET_DIR (default /var/tmp/marrakech-target, shared with the
# workspace), BENCH_VENV (the baselines' virtual environment, reused when present),
# MARRAKECH_SHARED_DATA (the shared real data; found beside the repository otherwise).
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/marrakech-target}"

crate="$(cd "$(dirname "$0")/.." && pwd)"
venv="${BENCH_VENV:-${TMPDIR:-/tmp}/marrakech-evidence-bench-venv}"

# The shared real data: beside the repository, seen from staging or from the workspace.
data="${MARRAKECH_SHARED_DATA:-}"
if [ -z "$data" ]; then
    for candidate in "$crate/../../shared/data" "$crate/../../../shared/data"; do
        if [ -f "$candidate/SOURCES.md" ]; then
            data="$(cd "$candidate" && pwd)"
            break
        fi
    done
fi

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pandas openpyxl duckdb
"$venv/bin/python" -c 'import pandas, openpyxl, duckdb; print("baselines: pandas", pandas.__version__, "openpyxl", openpyxl.__version__, "duckdb", duckdb.__version__)' >&2

args=(--python "$venv/bin/python" --work "${TMPDIR:-/tmp}/marrakech-evidence-bench")
if [ -n "$data" ]; then
    args+=(--data "$data")
else
    echo "shared data not found: the IMS and MMP import benchmarks are skipped" >&2
fi

# Built at low priority (the machine is usually shared with other builds); the measurements
# themselves run at normal priority.
nice cargo build --quiet --release --manifest-path "$crate/Cargo.toml" --features bench --example bench
cargo run --quiet --release --manifest-path "$crate/Cargo.toml" --features bench \
    --example bench -- "${args[@]}" "$@"
