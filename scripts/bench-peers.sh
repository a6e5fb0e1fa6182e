#!/usr/bin/env bash
# BENCHMARKS.md, "Peers": (1) three loopback nodes in a full mesh, all mining (regtest, one CPU
# thread each): p50/p99 from a block sealed on one node to committed on each other node;
# (2) a fresh node syncing BLOCKS blocks of 100 rows from one peer, rows/s, side by side with
# plain 100-row INSERTs of the same number of rows by one connection to the same MariaDB.
# Usage: scripts/bench-peers.sh [RELAY_BLOCKS] [SYNC_BLOCKS]
set -euo pipefail
cd "$(dirname "$0")/.."
relay_blocks=${1:-100}
sync_blocks=${2:-5000}
source scripts/bench-lib.sh
start_bench_mariadb
run=$(date +%s)
db_uri() { echo "${uri/\/rowchain\?//bench_peers_${run}_$1?}"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
trap stop_bench EXIT
start_node() {  # name port peer-port chain miner peers...
  local name=$1 port=$2 peer_port=$3 chain=$4 miner=$5; shift 5
  local peers=()
  for p in "$@"; do peers+=(--peer "$p"); done
  build/bin/rowchaind --metrics-listen 127.0.0.1:0 --mysql "$(db_uri "$name")" --chain "$chain" --miner "$miner" --threads 1 --miner-id "$name" \
    --listen "127.0.0.1:$port" --peer-listen "127.0.0.1:$peer_port" --log-level warn --max-pending-rows 2000000 "${peers[@]}" \
    --ready-file "build/bench-$run-$name.ready" &
  pids+=($!)
  for _ in $(seq 1 300); do [ -f "build/bench-$run-$name.ready" ] && return; sleep 0.1; done
  echo "node $name did not start" >&2; exit 1
}

# (1) relay latency
pa=$(free_port); pb=$(free_port); pc=$(free_port); qa=$(free_port); qb=$(free_port); qc=$(free_port)
start_node a "$pa" "$qa" regtest cpu "127.0.0.1:$qb" "127.0.0.1:$qc"
start_node b "$pb" "$qb" regtest cpu "127.0.0.1:$qa" "127.0.0.1:$qc"
start_node c "$pc" "$qc" regtest cpu "127.0.0.1:$qa" "127.0.0.1:$qb"
sleep 1
build/bin/rowchain bench-peers --nodes "127.0.0.1:$pa,127.0.0.1:$pb,127.0.0.1:$pc" --blocks "$relay_blocks" --json
for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
pids=()

# (2) catch-up sync: blocks of exactly one 100-row batch
chain=build/bench-$run-sync.toml
build/bin/rowchain chain --chain regtest --toml | sed 's/^max_block_rows = .*/max_block_rows = 100/; 0,/^name = .*/s//name = "sync_bench"/' > "$chain"
ps=$(free_port); pf=$(free_port); qs=$(free_port); qf=$(free_port)
start_node source "$ps" "$qs" "$chain" cpu
build/bin/rowchain --node "127.0.0.1:$ps" bench-node --rows $(( sync_blocks * 100 )) --writers 16 --batch-rows 100 --json >/dev/null
height=$(build/bin/rowchain --node "127.0.0.1:$ps" tip --json | sed -n 's/.*"height":\([0-9]*\).*/\1/p')
start=$(date +%s.%N)
start_node fresh "$pf" "$qf" "$chain" off "127.0.0.1:$qs"
while :; do
  h=$(build/bin/rowchain --node "127.0.0.1:$pf" tip --json | sed -n 's/.*"height":\([0-9]*\).*/\1/p')
  [ "$h" -ge "$height" ] && break
  sleep 0.05
done
end=$(date +%s.%N)
python3 -c "s=$end-$start; rows=$height*100; print('{\"sync_blocks\": %d, \"sync_seconds\": %.2f, \"sync_rows_per_s\": %.0f}' % ($height, s, rows/s))"
build/bin/rowchain bench-node --plain-only --plain-mysql "$(db_uri plain)" --rows $(( height * 100 )) --writers 1 --batch-rows 100
