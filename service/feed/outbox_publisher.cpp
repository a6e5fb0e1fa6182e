#include "feed/outbox_publisher.h"

#include <librdkafka/rdkafka.h>

#include <array>
#include <deque>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "feed/dead_letter.h"
#include "metrics/metrics.h"
#include "store/mysql_connection.h"
#include "store/outbox.h"

namespace rowchain::feed {

namespace {

// Writes the outcome of one produced event into its in-flight slot.
void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  static_cast<std::atomic<int>*>(message->_private)->store(message->err);
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
  // Where the last run stopped: events up to the watermark were acknowledged.
  if (auto mark = store::Outbox(*m_db).ReadWatermark(); mark.ok()) {
    m_run.last_produced = m_run.acked_to = *mark;
  } else {
    spdlog::warn("change feed: {}; sending the outbox from its start", mark.status().message());
  }
  m_run.last_record = std::chrono::steady_clock::now();
  while (!m_stopping) {
    auto produced = ProduceNext();
    if (!produced.ok()) {
      spdlog::warn("change feed: reading the outbox: {}; retrying in {} ms", produced.status().message(),
                   m_run.backoff.count());
      auto db = store::MysqlConnection::Connect(m_node.mysql());
      if (db.ok()) m_db = std::move(*db);
      Pause();
      continue;
    }
    rd_kafka_poll(m_kafka->producer, *produced ? 0 : 50);  // delivery reports
    CollectAcknowledged();
    RecordWatermark();
    MeasureBacklog();
    if (PurgeAcknowledged()) continue;  // more to purge: straight to the next pass
    if (RestartFromFailure()) continue;
    if (!*produced && m_run.in_flight.empty()) {  // nothing to send: wait for a block
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, std::chrono::seconds(1), [&] { return m_stopping.load() || m_work; });
      m_work = false;
    }
  }
  FinishInFlight();
}

StatusOr<bool> OutboxPublisher::ProduceNext() {
  if (m_run.in_flight.size() >= std::max<size_t>(m_options.batch * 20, 1000)) return false;
  auto entries = store::Outbox(*m_db).ReadAfter(m_run.last_produced, m_options.batch);
  if (!entries.ok()) return entries.status();
  for (store::OutboxEntry& entry : *entries) {
    InFlight& slot = m_run.in_flight.emplace_back();
    slot.id = entry.id;
    store::ChangeEvent& e = entry.event;
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(m_kafka->producer, RD_KAFKA_V_TOPIC(e.topic.c_str()),
                                    RD_KAFKA_V_KEY(e.key.data(), e.key.size()),
                                    RD_KAFKA_V_VALUE(e.payload.data(), e.payload.size()),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&slot.delivery),
                                    RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(m_kafka->producer, 10);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) slot.delivery.store(err);
    m_run.last_produced = entry.id;
  }
  return !entries->empty();
}

void OutboxPublisher::CollectAcknowledged() {
  uint64_t acked = 0;
  auto& in_flight = m_run.in_flight;
  while (!in_flight.empty() && in_flight.front().delivery.load() == RD_KAFKA_RESP_ERR_NO_ERROR) {
    m_run.acked_to = in_flight.front().id;
    ++acked;
    in_flight.pop_front();
  }
  if (acked == 0) return;
  m_run.unrecorded += acked;
  m_run.backoff = std::chrono::milliseconds(100);
  metrics::Get().events_published.Increment(static_cast<double>(acked));
  std::lock_guard lock(m_mutex);
  m_stats.published += acked;
}

void OutboxPublisher::MeasureBacklog() {
  const auto now = std::chrono::steady_clock::now();
  if (now - m_run.last_backlog < std::chrono::seconds(1)) return;
  m_run.last_backlog = now;
  auto backlog = store::Outbox(*m_db).CountAfter(m_run.acked_to);
  if (backlog.ok()) metrics::Get().outbox_backlog.Set(static_cast<double>(*backlog));
}

void OutboxPublisher::RecordWatermark() {
  // One small row, at most every 100 ms or when caught up.
  if (m_run.unrecorded == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (!m_run.in_flight.empty() && now - m_run.last_record <= std::chrono::milliseconds(100)) return;
  if (Status s = store::Outbox(*m_db).WriteWatermark(m_run.acked_to); !s.ok()) {
    spdlog::warn("change feed: {}", s.message());  // recorded on a later pass
    return;
  }
  m_run.unrecorded = 0;
  m_run.last_record = now;
}

bool OutboxPublisher::PurgeAcknowledged() {
  // When caught up, in chunks, one a pass, so a large backlog's purge never holds up new events.
  constexpr uint64_t kPurgeChunk = 2000;
  if (!m_run.in_flight.empty() || m_run.unrecorded > 0 || m_run.acked_to <= m_run.purged_to) return false;
  auto removed = store::Outbox(*m_db).PurgeUpTo(m_run.acked_to, kPurgeChunk);
  if (!removed.ok()) return false;
  if (*removed < kPurgeChunk) m_run.purged_to = m_run.acked_to;
  return *removed == kPurgeChunk;
}

bool OutboxPublisher::RestartFromFailure() {
  // A failed event stops the acknowledged front (nothing is skipped); everything from it on is
  // produced again after a pause.
  auto& in_flight = m_run.in_flight;
  if (in_flight.empty() || in_flight.front().delivery.load() <= 0) return false;
  const int err = in_flight.front().delivery.load();
  // An event the broker refuses (too large) is passed over: sending it again can never succeed
  // and would hold up every event behind it. An unknown topic or a missing authorization can
  // be fixed by an operator, and skipping would leave a hole in the feed: those are retried.
  if (IsMessageRefused(static_cast<rd_kafka_resp_err_t>(err))) {
    spdlog::error("change feed: event {} can never be delivered ({}); passed over, the feed goes on",
                  in_flight.front().id, rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)));
    in_flight.front().delivery.store(RD_KAFKA_RESP_ERR_NO_ERROR);
    std::lock_guard lock(m_mutex);
    ++m_stats.undeliverable;
    return true;
  }
  {
    std::lock_guard lock(m_mutex);
    ++m_stats.errors;
  }
  spdlog::warn("change feed: event {} not delivered: {}; sending again from it in {} ms", in_flight.front().id,
               rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)), m_run.backoff.count());
  // The rest is dropped from librdkafka and reported (purged) before its slots go.
  rd_kafka_purge(m_kafka->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(m_kafka->producer, 5000);
  m_run.last_produced = in_flight.front().id - 1;
  in_flight.clear();
  Pause();
  return true;
}

void OutboxPublisher::Pause() {
  std::unique_lock lock(m_mutex);
  m_wake.wait_for(lock, m_run.backoff, [&] { return m_stopping.load(); });
  m_run.backoff = std::min<std::chrono::milliseconds>(m_run.backoff * 2, std::chrono::seconds(10));
}

void OutboxPublisher::FinishInFlight() {
  // Stopping: give what is in flight a moment; the rest stays in the outbox for the next start.
  rd_kafka_flush(m_kafka->producer, 2000);
  auto& in_flight = m_run.in_flight;
  while (!in_flight.empty() && in_flight.front().delivery.load() == RD_KAFKA_RESP_ERR_NO_ERROR) {
    m_run.acked_to = in_flight.front().id;
    in_flight.pop_front();
  }
  if (m_run.acked_to > 0) (void)store::Outbox(*m_db).WriteWatermark(m_run.acked_to);
  // librdkafka must not report into slots that are gone: purge what is still queued.
  rd_kafka_purge(m_kafka->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(m_kafka->producer, 5000);
  in_flight.clear();
}

}  // namespace rowchain::feed
