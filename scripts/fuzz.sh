#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/, one per decoder of outside bytes) for SECONDS each
# (default 60), starting from the seed corpora in fuzz/corpus/. Builds them first with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/ (the build of
# `scripts/test.sh --sanitize`). New inputs go to build-asan/corpus/<target>/ (kept between
# runs); a crash stops that target with the input saved as build-asan/crash-<target>-*, and the
# script exits 1.
# `--smoke` runs each target for a fixed 20,000 inputs with a fixed seed instead (what CI runs:
# the same inputs every time, so CI does not turn red by the luck of the draw; long runs find
# the new defects).
# FUZZ_MAX_RUNS=N stops each target after N inputs as well (long runs: FUZZ_MAX_RUNS=10000000).
# Usage: scripts/fuzz.sh [SECONDS|--smoke] [TARGET ...]
set -euo pipefail
cd "$(dirname "$0")/.."
limit=(-max_total_time="${1:-60}")
[ "${1:-}" = --smoke ] && limit=(-runs=20000 -seed=1)
[ -n "${FUZZ_MAX_RUNS:-}" ] && limit+=(-runs="$FUZZ_MAX_RUNS")
shift || true
scripts/install-deps.sh
build=build-asan
CC=clang CXX=clang++ cmake -S . -B $build -G Ninja -DROWCHAIN_FUZZ=ON -DROWCHAIN_CUDA=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build $build --target fuzz_all -j "$(nproc)" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for bin in $build/bin/fuzz_*; do
    name=${bin#$build/bin/fuzz_}
    [ "$name" = make_seeds ] || targets+=("$name")
  done
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
printf '%-18s %14s %10s %s\n' target executions exec/s result
failed=0
for name in "${targets[@]}"; do
  corpus=$build/corpus/$name
  mkdir -p "$corpus"
  log=$build/fuzz-$name.log
  result=ok
  if ! "$build/bin/fuzz_$name" "${limit[@]}" -print_final_stats=1 -rss_limit_mb=2048 \
      -artifact_prefix="$build/crash-$name-" "$corpus" "fuzz/corpus/$name" >"$log" 2>&1; then
    result="CRASH (see $log)"
    failed=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  printf '%-18s %14s %10s %s\n' "$name" "${runs:-?}" "${rate:-?}" "$result"
done
exit $failed
