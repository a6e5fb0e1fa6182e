# Sourced by the bench-*.sh scripts: builds rowchain and starts the benchmarks' private MariaDB
# (build/bench-mariadb, loopback only). Sets $dir (its folder) and $uri (a connection URI);
# each script stops it in its own EXIT trap.
start_bench_mariadb() {
  scripts/build.sh >/dev/null
  dir=build/bench-mariadb
  scripts/mariadb.sh start "$dir" >/dev/null
  uri=$(scripts/mariadb.sh uri "$dir")
}

# Processes a benchmark starts (append their pids); stop_bench, the scripts' EXIT trap, ends them
# with SIGTERM, waits, and stops the MariaDB.
pids=()
stop_bench() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  scripts/mariadb.sh stop "$dir" >/dev/null
}
