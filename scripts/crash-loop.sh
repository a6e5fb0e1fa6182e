#!/usr/bin/env bash
# The kill -9 loop (docs/testing.md). Two regtest nodes, A and B, link as peers on one private
# MariaDB (a database each); A publishes its change feed to a development Kafka broker and
# ingests batches from a topic there. Writers submit over gRPC to both nodes and produce to the
# ingest topic, recording what was acknowledged. Each round, at a random moment, rowchaind A is
# killed with SIGKILL (every third round B too, every fifth MariaDB instead), and everything
# restarts. At the end, with the writers stopped and the nodes converged:
#   - every acknowledged batch is sealed, once (its rows are in A's table);
#   - `rowchain verify` is clean on both nodes, and CHECKSUM TABLE is the same on both;
#   - every sealed row is in A's change feed at least once.
# Usage: scripts/crash-loop.sh [ROUNDS]   (default 5; prints one line a round, exits 1 on failure)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
scripts/build.sh >/dev/null
work=build/crash-loop
rm -rf "$work"
mkdir -p "$work"
db_dir=$work/mariadb
scripts/mariadb.sh start "$db_dir" >/dev/null
uri=$(scripts/mariadb.sh uri "$db_dir")
sql() { mariadb --no-defaults --socket="$(cd "$db_dir" && pwd)/mysqld.sock" -u"$(id -un)" -N -B "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

declare -A pid api peer
for n in a b; do api[$n]=127.0.0.1:$(free_port); peer[$n]=127.0.0.1:$(free_port); done
build/bin/rowchain dev-broker --ready-file "$work/broker.json" >/dev/null 2>&1 &
broker_pid=$!
for _ in $(seq 1 100); do [ -f "$work/broker.json" ] && break; sleep 0.1; done
kafka=$(sed -n 's/.*"listen":"\([^"]*\)".*/\1/p' "$work/broker.json")
writer_pids=()
cleanup() {
  for p in "${writer_pids[@]}" "${pid[a]:-}" "${pid[b]:-}" "$broker_pid"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/mariadb.sh stop "$db_dir" >/dev/null || true
}
trap cleanup EXIT

start_node() {  # a|b
  local n=$1 other=b extra=()
  [ "$n" = b ] && other=a
  [ "$n" = a ] && extra=(--kafka-brokers "$kafka" --kafka-topic-prefix crash --kafka-ingest-topic crash-in)
  rm -f "$work/$n.ready"
  build/bin/rowchaind --metrics-listen 127.0.0.1:0 --mysql "${uri/\/rowchain\?//crash_$n?}" --chain regtest --miner cpu --threads 1 \
    --miner-id "$n" --listen "${api[$n]}" --peer-listen "${peer[$n]}" --peer "${peer[$other]}" \
    --ready-file "$work/$n.ready" "${extra[@]}" >>"$work/$n.log" 2>&1 &
  pid[$n]=$!
  for _ in $(seq 1 300); do
    [ -f "$work/$n.ready" ] && return 0
    kill -0 "${pid[$n]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "node $n did not start; its log: $work/$n.log" >&2
  exit 1
}

# A writer: 5-row batches to one node; "FIRST_ID" per acknowledged batch in its file.
grpc_writer() {  # node id-base
  local node=$1 next=$2 rows
  while :; do
    rows=$(python3 -c "import json; print(json.dumps([{'id': i, 'name': 'w', 'age': 1} for i in range($next, $next + 5)]))" 2>/dev/null)
    echo "$rows" >"$work/rows-$next.json"
    if build/bin/rowchain --node "$node" submit --table users --rows "$work/rows-$next.json" >/dev/null 2>&1; then
      echo "$next" >>"$work/acked"
    fi
    rm -f "$work/rows-$next.json"
    next=$((next + 5))
  done
}
kafka_writer() {  # id-base
  local next=$1
  while :; do
    if python3 -c "import json; print(json.dumps({'table': 'users', 'rows': [{'id': i, 'name': 'k', 'age': 2} for i in range($next, $next + 5)]}))" 2>/dev/null |
        kcat -P -b "$kafka" -t crash-in -X message.timeout.ms=5000 2>/dev/null; then
      echo "$next" >>"$work/acked"
    fi
    next=$((next + 5))
    sleep 0.05
  done
}

start_node a
start_node b
grpc_writer "${api[a]}" 1000000 & writer_pids+=($!)
grpc_writer "${api[b]}" 2000000 & writer_pids+=($!)
kafka_writer 3000000 & writer_pids+=($!)

for round in $(seq 1 "$rounds"); do
  sleep "$(python3 -c 'import random; print(round(random.uniform(1, 4), 2))')"
  if [ $((round % 5)) -eq 0 ]; then
    what="MariaDB"
    victims=(a b)  # they may have died with it, or wait on it: both start again
    kill -9 "$(cat "$db_dir/mysqld.pid")"
    sleep 0.5
    scripts/mariadb.sh start "$db_dir" >/dev/null
  elif [ $((round % 3)) -eq 0 ]; then
    what="A and B"
    victims=(a b)
  else
    what="A"
    victims=(a)
  fi
  for n in "${victims[@]}"; do
    kill -9 "${pid[$n]}" 2>/dev/null || true
    wait "${pid[$n]}" 2>/dev/null || true  # reaped: a zombie would still answer kill -0
    start_node "$n"
  done
  echo "round $round: killed $what; $(wc -l <"$work/acked" 2>/dev/null || echo 0) batches acknowledged so far"
done

for p in "${writer_pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait "${writer_pids[@]}" 2>/dev/null || true
writer_pids=()
tip() { build/bin/rowchain --node "$1" tip --json 2>/dev/null || true; }
missing_rows() {  # acknowledged rows not in A's table
  sql crash_a -e "SELECT id FROM users" | sort -n >"$work/sealed-a"
  python3 - "$work/acked" "$work/sealed-a" <<'PY'
import sys
acked = [int(l) for l in open(sys.argv[1]) if l.strip()]
sealed = {int(l) for l in open(sys.argv[2]) if l.strip()}
print(sum(1 for first in acked for i in range(first, first + 5) if i not in sealed))
PY
}
same_tip() {  # both nodes on one tip with nothing pending
  python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); sys.exit(0 if a['hash']==b['hash'] and a['pending']==0 and b['pending']==0 else 1)" "$1" "$2" 2>/dev/null
}
# Converged: one tip, nothing pending, and every acknowledged batch in (a batch produced to
# Kafka is acknowledged by the broker; a restarted ingester takes it up within its session).
converged=no
for _ in $(seq 1 600); do
  if same_tip "$(tip "${api[a]}")" "$(tip "${api[b]}")" && [ "$(missing_rows)" -eq 0 ]; then
    converged=yes
    break
  fi
  sleep 0.2
