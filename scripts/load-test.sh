#!/usr/bin/env bash
# The load test (docs/testing.md): rowchaind on its own private MariaDB with a small pending
# pool (--max-pending-rows, default 2,000), WRITERS concurrent writers (default 1,000) for
# SECONDS (default 60) with 10 watchers attached, then `rowchain load-test`'s checks: every
# acknowledged batch sealed exactly once, every refusal RESOURCE_EXHAUSTED with nothing stored.
# Prints its JSON with the node's peak resident memory added; exits 1 when a check fails.
# Usage: scripts/load-test.sh [WRITERS] [SECONDS] [POOL_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
writers=${1:-1000}
seconds=${2:-60}
pool=${3:-2000}
scripts/build.sh >/dev/null
dir=build/load-test-mariadb
scripts/mariadb.sh start "$dir" >/dev/null
uri=$(scripts/mariadb.sh uri "$dir")
db_uri=${uri/\/rowchain\?//load_$(date +%s)?}
ready=build/load-test.ready
rm -f "$ready"
build/bin/rowchaind --metrics-listen 127.0.0.1:0 --mysql "$db_uri" --chain regtest --miner cpu --threads 1 --listen 127.0.0.1:0 --peer-listen off \
  --max-pending-rows "$pool" --log-level warn --ready-file "$ready" 2>build/load-test.log &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; scripts/mariadb.sh stop "$dir" >/dev/null' EXIT
for _ in $(seq 1 300); do [ -f "$ready" ] && break; sleep 0.1; done
node=$(sed -n 's/.*"listen":"\([^"]*\)".*/\1/p' "$ready")
set +e
result=$(build/bin/rowchain --node "$node" load-test --mysql "$db_uri" --writers "$writers" --seconds "$seconds" --json)
code=$?
set -e
peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "${result%\}}, \"rowchaind_peak_rss_kib\": $peak, \"cpu\": \"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\"}"
exit $code
