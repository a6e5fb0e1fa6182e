#!/usr/bin/env bash
# BENCHMARKS.md, "Ledger store": connecting blocks of 100 and 1,000 INSERT rows against plain
# multi-row INSERTs of the same rows on the same private MariaDB, then verify over 100,000
# rows. Usage: scripts/bench-ledger.sh [ROWS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-20000}
rounds=${2:-5}
source scripts/bench-lib.sh
start_bench_mariadb
trap 'scripts/mariadb.sh stop "$dir"' EXIT
build/bin/rowchain bench-ledger --mysql "$uri" --rows "$rows" --rounds "$rounds" \
  --rows-per-block 100 1000 --verify-rows 100000
