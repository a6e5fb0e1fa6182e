#!/usr/bin/env bash
# Partitions (docs/testing.md): two regtest nodes, each in its own network namespace joined by a
# veth pair (10.213.0.1 and .2, a range that exists only inside those namespaces; made and
# removed by this script, which needs root), both mining, linked with a network secret. Each
# round the link is cut for a while (`ip link set … down`) while a writer on each side inserts
# rows and updates and deletes rows of its own side that were sealed before the cut, then
# healed. After each heal: one tip, identical tables (CHECKSUM TABLE), every acknowledged batch
# sealed exactly once, and the blocks the losing side disconnected are counted.
# Usage: scripts/partition-loop.sh [ROUNDS] [CUT_SECONDS]   (defaults 5 and 3)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
cut=${2:-3}
# Without network namespaces (not root, or a container without CAP_NET_ADMIN) there is nothing
# to partition: say so and stop, successfully, as the GPU tests skip without a GPU.
if ! ip netns add rc-probe 2>/dev/null; then
  echo "partition-loop.sh: skipped: network namespaces are not available here (needs root and CAP_NET_ADMIN)"
  exit 0
fi
ip netns del rc-probe
scripts/build.sh >/dev/null
work=build/partition-loop
rm -rf "$work"; mkdir -p "$work"
db_dir=$work/mariadb
scripts/mariadb.sh start "$db_dir" >/dev/null
uri=$(scripts/mariadb.sh uri "$db_dir")  # a socket URI: reachable from any network namespace
sql() { mariadb --no-defaults --socket="$(cd "$db_dir" && pwd)/mysqld.sock" -u"$(id -un)" -N -B "$@"; }
declare -A ip=([a]=10.213.0.1 [b]=10.213.0.2) dev=([a]=rc-va [b]=rc-vb) pid=()
writer_pids=()
cleanup() {
  for p in "${writer_pids[@]}" "${pid[a]:-}" "${pid[b]:-}"; do kill -9 "$p" 2>/dev/null || true; done
  # Everything still running inside the namespaces (the nodes, a CLI call) goes with them.
  for n in a b; do ip netns pids "rc-$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del rc-a 2>/dev/null || true
  ip netns del rc-b 2>/dev/null || true
  scripts/mariadb.sh stop "$db_dir" >/dev/null || true
}
trap cleanup EXIT
ip netns del rc-a 2>/dev/null || true; ip netns del rc-b 2>/dev/null || true
for n in a b; do ip netns add "rc-$n"; ip -n "rc-$n" link set lo up; done
ip link add rc-va type veth peer name rc-vb
for n in a b; do
  ip link set "${dev[$n]}" netns "rc-$n"
  ip -n "rc-$n" addr add "${ip[$n]}/24" dev "${dev[$n]}"
  ip -n "rc-$n" link set "${dev[$n]}" up
done
in_ns() { local n=$1; shift; ip netns exec "rc-$n" "$@"; }
cli() { local n=$1; shift; in_ns "$n" build/bin/rowchain --node 127.0.0.1:7373 "$@"; }

for n in a b; do
  other=b; [ "$n" = b ] && other=a
  ip netns exec "rc-$n" build/bin/rowchaind --mysql "${uri/\/rowchain\?//part_$n?}" --chain regtest --miner cpu --threads 1 \
    --miner-id "$n" --listen 127.0.0.1:7373 --peer-listen "${ip[$n]}:7374" --peer "${ip[$other]}:7374" \
    --peer-secret "partition-loop-secret" --ready-file "$work/$n.ready" >"$work/$n.log" 2>&1 &
  pid[$n]=$!
done
for n in a b; do for _ in $(seq 1 300); do [ -f "$work/$n.ready" ] && break; sleep 0.1; done; done

