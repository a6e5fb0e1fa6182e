# Sourced by the bench-*.sh scripts: builds rowchain and starts the benchmarks' private MariaDB
# (build/bench-mariadb, loopback only). Sets $dir (its folder) and $uri (a connection URI);
# each script stops it in its own EXIT trap.
start_bench_mariadb() {
  scripts/build.sh >/dev/null
  dir=build/bench-mariadb
  scripts/mariadb.sh start "$dir" >/dev/null
  uri=$(scripts/mariadb.sh uri "$dir")
}