done

failed=0
check() { if eval "$2"; then echo "ok:   $1"; else echo "FAIL: $1"; failed=1; fi; }
check "the nodes converged on one tip with nothing pending and every acknowledged batch in" '[ "$converged" = yes ]'
missing=$(missing_rows)
check "every acknowledged batch is sealed ($(wc -l <"$work/acked") batches; $missing rows missing)" '[ "$missing" -eq 0 ]'
for n in a b; do
  check "rowchain verify is clean on $n" \
    'build/bin/rowchain verify --mysql "${uri/\/rowchain\?//crash_$n?}" --chain regtest >"$work/verify-$n.txt" 2>&1'
done
check "CHECKSUM TABLE users is the same on both nodes" \
  '[ "$(sql crash_a -e "CHECKSUM TABLE users" | cut -f2)" = "$(sql crash_b -e "CHECKSUM TABLE users" | cut -f2)" ]'
kcat -C -b "$kafka" -t crash.users -o beginning -e -q >"$work/feed.jsonl" 2>/dev/null || true
unfed=$(python3 - "$work/sealed-a" "$work/feed.jsonl" <<'PY'
import json, sys
sealed = {int(l) for l in open(sys.argv[1]) if l.strip()}
seen = set()
for line in open(sys.argv[2]):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    row = event.get("after") or event.get("before") or {}
    if "id" in row:
        seen.add(int(row["id"]))
print(len(sealed - seen))
PY
)
check "every sealed row is in the change feed at least once ($unfed missing)" '[ "$unfed" -eq 0 ]'
[ "$failed" -eq 0 ] && echo "PASS: $rounds rounds" || echo "FAILED (logs in $work)"
exit "$failed"
