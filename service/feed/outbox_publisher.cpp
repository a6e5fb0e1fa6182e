#include "outbox_publisher.h"

#include <librdkafka/rdkafka.h>

#include <array>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/mysql_connection.h"

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
  std::chrono::milliseconds backoff(100);
  while (!m_stopping) {
    {
      std::lock_guard lock(m_mutex);
      m_work = false;
    }
    bool idle = false;
    Status s = PublishOnce(&idle);
    if (!s.ok()) {
      spdlog::warn("change feed: {}; retrying in {} ms", s.message(), backoff.count());
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, backoff, [&] { return m_stopping.load(); });
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(10));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    if (idle) {
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, std::chrono::seconds(1), [&] { return m_stopping.load() || m_work; });
    }
  }
}

Status OutboxPublisher::PublishOnce(bool* idle) {
  struct Pending {
    uint64_t id = 0;
    std::string topic, key, payload;
  };
  std::vector<Pending> batch;
  std::array<store::Value, 1> limit = {store::Value::Int(static_cast<int64_t>(m_options.batch))};
  auto read = m_db->QueryEach("SELECT id, topic, msg_key, payload FROM rowchain_outbox ORDER BY id LIMIT ?", limit,
                              [&](std::span<const store::Value> r) {
                                batch.push_back({static_cast<uint64_t>(r[0].as_int()), r[1].as_string(),
                                                 r[2].as_string(), r[3].as_string()});
                                return OkStatus();
                              });
  if (!read.ok()) {
    // The connection may be gone: open a new one for the next try.
    auto db = store::MysqlConnection::Connect(m_node.mysql());
    if (db.ok()) m_db = std::move(*db);
    return read;
  }
  *idle = batch.empty();
  if (batch.empty()) return OkStatus();

  std::vector<Delivery> deliveries(batch.size());
  size_t produced = 0;
  for (; produced < batch.size(); ++produced) {
    const Pending& p = batch[produced];
    rd_kafka_resp_err_t err = rd_kafka_producev(
        m_kafka->producer, RD_KAFKA_V_TOPIC(p.topic.c_str()),
        RD_KAFKA_V_KEY(const_cast<char*>(p.key.data()), p.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(p.payload.data()), p.payload.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&deliveries[produced]), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(m_kafka->producer, 100);
      --produced;  // this one again
      continue;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) break;
  }
  // Wait for every report: while the broker is away this waits (the outbox keeps the events).
  auto all_reported = [&] {
    for (size_t i = 0; i < produced; ++i) {
      if (deliveries[i].state.load() == -1) return false;
    }
    return true;
  };
  while (!all_reported()) {
    rd_kafka_poll(m_kafka->producer, 100);
    if (m_stopping && !all_reported()) {
      rd_kafka_flush(m_kafka->producer, 2000);
      break;
    }
  }
  // Only an acknowledged prefix leaves the outbox, so the feed never skips an event.
  size_t acked = 0;
  while (acked < produced && deliveries[acked].state.load() == RD_KAFKA_RESP_ERR_NO_ERROR) ++acked;
  uint64_t errors = 0;
  for (size_t i = acked; i < produced; ++i) errors += deliveries[i].state.load() > 0 ? 1 : 0;
  if (acked > 0) {
    std::array<store::Value, 1> last = {store::Value::Int(static_cast<int64_t>(batch[acked - 1].id))};
    auto removed = m_db->Update("DELETE FROM rowchain_outbox WHERE id <= ?", last);
    if (!removed.ok()) return removed.status();
  }
  {
    std::lock_guard lock(m_mutex);
    m_stats.published += acked;
    m_stats.errors += errors;
  }
  if (acked < batch.size() && !m_stopping) {
    return UnavailableError(fmt::format("{} of {} events not acknowledged by kafka", batch.size() - acked, batch.size()));
  }
  return OkStatus();
}

}  // namespace rowchain::feed
