#!/usr/bin/env bash
# BENCHMARKS.md, "Kafka": events/s from the outbox to librdkafka's mock cluster, side by side
# with librdkafka's own producer for messages of the same size; block connected -> event
# acknowledged latency. Usage: scripts/bench-feed.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-100000}
source scripts/bench-lib.sh
start_bench_mariadb
trap 'scripts/mariadb.sh stop "$dir" >/dev/null' EXIT
build/bin/bench_feed "${uri/\/rowchain\?//bench_feed_$(date +%s)?}" "$events"
