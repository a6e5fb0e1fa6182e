#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>

namespace rowchain::metrics {
namespace {

Family<Counter>& CounterFamily(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
Counter& OneCounter(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return CounterFamily(r, name, help).Add({});
}
Family<Gauge>& GaugeFamily(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}
Gauge& OneGauge(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return GaugeFamily(r, name, help).Add({});
}
Histogram& OneHistogram(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r).Add({}, LatencyBuckets());
}

}  // namespace

const Histogram::BucketBoundaries& LatencyBuckets() {
  static const Histogram::BucketBoundaries buckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10,   30};
  return buckets;
}

Metrics::Metrics()
    : hashes(CounterFamily(registry, "rowchain_hashes_total", "Nonces hashed, by backend and device")),
      blocks_mined(OneCounter(registry, "rowchain_blocks_mined_total", "Blocks this node mined and committed")),
      stale_work(OneCounter(registry, "rowchain_stale_work_total", "Templates abandoned because the tip moved")),
      device_errors(CounterFamily(registry, "rowchain_device_errors_total",
                                  "GPU nonces that failed the CPU re-check, and failed kernel launches")),
      template_build_seconds(OneHistogram(registry, "rowchain_template_build_seconds", "Time to build a block template")),
      job_switch_seconds(OneHistogram(registry, "rowchain_job_switch_seconds",
                                      "From a tip change to mining the next template")),
      device_paused(GaugeFamily(registry, "rowchain_device_paused", "1 while a device is out of the rotation")),
      device_pauses(CounterFamily(registry, "rowchain_device_pauses_total", "Times a device was taken out of the rotation")),
      workers_connected(OneGauge(registry, "rowchain_workers_connected", "Remote workers connected")),
      worker_shares(CounterFamily(registry, "rowchain_worker_shares_total", "Worker shares, by worker and outcome")),
      worker_hash_rate(GaugeFamily(registry, "rowchain_worker_hash_rate",
                                   "Hashes per second of each worker over 60 s, from verified shares")),
      worker_last_share(GaugeFamily(registry, "rowchain_worker_last_share_timestamp_seconds",
                                    "Unix time of each worker's last accepted share")),
      worker_disconnects(CounterFamily(registry, "rowchain_worker_disconnects_total",
                                       "Workers disconnected by the node, by reason")),
      worker_job_switch_seconds(OneHistogram(registry, "rowchain_worker_job_switch_seconds",
                                             "From a tip change to each worker hashing the next job")),
      chain_height(OneGauge(registry, "rowchain_chain_height", "Height of the main chain's tip")),
      blocks_connected(OneCounter(registry, "rowchain_blocks_connected_total", "Blocks connected to the main chain")),
      blocks_disconnected(OneCounter(registry, "rowchain_blocks_disconnected_total", "Blocks disconnected by reorgs")),
      reorgs(OneCounter(registry, "rowchain_reorgs_total", "Reorganizations of the main chain")),
      block_rejects(CounterFamily(registry, "rowchain_block_rejects_total", "Blocks refused, by reason code")),
      pending_batches(OneGauge(registry, "rowchain_pending_batches", "Batches waiting in the pending pool")),
      pending_rows(OneGauge(registry, "rowchain_pending_rows", "Rows waiting in the pending pool")),
      batches_submitted(OneCounter(registry, "rowchain_batches_submitted_total", "Batches accepted into the pool")),
      batches_rejected(CounterFamily(registry, "rowchain_batches_rejected_total", "Batches refused or dropped, by reason")),
      batch_seal_seconds(OneHistogram(registry, "rowchain_batch_seal_seconds", "From a batch's acknowledgement to its block")),
      grpc_calls(CounterFamily(registry, "rowchain_grpc_calls_total", "Writer API calls, by method and status code")),
      peers(OneGauge(registry, "rowchain_peers", "Peer links up")),
      peer_messages(CounterFamily(registry, "rowchain_peer_messages_total", "Peer messages, by direction")),
      peer_bytes(CounterFamily(registry, "rowchain_peer_bytes_total", "Peer message bytes, by direction")),
      peer_bans(CounterFamily(registry, "rowchain_peer_bans_total", "Peers banned, by reason")),
      outbox_backlog(OneGauge(registry, "rowchain_outbox_backlog_events", "Change-feed events not yet acknowledged")),
      events_published(OneCounter(registry, "rowchain_feed_events_published_total", "Change-feed events acknowledged")),
      batches_ingested(OneCounter(registry, "rowchain_ingest_batches_total", "Batches stored from the ingest topic")),
      messages_dead_lettered(OneCounter(registry, "rowchain_ingest_dead_letters_total", "Ingest messages dead-lettered")),
      commit_seconds(OneHistogram(registry, "rowchain_mysql_commit_seconds", "Block commits to MySQL")),
      mysql_connection_errors(OneCounter(registry, "rowchain_mysql_connection_errors_total",
                                         "MySQL connections that failed or were lost")) {}

Metrics& Get() {
  static Metrics* metrics = new Metrics();  // never destroyed: threads may update it at exit
  return *metrics;
}

std::string Exposition() { return prometheus::TextSerializer().Serialize(Get().registry.Collect()); }

}  // namespace rowchain::metrics
