#!/usr/bin/env bash
# Configures and builds rowchain into BUILD_DIR (default: build/). Extra arguments go to cmake,
# e.g. scripts/build.sh -DROWCHAIN_SANITIZE=ON or -DCMAKE_CUDA_ARCHITECTURES=90.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
launcher=()
# ccache, when installed, makes a rebuild after `git clean` or a branch switch take seconds.
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build_dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
