#!/usr/bin/env bash
# Configures and builds rowchain into BUILD_DIR (default: build/). Extra arguments go to cmake,
# e.g. scripts/build.sh -DROWCHAIN_SANITIZE=ON or -DCMAKE_CUDA_ARCHITECTURES=90.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
