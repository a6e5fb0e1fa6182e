#!/usr/bin/env bash
# The main job, for now a demo of the miner (the node replaces it): installs what is missing,
# builds, lists the mining backends, mines Bitcoin's genesis block from a nonce range that
# contains its nonce, and measures the hash rate.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
bin=build/bin/rowchain

echo "== mining backends on this machine"
"$bin" backends
echo
echo "== mining Bitcoin's genesis header from nonce 2,000,000,000 (its nonce is 2,083,236,893)"
genesis=0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c
"$bin" mine-header --header "$genesis" --start 2000000000 --count 100000000
echo
echo "== hash rate, every core, 3 seconds"
"$bin" bench --backend auto --seconds 3
