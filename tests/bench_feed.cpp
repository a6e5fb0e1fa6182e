// The change feed's speed (BENCHMARKS.md, "Kafka"): events/s sent from the outbox against
// librdkafka's own producer sending messages of the same size with the same settings to the same
// mock cluster; and the latency from a block connected to its event acknowledged by the broker.
// Usage: bench_feed MYSQL_URI [EVENTS]
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "node/node.h"
#include "feed/outbox_publisher.h"
#include "store/mysql_connection.h"
#include "test_chain.h"

namespace {

using namespace rowchain;  // NOLINT
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

int64_t OutboxSize(store::MysqlConnection& db) {
  return (*db.Query("SELECT COUNT(*) FROM rowchain_outbox"))[0][0].as_int();
}

struct Rates {
  double total = 0;   // from start (connection and producer id included) to the last ack
  double steady = 0;  // from the first ack to the last
};

std::atomic<uint64_t> g_acked{0};
std::atomic<int64_t> g_first_ack{0}, g_last_ack{0};

void CountDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  int64_t now = Clock::now().time_since_epoch().count();
  if (g_acked++ == 0) g_first_ack = now;
  g_last_ack = now;
}

// librdkafka alone: `count` keyed messages of `size` bytes, idempotent, acks=all.
Rates ProducerRate(const std::string& brokers, size_t count, size_t size) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[256];
  rd_kafka_conf_set_dr_msg_cb(conf, CountDelivery);
  for (auto [k, v] : std::vector<std::pair<const char*, const char*>>{
           {"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "5"}, {"message.timeout.ms", "0"}}) {
    rd_kafka_conf_set(conf, k, v, error, sizeof error);
  }
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof error);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  std::string payload(size, 'x');
  auto start = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    std::string key = "{\"id\":" + std::to_string(i) + "}";
    while (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("baseline.users"),
                             RD_KAFKA_V_KEY(key.data(), key.size()),
                             RD_KAFKA_V_VALUE(payload.data(), payload.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer, 10);
    }
    rd_kafka_poll(producer, 0);
  }
  rd_kafka_flush(producer, 600000);
  Rates rates;
  rates.total = static_cast<double>(count) / Seconds(start, Clock::now());
  const Clock::time_point first{Clock::duration(g_first_ack.load())}, last{Clock::duration(g_last_ack.load())};
  rates.steady = static_cast<double>(g_acked.load() - 1) / Seconds(first, last);
  rd_kafka_destroy(producer);
  return rates;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_feed MYSQL_URI [EVENTS]\n");
    return 2;
  }
  const size_t events = argc > 2 ? std::stoul(argv[2]) : 100000;
  spdlog::set_level(spdlog::level::warn);
  auto uri = store::ParseMysqlUri(argv[1]);
  if (!uri.ok()) return 2;

  rd_kafka_conf_t* mock_conf = rd_kafka_conf_new();
  char error[256];
  rd_kafka_conf_set(mock_conf, "log_level", "2", error, sizeof error);
  rd_kafka_t* mock_handle = rd_kafka_new(RD_KAFKA_PRODUCER, mock_conf, error, sizeof error);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(mock_handle, 1);
  const std::string brokers = rd_kafka_mock_cluster_bootstraps(cluster);
  rd_kafka_mock_topic_create(cluster, "rowchain.users", 3, 1);
  rd_kafka_mock_topic_create(cluster, "baseline.users", 3, 1);

  // Events piled up in the outbox while no publisher runs.
  node::NodeOptions options;
  options.mysql = *uri;
  options.params = testing::RegtestParams();
  options.change_feed_prefix = "rowchain";
  options.miner = mining::MinerOptions{.backend = "cpu", .threads = 1, .cpu_path = std::nullopt, .devices = {}};
  auto node = node::Node::Start(std::move(options));
  if (!node.ok()) {
    std::fprintf(stderr, "bench_feed: %s\n", node.status().message().c_str());
    return 1;
  }
  auto db = store::MysqlConnection::Connect(*uri);
  if (!db.ok()) return 1;
  const int64_t first_id = static_cast<int64_t>(std::time(nullptr)) * 1'000'000;
  for (size_t b = 0; b < events / 100; ++b) {
    std::vector<node::InputRow> rows;
    for (int64_t i = 0; i < 100; ++i) {
      int64_t id = first_id + static_cast<int64_t>(b) * 100 + i;
      rows.push_back({.op = consensus::RowOpKind::kInsert,
                      .columns = {{"id", consensus::Value::Int(id)},
                                  {"name", consensus::Value::Text("feed bench " + std::to_string(id))},
                                  {"age", consensus::Value::Int(id % 100)}}});
    }
    if (!(*node)->SubmitBatch("users", rows).ok()) return 1;
  }
  while ((*node)->ChainInfo()->pending_batches > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t queued = OutboxSize(**db);
  auto sample = (*db)->Query("SELECT AVG(LENGTH(payload)) FROM rowchain_outbox");
  const size_t size = static_cast<size_t>(std::stod((*sample)[0][0].as_string()));

  // librdkafka's own producer first, so neither side pays for the mock cluster's first client.

  // librdkafka's own producer first, so neither side pays for the mock cluster's first client.
  const Rates producer = ProducerRate(brokers, static_cast<size_t>(queued), size);
  auto start = Clock::now();
  auto publisher = feed::OutboxPublisher::Start(**node, {.brokers = brokers, .properties = {}, .batch = static_cast<size_t>(argc > 3 ? std::stoul(argv[3]) : 1000)});
  if (!publisher.ok()) return 1;
  // The publisher's own count (polling the table would load the server being measured).
  uint64_t first_count = 0;
  Clock::time_point first_ack;
  for (;;) {
    uint64_t published = (*publisher)->stats().published;
    if (first_count == 0 && published > 0) {
      first_count = published;
      first_ack = Clock::now();
    }
    if (published >= static_cast<uint64_t>(queued)) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const auto last_ack = Clock::now();
  const double outbox_rate = static_cast<double>(queued) / Seconds(start, last_ack);
  const double outbox_steady = static_cast<double>(queued - static_cast<int64_t>(first_count)) / Seconds(first_ack, last_ack);

  // Latency: one-row blocks, from connected (the node's event) to acknowledged (out of the outbox).
  std::atomic<int64_t> connected_at{0};
  uint64_t subscription = (*node)->events().Subscribe([&](const node::NodeEvent& e) {
    if (std::holds_alternative<node::BlockEvent>(e)) {
      connected_at = Clock::now().time_since_epoch().count();
    }
  });
  std::vector<double> latencies_ms;
  for (int i = 0; i < 50; ++i) {
    connected_at = 0;
    int64_t id = first_id + static_cast<int64_t>(events) + i;
    std::vector<node::InputRow> rows = {{.op = consensus::RowOpKind::kInsert,
                                         .columns = {{"id", consensus::Value::Int(id)},
                                                     {"name", consensus::Value::Text("latency")},
                                                     {"age", consensus::Value::Int(1)}}}};
    if (!(*node)->SubmitBatch("users", rows).ok()) return 1;
    const uint64_t before = (*publisher)->stats().published;
    while (connected_at == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
    while ((*publisher)->stats().published == before) std::this_thread::sleep_for(std::chrono::microseconds(100));
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(
                               Clock::now().time_since_epoch() - Clock::duration(connected_at.load()))
                               .count());
  }
  (*node)->events().Unsubscribe(subscription);
  (*publisher)->Stop();
  (*node)->Stop();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::printf("{\"events\": %lld, \"event_bytes\": %zu, \"outbox_events_per_s\": %.0f, \"producer_events_per_s\": %.0f, "
              "\"ratio\": %.2f, \"start_to_first_ack_ms\": %.0f, \"outbox_steady_per_s\": %.0f, \"producer_steady_per_s\": %.0f, \"steady_ratio\": %.2f, "
              "\"latency_p50_ms\": %.2f, \"latency_p99_ms\": %.2f}\n",
              static_cast<long long>(queued), size, outbox_rate, producer.total, outbox_rate / producer.total,
              Seconds(start, first_ack) * 1000, outbox_steady, producer.steady, outbox_steady / producer.steady, latencies_ms[latencies_ms.size() / 2],
              latencies_ms[latencies_ms.size() * 99 / 100]);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(mock_handle);
  return 0;
}
