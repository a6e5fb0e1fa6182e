#!/usr/bin/env bash
# BENCHMARKS.md, "Ledger store": connecting blocks of 100 and 1,000 INSERT rows against plain
# multi-row INSERTs of the same rows on the same private MariaDB, then verify over 100,000
# rows. Usage: scripts/bench-ledger.sh [ROWS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-20000}
rounds=${2:-5}
scripts/build.sh >/dev/null
dir=build/bench-mariadb
scripts/mariadb.sh start "$dir"
trap 'scripts/mariadb.sh stop "$dir"' EXIT
build/bin/rowchain bench-ledger --mysql "$(scripts/mariadb.sh uri "$dir")" --rows "$rows" --rounds "$rounds" \
  --rows-per-block 100 1000 --verify-rows 100000
