#include "outbox_publisher.h"

#include <librdkafka/rdkafka.h>

#include <array>
#include <deque>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/mysql_connection.h"
#include "store/node_tables.h"

namespace rowchain::feed {

namespace {

// Delivery outcome of one produced event: written by librdkafka's delivery-report callback.
struct Delivery {
  std::atomic<int> state{-1};  // -1 pending, else the rd_kafka_resp_err_t
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  static_cast<Delivery*>(message->_private)->state.store(message->err);
}

}  // namespace

struct OutboxPublisher::Kafka {
  rd_kafka_t* producer = nullptr;
  ~Kafka() {
    if (producer != nullptr) {
      rd_kafka_flush(producer, 2000);
      rd_kafka_destroy(producer);
    }
  }
};

OutboxPublisher::OutboxPublisher(node::Node& node, PublisherOptions options)
    : m_node(node), m_options(std::move(options)) {}

StatusOr<std::unique_ptr<OutboxPublisher>> OutboxPublisher::Start(node::Node& node, PublisherOptions options) {
  std::unique_ptr<OutboxPublisher> publisher(new OutboxPublisher(node, std::move(options)));
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", publisher->m_options.brokers},
      {"enable.idempotence", "true"},  // retries never duplicate or reorder
      {"acks", "all"},
      {"message.timeout.ms", "0"},  // keep retrying while the broker is away: the feed waits, nothing is lost
      {"linger.ms", "5"},
      {"client.id", "rowchaind-" + node.node_id()},
  };
  for (const auto& [k, v] : publisher->m_options.properties) settings[k] = v;
  std::array<char, 512> error{};
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), error.data(), error.size()) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return InvalidArgumentError(fmt::format("kafka property {}: {}", k, error.data()));
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error.data(), error.size());
  if (producer == nullptr) return InvalidArgumentError(fmt::format("kafka producer: {}", error.data()));
  publisher->m_kafka = std::make_unique<Kafka>();
  publisher->m_kafka->producer = producer;
  // Connect now and learn the cluster: events produced before the producer knows the partitions'
  // leaders waited up to a second for them. A broker that is away is not an error here: the
  // events wait in the outbox.
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(producer, 1, nullptr, &metadata, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_metadata_destroy(metadata);
  }
  auto db = store::MysqlConnection::Connect(node.mysql());
  if (!db.ok()) return db.status();
  publisher->m_db = std::move(*db);
  // A connected or disconnected block has just written events: look now.
  OutboxPublisher* raw = publisher.get();
  publisher->m_subscription = node.events().Subscribe([raw](const node::NodeEvent& event) {
    if (!std::holds_alternative<node::BlockEvent>(event)) return;
    std::lock_guard lock(raw->m_mutex);
    raw->m_work = true;
    raw->m_wake.notify_one();
  });
  publisher->m_thread = std::thread([raw] { raw->Run(); });
  spdlog::info("change feed: publishing the outbox to kafka at {}", publisher->m_options.brokers);
  return publisher;
}

OutboxPublisher::~OutboxPublisher() { Stop(); }

void OutboxPublisher::Stop() {
  if (m_stopping.exchange(true)) return;
  if (m_subscription != 0) m_node.events().Unsubscribe(m_subscription);
  {
    std::lock_guard lock(m_mutex);
    m_wake.notify_all();
  }
  if (m_thread.joinable()) m_thread.join();
  m_kafka.reset();
}

PublisherStats OutboxPublisher::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

