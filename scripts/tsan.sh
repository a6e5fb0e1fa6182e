#!/usr/bin/env bash
# The ThreadSanitizer run of the node, store, peer and feed tests (docs/testing.md, run by hand,
# not in CI): clang 16 (Debian's clang-16; installed when missing) with -fsanitize=thread into
# build-tsan/, no CUDA, no jemalloc. Debian's gRPC, Abseil, librdkafka, OpenSSL and spdlog are
# not instrumented: tests/tsan.supp says, line by line, what that hides and why, and
# tests/tsan_thrd_shim.c (preloaded) starts librdkafka's C11 threads through the pthread
# functions TSan intercepts. Exit 0 when every test passes with no report, in the tests and in
# the rowchaind and rowchain processes they start (their logs under build-tsan/test-tmp/).
# Usage: scripts/tsan.sh [TEST_BINARY ...]   (default: node_test chain_store_test peer_test hostile_peer_test feed_test)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if ! command -v clang++-16 >/dev/null || [ ! -d /usr/lib/llvm-16/lib/clang/16/lib/linux ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends clang-16 libclang-rt-16-dev >/dev/null
fi
tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=(node_test chain_store_test peer_test hostile_peer_test feed_test)
build=build-tsan
CC=clang-16 CXX=clang++-16 cmake -S . -B $build -G Ninja -DROWCHAIN_CUDA=OFF -DROWCHAIN_JEMALLOC=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_CXX_FLAGS=-fsanitize=thread \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
cmake --build $build -j "$(nproc)" --target "${tests[@]}" rowchaind rowchain >/dev/null
cc -O2 -shared -fPIC -o $build/libtsan_thrd_shim.so tests/tsan_thrd_shim.c -lpthread
scripts/mariadb.sh start $build/test-mariadb >/dev/null
trap 'scripts/mariadb.sh stop $build/test-mariadb >/dev/null' EXIT
rm -rf $build/test-tmp
export LD_PRELOAD=$PWD/$build/libtsan_thrd_shim.so
export TSAN_OPTIONS="halt_on_error=0 suppressions=$PWD/tests/tsan.supp external_symbolizer_path=/usr/lib/llvm-14/bin/llvm-symbolizer"
failed=0
for t in "${tests[@]}"; do
  if (cd $build && "./bin/$t" >"$t.tsan.log" 2>&1); then result=ok; else result="FAILED (see $build/$t.tsan.log)"; failed=1; fi
  printf '%-20s %s, %s reports\n' "$t" "$result" "$(grep -c 'WARNING: ThreadSanitizer' "$build/$t.tsan.log" || true)"
done
reports=$( (grep -l 'WARNING: ThreadSanitizer' $build/test-tmp/*/log 2>/dev/null || true) | wc -l)
echo "processes the tests started with a report: $reports"
[ "$reports" -eq 0 ] || failed=1
exit $failed
