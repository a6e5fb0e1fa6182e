#!/usr/bin/env bash
# BENCHMARKS.md, "Mining farm": (1) N rowchain-worker processes (CPU backend, THREADS threads
# each) against a pure job server on loopback: the aggregate hash rate from verified shares over
# 60 s, side by side with the sum of the same workers' `rowchain bench` rates measured alone in
# this run, and the node's CPU seconds per million shares; (2) a peer mining the same chain: the
# switch latency (tip change -> each worker hashing the next job), p50/p99.
# On a GPU host: WORKER_ARGS="--backend cuda --devices 0" per worker, one worker per GPU.
# Usage: scripts/bench-farm.sh [WORKERS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${1:-2}
threads=${2:-1}
worker_args=${WORKER_ARGS:---backend cpu --threads $threads}
source scripts/bench-lib.sh
start_bench_mariadb
run=$(date +%s)
# The dev chain, mining empty blocks too: the workers always hold a job, as in a loaded farm.
chain_file="build/bench-$run-farm-chain.toml"
build/bin/rowchain chain --chain dev --toml | sed 's/^mine_empty_blocks = false/mine_empty_blocks = true/' > "$chain_file"
db_uri() { echo "${uri/\/rowchain\?//bench_farm_${run}_$1?}"; }
trap stop_bench EXIT
start_node() {  # name miner extra-args...
  local name=$1 miner=$2; shift 2
  build/bin/rowchaind --metrics-listen 127.0.0.1:0 --mysql "$(db_uri "$name")" --chain "$chain_file" --miner "$miner" --threads 1 \
    --miner-id "$name" --listen 127.0.0.1:0 --peer-listen 127.0.0.1:0 --log-level warn \
    --ready-file "build/bench-$run-$name.ready" "$@" &
  pids+=($!)
  for _ in $(seq 1 300); do [ -f "build/bench-$run-$name.ready" ] && return; sleep 0.1; done
  echo "node $name did not start" >&2; exit 1
}
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "build/bench-$run-$1.ready" "$2"; }
cpu_seconds() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
workers_json() { build/bin/rowchain --node "$1" workers --json; }

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
# Alone, one after another: what each worker would hash by itself.
alone=0
for w in $(seq 1 "$workers"); do
  rate=$(build/bin/rowchain bench $worker_args --seconds 5 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["hashes_per_second"])')
  echo "worker $w alone: $(python3 -c "print(f'{$rate/1e6:.2f}')") MH/s"
  alone=$(python3 -c "print($alone + $rate)")
done

# (1) together against the job server; shares every 50 ms each, so 60 s holds thousands.
start_node farm off --mining-listen 127.0.0.1:0 --worker-share-interval-ms 50
farm=$(field farm listen)
mining=$(field farm mining_listen)
for w in $(seq 1 "$workers"); do
  build/bin/rowchain-worker --node "$mining" $worker_args --name "w$w" --report-s 60 2>/dev/null & pids+=($!)
done
farm_pid=$(field farm pid)
sleep 10  # vardiff settles
cpu0=$(cpu_seconds "$farm_pid"); shares0=$(workers_json "$farm" | python3 -c 'import json,sys; print(sum(w["accepted"] for w in json.load(sys.stdin)["workers"]))')
sleep 62
cpu1=$(cpu_seconds "$farm_pid")
workers_json "$farm" > "build/bench-$run-workers.json"
python3 - "build/bench-$run-workers.json" "$alone" "$shares0" "$cpu0" "$cpu1" <<'PY'
import json, sys
workers = json.load(open(sys.argv[1]))["workers"]
alone, shares0, cpu0, cpu1 = float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
together = sum(w["hash_rate_60s"] for w in workers)
shares = sum(w["accepted"] for w in workers) - shares0
for w in workers:
    print(f'{w["name"]}: {w["hash_rate_60s"]/1e6:.2f} MH/s from {w["accepted"]} shares, {w["rejected"]} rejected, {w["stale"]} stale')
print(f"aggregate from verified shares: {together/1e6:.2f} MH/s; sum alone: {alone/1e6:.2f} MH/s; ratio {together/alone:.3f}")
print(f"node CPU: {cpu1-cpu0:.2f} s for {shares} shares = {(cpu1-cpu0)/max(shares,1)*1e6:.1f} s per million shares")
PY

# (2) a peer mining the same chain: each of its blocks switches every worker.
start_node peer cpu --peer "$(field farm peer_listen)"
peer=$(field peer listen)
sleep 90
workers_json "$farm" | python3 -c '
import json, sys
us = sorted(json.load(sys.stdin)["recent_switch_latency_us"])
if not us: sys.exit("no switches recorded")
p = lambda q: us[min(len(us) - 1, int(q * len(us)))]
print(f"switch latency over {len(us)} worker switches: p50 {p(0.5)/1000:.2f} ms, p99 {p(0.99)/1000:.2f} ms, max {us[-1]/1000:.2f} ms")'
