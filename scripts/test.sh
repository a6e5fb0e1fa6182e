#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what is missing, builds, and runs
# every test with ctest in parallel. `scripts/test.sh --sanitize` does the same built with clang
# under AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ (the build the fuzz targets
# of scripts/fuzz.sh share; no CUDA, whose tests skip without a GPU anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

# The tests need the CUDA code to build, not to run on five GPU generations: one architecture
# (the GPU's own when there is one, else PTX for 7.5, which any newer GPU can run) keeps the
# test build short. CUDA_ARCHITECTURES=... overrides it.
cuda_arch=${CUDA_ARCHITECTURES:-75-virtual}
if [ -z "${CUDA_ARCHITECTURES:-}" ] && nvidia-smi -L >/dev/null 2>&1; then cuda_arch=native; fi
cmake_args=(-DCMAKE_CUDA_ARCHITECTURES="$cuda_arch")
if [ "${1:-}" = "--sanitize" ]; then
  export BUILD_DIR=build-asan CC=clang CXX=clang++
  cmake_args=(-DROWCHAIN_FUZZ=ON -DROWCHAIN_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
scripts/build.sh "${cmake_args[@]}"
cd "${BUILD_DIR:-build}"
ctest -j "$(nproc)" --output-on-failure --timeout 600
