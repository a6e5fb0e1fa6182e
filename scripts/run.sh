#!/usr/bin/env bash
# The main job: a local rowchain node. Installs what is missing and builds; starts a private
# MariaDB under .rowchain/demo/mariadb unless --mysql URI is given, and a development Kafka
# broker (rowchain dev-broker); starts rowchaind on the `dev` chain with --miner auto and the
# change feed on; submits the sample users (scripts/sample-users.json) and waits until they are
# sealed; shows the block, the rows in MySQL, their change-feed events read back with kcat and a
# clean audit; prints what it started (node address, MySQL URI with its password, Kafka
# bootstrap and topic) and commands to try; then keeps the node running until Ctrl-C, which
# stops everything it started. --reset wipes the demo (its MariaDB, database, logs) first.
#   scripts/run.sh [--reset] [--mysql URI] [--listen HOST:PORT] [any other rowchaind flags]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh

mysql_uri=""
reset=""
listen="127.0.0.1:7373"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --mysql) mysql_uri=${2:?--mysql needs a URI}; shift 2 ;;
    --listen) listen=${2:?--listen needs HOST:PORT}; shift 2 ;;
    --reset) reset=1; shift ;;
    *) extra+=("$1"); shift ;;
  esac
done

demo=.rowchain/demo
if [ -n "$reset" ]; then
  echo "== --reset: wiping the demo state under $demo"
  if [ -d "$demo/mariadb" ]; then scripts/mariadb.sh stop "$demo/mariadb" >/dev/null 2>&1 || true; fi
  rm -rf "$demo"
fi
mkdir -p "$demo"
started_mariadb=""
daemon_pid=""
broker_pid=""
cleanup() {
  trap - INT TERM EXIT
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || true
  fi
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid"
    wait "$broker_pid" || true
  fi
  if [ -n "$started_mariadb" ]; then scripts/mariadb.sh stop "$demo/mariadb" >/dev/null || true; fi
}
trap cleanup INT TERM EXIT

if [ -z "$mysql_uri" ]; then
  echo "== starting a private MariaDB under $demo/mariadb (loopback only)"
  scripts/mariadb.sh start "$demo/mariadb" >/dev/null
  started_mariadb=1
  mysql_uri=$(scripts/mariadb.sh uri "$demo/mariadb")
  # One database per chain: when a new version changes the dev chain (its genesis), the demo
  # starts on a fresh database instead of refusing the one made on the old chain.
  genesis=$(build/bin/rowchain chain --chain dev --json | sed -n 's/.*"genesis_hash":"\([0-9a-f]\{12\}\).*/\1/p')
  demo_db=rowchain_dev_$genesis
  mysql_uri=${mysql_uri/\/rowchain\?//$demo_db?}
fi

echo "== starting a development Kafka broker (in memory) for the change feed"
rm -f "$demo/broker.json"
build/bin/rowchain dev-broker --ready-file "$demo/broker.json" >/dev/null &
broker_pid=$!
for _ in $(seq 1 100); do [ -f "$demo/broker.json" ] && break; sleep 0.1; done
kafka=$(sed -n 's/.*"listen":"\([^"]*\)".*/\1/p' "$demo/broker.json")

echo "== starting rowchaind on the dev chain (log: $demo/rowchaind.log)"
rm -f "$demo/ready.json"
build/bin/rowchaind --mysql "$mysql_uri" --chain dev --miner auto --listen "$listen" --kafka-brokers "$kafka" \
  --ready-file "$demo/ready.json" "${extra[@]}" 2> >(tee "$demo/rowchaind.log" >&2) &
daemon_pid=$!
for _ in $(seq 1 300); do
  [ -f "$demo/ready.json" ] && break
  kill -0 "$daemon_pid" 2>/dev/null || { echo "rowchaind did not start" >&2; exit 1; }
  sleep 0.1
done
[ -f "$demo/ready.json" ] || { echo "rowchaind not ready after 30 s" >&2; exit 1; }
node=$(sed -n 's/.*"listen":"\([^"]*\)".*/\1/p' "$demo/ready.json")
metrics=$(sed -n 's/.*"metrics_listen":"\([^"]*\)".*/\1/p' "$demo/ready.json")
cli=(build/bin/rowchain --node "$node")

echo
echo "== submitting the sample users and waiting until they are sealed"
# The key makes a second run of this script find the same batch instead of inserting again.
sealed=$("${cli[@]}" submit --table users --rows scripts/sample-users.json --idempotency-key sample-users --wait --json)
echo "$sealed"
height=$(echo "$sealed" | sed -n 's/.*"height":\([0-9]*\).*/\1/p' | head -1)

echo
echo "== the block that holds them"
"${cli[@]}" block "$height"
echo
echo "== the chain tip"
"${cli[@]}" tip
echo
echo "== the users table in MySQL"
if [ -n "$started_mariadb" ]; then
  MYSQL_PWD=$(cat "$demo/mariadb/password") mariadb --no-defaults --socket="$PWD/$demo/mariadb/mysqld.sock" \
    -u rowchain "$demo_db" --table -e 'SELECT * FROM users ORDER BY id'
else
  echo "(your server: SELECT * FROM users ORDER BY id)"
fi
echo
echo "== the change feed on Kafka (topic rowchain.users), read with kcat"
sleep 1
feed=$(kcat -q -b "$kafka" -C -t rowchain.users -e -f '%k %s\n' 2>/dev/null | cut -c1-200 || true)
if [ -n "$feed" ]; then
  echo "$feed"
else
  echo "(no events: the sample rows were sealed by an earlier run, and the development broker keeps events in memory only)"
fi
echo
echo "== auditing the database against the chain"
build/bin/rowchain verify --mysql "$mysql_uri"
cat <<EOF

== running now (Ctrl-C stops all of it)
  node, writer API:   $node   (rowchain --node $node ...)
  status page:        http://$metrics/   (Prometheus: http://$metrics/metrics)
  MySQL database:     $mysql_uri
  Kafka bootstrap:    $kafka   change feed topic: rowchain.users
  node log:           $demo/rowchaind.log

== try
  build/bin/rowchain --node $node tip
  build/bin/rowchain status --metrics $metrics
  build/bin/rowchain --node $node watch
  echo '[{"id": 1000, "name": "me", "age": 30}]' > me.json
  build/bin/rowchain --node $node submit --table users --rows me.json --wait
  build/bin/rowchain verify --mysql '$mysql_uri'
  kcat -b $kafka -C -t rowchain.users -e
  scripts/run.sh --reset      (wipes the demo and starts over)
EOF
wait "$daemon_pid"