void OutboxPublisher::Run() {
  // Events are produced ahead without waiting for each batch's acknowledgements (librdkafka
  // keeps them in order), and the acknowledged front of what was produced leaves the outbox.
  struct InFlight {
    uint64_t id = 0;
    Delivery delivery;
  };
  std::deque<InFlight> in_flight;  // produced, oldest first; deque keeps element addresses stable
  // Where the last run stopped: events up to the watermark were acknowledged.
  uint64_t last_produced = 0;
  if (auto mark = store::ReadMeta(*m_db, "outbox_sent_to"); mark.ok() && *mark) last_produced = std::stoull(**mark);
  uint64_t delete_to = last_produced, purged_to = 0;
  uint64_t undeleted = 0;  // acknowledged events above the recorded watermark
  auto last_delete = std::chrono::steady_clock::now();
  std::chrono::milliseconds backoff(100);
  const size_t max_in_flight = std::max<size_t>(m_options.batch * 20, 1000);
  while (!m_stopping) {
    bool progressed = false;
    // 1. Produce the next events of the outbox.
    if (in_flight.size() < max_in_flight) {
      std::vector<std::tuple<uint64_t, std::string, std::string, std::string>> batch;
      std::array<store::Value, 2> params = {store::Value::Int(static_cast<int64_t>(last_produced)),
                                            store::Value::Int(static_cast<int64_t>(m_options.batch))};
      Status read = m_db->QueryEach(
          "SELECT id, topic, msg_key, payload FROM rowchain_outbox WHERE id > ? ORDER BY id LIMIT ?", params,
          [&](std::span<const store::Value> r) {
            batch.emplace_back(static_cast<uint64_t>(r[0].as_int()), r[1].as_string(), r[2].as_string(), r[3].as_string());
            return OkStatus();
          });
      if (!read.ok()) {
        spdlog::warn("change feed: reading the outbox: {}; retrying in {} ms", read.message(), backoff.count());
        auto db = store::MysqlConnection::Connect(m_node.mysql());
        if (db.ok()) m_db = std::move(*db);
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock, backoff, [&] { return m_stopping.load(); });
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(10));
        continue;
      }
      for (auto& [id, topic, key, payload] : batch) {
        InFlight& slot = in_flight.emplace_back();
        slot.id = id;
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(m_kafka->producer, RD_KAFKA_V_TOPIC(topic.c_str()),
                                        RD_KAFKA_V_KEY(key.data(), key.size()),
                                        RD_KAFKA_V_VALUE(payload.data(), payload.size()),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&slot.delivery),
                                        RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          rd_kafka_poll(m_kafka->producer, 10);
        }
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) slot.delivery.state.store(err);
        last_produced = id;
        progressed = true;
      }
    }
    // 2. Delivery reports.
    rd_kafka_poll(m_kafka->producer, progressed ? 0 : 50);
    // 3. The acknowledged front leaves the outbox; a failed event stops the front (nothing is
    //    skipped) and everything from it on is produced again after a pause.
    uint64_t acked = 0;
    while (!in_flight.empty() && in_flight.front().delivery.state.load() == RD_KAFKA_RESP_ERR_NO_ERROR) {
      delete_to = in_flight.front().id;
      ++acked;
      ++undeleted;
      in_flight.pop_front();
    }
    if (acked > 0) {
      std::lock_guard lock(m_mutex);
      m_stats.published += acked;
      backoff = std::chrono::milliseconds(100);
    }
    // The acknowledged front is recorded as a watermark (one small row, at most every 100 ms
    // or when caught up); the rows below it are deleted in bulk when the publisher has caught up.
    if (undeleted > 0 && (in_flight.empty() ||
                          std::chrono::steady_clock::now() - last_delete > std::chrono::milliseconds(100))) {
      if (Status s = store::WriteMeta(*m_db, "outbox_sent_to", std::to_string(delete_to)); s.ok()) {
        undeleted = 0;
        last_delete = std::chrono::steady_clock::now();
      } else {
        spdlog::warn("change feed: {}", s.message());  // recorded on a later pass
      }
    }
    if (in_flight.empty() && undeleted == 0 && delete_to > purged_to) {
      // In chunks, one a pass, so a large backlog's purge never holds up new events for long.
      std::array<store::Value, 1> last = {store::Value::Int(static_cast<int64_t>(delete_to))};
      auto removed = m_db->Update("DELETE FROM rowchain_outbox WHERE id <= ? LIMIT 2000", last);
      if (removed.ok() && *removed < 2000) purged_to = delete_to;
      if (removed.ok() && *removed == 2000) continue;  // more to purge: straight to the next pass
    }
    if (!in_flight.empty() && in_flight.front().delivery.state.load() > 0) {
      const int err = in_flight.front().delivery.state.load();
      {
        std::lock_guard lock(m_mutex);
        ++m_stats.errors;
      }
      spdlog::warn("change feed: event {} not delivered: {}; sending again from it in {} ms", in_flight.front().id,
                   rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)), backoff.count());
      // The rest is dropped from librdkafka and reported (purged) before its slots go.
      rd_kafka_purge(m_kafka->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_flush(m_kafka->producer, 5000);
      last_produced = in_flight.front().id - 1;
      in_flight.clear();
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, backoff, [&] { return m_stopping.load(); });
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(10));
      continue;
    }
    // 4. Nothing to send and nothing in flight: wait for a block.
    if (!progressed && in_flight.empty()) {
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, std::chrono::seconds(1), [&] { return m_stopping.load() || m_work; });
      m_work = false;
    }
  }
  // Stopping: give what is in flight a moment; the rest stays in the outbox for the next start.
  rd_kafka_flush(m_kafka->producer, 2000);
  while (!in_flight.empty() && in_flight.front().delivery.state.load() == RD_KAFKA_RESP_ERR_NO_ERROR) {
    delete_to = in_flight.front().id;
    in_flight.pop_front();
  }
  if (delete_to > 0) (void)store::WriteMeta(*m_db, "outbox_sent_to", std::to_string(delete_to));
  // librdkafka must not report into slots that are gone: purge what is still queued.
  rd_kafka_purge(m_kafka->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(m_kafka->producer, 5000);
}

}  // namespace rowchain::feed