# A writer on side N: 5-row insert batches; every other batch also updates, and every fourth
# deletes, rows it inserted and saw sealed earlier (no other writer touches them).
writer() {
  local n=$1 next=$2 sealed=() ops
  while :; do
    python3 -c "import json,sys; f=int(sys.argv[1]); print(json.dumps([{'id': i, 'name': sys.argv[2], 'age': 1} for i in range(f, f+5)]))" \
      "$next" "$n" >"$work/ins-$n.json"
    if cli "$n" submit --table users --rows "$work/ins-$n.json" --wait --timeout 30 >/dev/null 2>&1; then
      echo "insert $next" >>"$work/acked-$n"; sealed+=("$next")
    fi
    if [ ${#sealed[@]} -gt 4 ] && [ $((next / 5 % 2)) -eq 0 ]; then
      local first=${sealed[0]}
      python3 -c "import json,sys; f=int(sys.argv[1]); print(json.dumps([{'id': f, 'name': 'updated', 'age': 2}]))" "$first" >"$work/upd-$n.json"
      cli "$n" submit --table users --op update --rows "$work/upd-$n.json" >/dev/null 2>&1 && echo "update $first" >>"$work/acked-$n"
      if [ $((next / 5 % 4)) -eq 0 ]; then
        python3 -c "import json,sys; print(json.dumps([{'id': int(sys.argv[1]) + 1}]))" "$first" >"$work/del-$n.json"
        # Noted before it is sent: a delete the node stored just as the writer was stopped is
        # not acknowledged, but its row may rightly be gone.
        echo "delete-tried $((first + 1))" >>"$work/acked-$n"
        cli "$n" submit --table users --op delete --rows "$work/del-$n.json" >/dev/null 2>&1 && echo "delete $((first + 1))" >>"$work/acked-$n"
      fi
      sealed=("${sealed[@]:1}")
    fi
    next=$((next + 5))
  done
}
writer a 1000000 & writer_pids+=($!)
writer b 2000000 & writer_pids+=($!)

converged() {  # one tip, nothing pending, identical tables
  local ta tb
  ta=$(cli a tip --json 2>/dev/null) || return 1
  tb=$(cli b tip --json 2>/dev/null) || return 1
  python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); sys.exit(0 if a['hash']==b['hash'] and a['pending']==0 and b['pending']==0 else 1)" "$ta" "$tb" &&
    [ "$(sql part_a -e 'CHECKSUM TABLE users' | cut -f2)" = "$(sql part_b -e 'CHECKSUM TABLE users' | cut -f2)" ]
}
failed=0
for round in $(seq 1 "$rounds"); do
  sleep 1
  in_ns a ip link set rc-va down
  sleep "$cut"
  kill -STOP "${writer_pids[@]}"  # heal with the writers paused, so convergence can be seen
  in_ns a ip link set rc-va up
  ok=no
  for _ in $(seq 1 600); do converged && { ok=yes; break; }; sleep 0.2; done
  reorged=$(cat "$work/a.log" "$work/b.log" | grep -c "block disconnected" || true)
  echo "round $round: cut ${cut} s, converged: $ok, blocks disconnected (the losing side's reorg): $((reorged - ${last:-0})), height $(cli a tip --json | sed -n 's/.*"height":\([0-9]*\).*/\1/p')"
  last=$reorged
  [ "$ok" = yes ] || failed=1
  kill -CONT "${writer_pids[@]}"
done
kill -STOP "${writer_pids[@]}"
for _ in $(seq 1 600); do converged && break; sleep 0.2; done
# Every acknowledged insert sealed once (or its row deleted later by an acknowledged delete;
# an update may have changed it).
missing=$(python3 - "$work" <<'PY'
import subprocess, sys
work = sys.argv[1]
acked = []
for side in "ab":
    try:
        acked += [l.split() for l in open(f"{work}/acked-{side}") if l.strip()]
    except FileNotFoundError:
        pass
deleted = {int(i) for op, i in acked if op == "delete"}
tried = {int(i) for op, i in acked if op == "delete-tried"}
inserted = [int(i) for op, i in acked if op == "insert"]
rows = subprocess.run(["bash", "-c", f"mariadb --no-defaults --socket={work}/mariadb/mysqld.sock -u$(id -un) -N -B part_a -e 'SELECT id FROM users'"],
                      capture_output=True, text=True).stdout.split()
present = {int(r) for r in rows}
print(sum(1 for f in inserted for i in range(f, f + 5) if i not in present and i not in deleted and i not in tried)
      + sum(1 for i in deleted if i in present))
PY
)
echo "acknowledged rows out of place: $missing"
[ "$missing" -eq 0 ] || failed=1
for n in a b; do
  build/bin/rowchain verify --mysql "${uri/\/rowchain\?//part_$n?}" --chain regtest >/dev/null 2>&1 || { echo "verify not clean on $n"; failed=1; }
done
[ "$failed" -eq 0 ] && echo "PASS: $rounds partitions healed" || echo "FAILED (logs in $work)"
exit "$failed"
