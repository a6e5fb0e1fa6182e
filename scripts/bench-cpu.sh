#!/usr/bin/env bash
# CPU miner benchmark for BENCHMARKS.md: rowchain's nonce rate on one core against OpenSSL's
# 64-byte SHA-256 rate on the same core (each 64-byte hash is two compressions, the work of one
# nonce), alternated ROUNDS times in one run; then 2 threads against 1. Prints medians.
# Usage: scripts/bench-cpu.sh [ROUNDS] [SECONDS]   (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
seconds="${2:-3}"
bin=build/bin/rowchain

rate_of() { sed -n 's/.*"hashes_per_second":\([0-9.e+]*\).*/\1/p'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

ossl=(); one=(); two=()
for ((i = 0; i < rounds; i++)); do
  # openssl speed reports 1000s of bytes per second; /64 bytes gives hashes per second.
  kb=$(taskset -c 0 openssl speed -seconds "$seconds" -bytes 64 -evp sha256 2>/dev/null | awk '/^sha256/ {sub("k","",$2); print $2}')
  ossl+=("$(awk -v k="$kb" 'BEGIN {printf "%.0f", k * 1000 / 64}')")
  one+=("$(taskset -c 0 "$bin" bench --backend cpu --threads 1 --seconds "$seconds" --json 2>/dev/null | rate_of)")
  two+=("$("$bin" bench --backend cpu --threads 2 --seconds "$seconds" --json 2>/dev/null | rate_of)")
done
m_ossl=$(printf '%s\n' "${ossl[@]}" | median)
m_one=$(printf '%s\n' "${one[@]}" | median)
m_two=$(printf '%s\n' "${two[@]}" | median)
path=$("$bin" backends --json | sed -n 's/.*"path":"\([a-z0-9-]*\)".*/\1/p')
awk -v o="$m_ossl" -v a="$m_one" -v b="$m_two" -v p="$path" -v r="$rounds" 'BEGIN {
  printf "rounds: %d (medians), cpu path: %s\n", r, p
  printf "openssl sha256 64-byte, 1 core: %.2f M hashes/s\n", o / 1e6
  printf "rowchain cpu, 1 thread:         %.2f M nonces/s  (%.2fx openssl)\n", a / 1e6, a / o
  printf "rowchain cpu, 2 threads:        %.2f M nonces/s  (%.2fx 1 thread)\n", b / 1e6, b / a
}'
