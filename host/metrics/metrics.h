// The node's metrics, in one place every layer can reach (docs/architecture.md): one
// Prometheus registry per process (prometheus-cpp), and named handles for what the node, the
// miners, the store, the feed and the peers update. Names follow Prometheus's conventions,
// units in the name (docs/monitoring.md lists them). Thread-safe: prometheus-cpp's metrics are
// atomic; adding a labelled child takes the family's lock, so hot paths keep the child.
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace rowchain::metrics {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

struct Metrics {
  prometheus::Registry registry;

  // Mining.
  Family<Counter>& hashes;         // rowchain_hashes_total{backend,device}
  Counter& blocks_mined;           // rowchain_blocks_mined_total
  Counter& stale_work;             // rowchain_stale_work_total: templates abandoned for a new tip
  Family<Counter>& device_errors;  // rowchain_device_errors_total{device}
  Histogram& template_build_seconds;
  Histogram& job_switch_seconds;   // a tip change to the next template's search
  Family<Gauge>& device_paused;    // rowchain_device_paused{device,reason}: 1 while paused
  Family<Counter>& device_pauses;  // rowchain_device_pauses_total{device,reason}

  // Remote workers (host/farm).
  Gauge& workers_connected;
  Family<Counter>& worker_shares;      // rowchain_worker_shares_total{worker,outcome}
  Family<Gauge>& worker_hash_rate;     // rowchain_worker_hash_rate{worker}: from verified shares, 60 s
  Family<Gauge>& worker_last_share;    // rowchain_worker_last_share_timestamp_seconds{worker}
  Family<Counter>& worker_disconnects; // {reason}: misbehaviour, flood, replaced, ...
  Histogram& worker_job_switch_seconds;  // a tip change to each worker hashing the next job

  // Chain.
  Gauge& chain_height;
  Counter& blocks_connected;
  Counter& blocks_disconnected;
  Counter& reorgs;
  Family<Counter>& block_rejects;  // {reason}: a consensus reason code

  // Writers.
  Gauge& pending_batches;
  Gauge& pending_rows;
  Counter& batches_submitted;
  Family<Counter>& batches_rejected;  // {reason}: why the pool refused or dropped it
  Histogram& batch_seal_seconds;      // acknowledged -> sealed
  Family<Counter>& grpc_calls;        // rowchain_grpc_calls_total{method,code}

  // Peers.
  Gauge& peers;
  Family<Counter>& peer_messages;  // {direction}
  Family<Counter>& peer_bytes;     // {direction}
  Family<Counter>& peer_bans;      // {reason}

  // Kafka.
  Gauge& outbox_backlog;  // events not yet acknowledged by the broker
  Counter& events_published;
  Counter& batches_ingested;
  Counter& messages_dead_lettered;

  // MySQL.
  Histogram& commit_seconds;
  Counter& mysql_connection_errors;

  Metrics();
};

// The process's metrics.
Metrics& Get();

// Everything registered, in Prometheus's text exposition format (version 0.0.4).
std::string Exposition();

// Seconds buckets for latencies from 100 µs to 30 s.
const Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace rowchain::metrics
