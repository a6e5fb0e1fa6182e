#!/usr/bin/env bash
# A private MariaDB server for tests and the local demo: its own datadir, socket and port under
# DIR, listening on loopback only, with a user `rowchain` whose password is generated on
# first start.
#   scripts/mariadb.sh start DIR   # initialises DIR on first use, starts the server, waits until it answers
#   scripts/mariadb.sh stop DIR    # stops it (SIGTERM, then waits)
#   scripts/mariadb.sh uri DIR     # prints the socket URI (DIR/uri); DIR/tcp-uri holds the TCP one
# Uses mariadb-install-db and mariadbd from Debian's mariadb-server (run as root, they need
# --user=root, which this script passes).
set -euo pipefail

cmd=${1:?usage: mariadb.sh start|stop|uri DIR}
dir=${2:?usage: mariadb.sh start|stop|uri DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/mysqld.sock"
pidfile="$dir/mysqld.pid"
export PATH="$PATH:/usr/sbin:/usr/bin"

user_args=()
[ "$(id -u)" -eq 0 ] && user_args=(--user=root)

alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
answers() { mariadb-admin --no-defaults --socket="$sock" -u"$(id -un)" ping >/dev/null 2>&1; }

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port found" >&2
  return 1
}

start() {
  if alive && answers; then return 0; fi
  if [ ! -d "$dir/data/mysql" ]; then
    rm -rf "$dir/data"
    mariadb-install-db --no-defaults --datadir="$dir/data" "${user_args[@]}" \
      --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 \
      || { echo "mariadb-install-db failed; see $dir/install.log" >&2; exit 1; }
  fi
  local port
  port=$(free_port)
  echo "$port" >"$dir/port"
  # setsid and closed descriptors: the server outlives this script and holds none of its pipes.
  setsid mariadbd --no-defaults --datadir="$dir/data" --socket="$sock" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$pidfile" --log-error="$dir/error.log" "${user_args[@]}" \
    --skip-name-resolve --max-connections=500 --innodb-buffer-pool-size=256M \
    --max-allowed-packet=256M </dev/null >>"$dir/server.out" 2>&1 &
  for _ in $(seq 1 300); do
    answers && break
    sleep 0.1
  done
  answers || { echo "mariadbd did not start; see $dir/error.log" >&2; tail -5 "$dir/error.log" >&2; exit 1; }
  if [ ! -f "$dir/password" ]; then
    head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
    chmod 600 "$dir/password"
  fi
  local pw
  pw=$(cat "$dir/password")
  mariadb --no-defaults --socket="$sock" -u"$(id -un)" <<SQL
CREATE USER IF NOT EXISTS 'rowchain'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'rowchain'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'rowchain'@'localhost';
GRANT ALL PRIVILEGES ON *.* TO 'rowchain'@'127.0.0.1';
SQL
  echo "mysql://rowchain:$pw@localhost/rowchain?socket=$sock" >"$dir/uri"
  echo "mysql://rowchain:$pw@127.0.0.1:$port/rowchain" >"$dir/tcp-uri"
}

stop() {
  alive || return 0
  local pid
  pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  uri) cat "$dir/uri" ;;
  *) echo "usage: mariadb.sh start|stop|uri DIR" >&2; exit 2 ;;
esac
