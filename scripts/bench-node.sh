#!/usr/bin/env bash
# BENCHMARKS.md, "Node": 16 writers send 100-row batches to rowchaind (regtest chain, CPU
# miner) on a private MariaDB; rows/s from SubmitBatch to committed, side by side with plain
# multi-row INSERTs of the same rows by 16 connections to the same server; submit-to-sealed
# p50/p99 (after a warm-up round of 20,000 rows); then the daemon's peak RSS once the chain
# holds 1,000,000 rows.
# Usage: scripts/bench-node.sh [ROWS_PER_ROUND] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
rounds=${2:-3}
source scripts/bench-lib.sh
start_bench_mariadb
db="bench_node_$(date +%s)"
node_uri=${uri/\/rowchain\?//$db?}
plain_uri=${uri/\/rowchain\?//${db}_plain?}
ready=$(mktemp -u)
build/bin/rowchaind --metrics-listen 127.0.0.1:0 --mysql "$node_uri" --chain regtest --miner cpu --listen 127.0.0.1:0 --peer-listen off --ready-file "$ready" \
  --log-level ${LOG_LEVEL:-warn} --max-pending-rows 2000000 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; scripts/mariadb.sh stop "$dir" >/dev/null' EXIT
for _ in $(seq 1 300); do [ -f "$ready" ] && break; sleep 0.1; done
node=$(sed -n 's/.*"listen":"\([^"]*\)".*/\1/p' "$ready")
# A warm-up round, not counted: the daemon's first batches pay for thread pools, allocator
# arenas and prepared statements that every later batch finds ready.
build/bin/rowchain --node "$node" bench-node --rows 20000 --writers 16 --batch-rows 100 --json >/dev/null
for round in $(seq 1 "$rounds"); do
  build/bin/rowchain --node "$node" bench-node --plain-mysql "$plain_uri" --rows "$rows" --writers 16 --batch-rows 100 --json
done
# Fill the chain to 1,000,000 rows, then read the peak resident set of the daemon.
done_rows=$(( rows * rounds + 20000 ))
if [ "$done_rows" -lt 1000000 ]; then
  build/bin/rowchain --node "$node" bench-node --rows $(( 1000000 - done_rows )) --writers 16 --batch-rows 100 --json
fi
build/bin/rowchain --node "$node" tip --json
# The mining loop's move to a new tip: a fresh database, blocks arriving as a peer's would.
build/bin/bench_node_restart "${uri/\/rowchain\?//${db}_restart?}" 30
echo "{\"rowchaind_peak_rss_kib\": $(awk '/VmHWM/ {print $2}' /proc/$pid/status), \"rss_now_kib\": $(awk '/VmRSS/ {print $2}' /proc/$pid/status)}"
