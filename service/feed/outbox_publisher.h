// Sends the change feed from the outbox to Kafka. Events are read in outbox order and produced
// with librdkafka's idempotent producer (acks=all, retried inside the producer for as long as
// the broker is away, so a retry never duplicates or reorders); an event leaves the outbox only
// after the broker acknowledged it and every event before it. A broker outage delays the feed
// and never blocks mining or committing: this runs on its own thread and MySQL connection,
// and resumes from the outbox after a restart. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "node/node.h"
#include "store/mysql_uri.h"
#include "util/status.h"

namespace rowchain::feed {

struct PublisherOptions {
  std::string brokers;                               // bootstrap.servers
  std::map<std::string, std::string> properties;     // more librdkafka properties ([kafka] in the config)
  size_t batch = 1000;                               // events read from the outbox at a time
};

struct PublisherStats {
  uint64_t published = 0;  // acknowledged and removed from the outbox
  uint64_t errors = 0;     // delivery reports with an error (the event stays in the outbox)
  uint64_t undeliverable = 0;  // events no broker will ever take (too large): logged, then passed over
};

class OutboxPublisher {
 public:
  // INVALID_ARGUMENT for a property librdkafka refuses.
  static StatusOr<std::unique_ptr<OutboxPublisher>> Start(node::Node& node, PublisherOptions options);
  ~OutboxPublisher();  // Stop()
  // Gives in-flight events a moment to be acknowledged, then stops; the rest stays queued in
  // the outbox for the next start.
  void Stop();
  PublisherStats stats() const;

 private:
  OutboxPublisher(node::Node& node, PublisherOptions options);
  // A produced event until the broker acknowledges it. Kept in a deque, whose elements never
  // move: librdkafka's delivery report writes into `delivery`.
  struct InFlight {
    uint64_t id = 0;
    std::atomic<int> delivery{-1};  // -1 pending, else the rd_kafka_resp_err_t
  };
  // The publishing thread's state between passes.
  struct RunState {
    std::deque<InFlight> in_flight;  // produced, oldest first
    uint64_t last_produced = 0;      // the outbox id produced last
    uint64_t acked_to = 0;           // every event up to here was acknowledged
    uint64_t purged_to = 0;          // and deleted from the outbox up to here
    uint64_t unrecorded = 0;         // acknowledged events above the recorded watermark
    std::chrono::steady_clock::time_point last_record;
    std::chrono::steady_clock::time_point last_backlog;  // when the backlog gauge was last read
    std::chrono::milliseconds backoff{100};
  };
  void Run();
  // The next events of the outbox to librdkafka; whether there were any.
  StatusOr<bool> ProduceNext();
  void CollectAcknowledged();
  void RecordWatermark();
  // The rowchain_outbox_backlog_events gauge, from MySQL at most once a second.
  void MeasureBacklog();
  // Whether a full chunk was purged (more may wait).
  bool PurgeAcknowledged();
  // Whether the front event failed and everything from it was queued again.
  bool RestartFromFailure();
  void Pause();  // the backoff, doubled for the next time
  void FinishInFlight();

  node::Node& m_node;
  PublisherOptions m_options;
  struct Kafka;
  std::unique_ptr<Kafka> m_kafka;
  std::unique_ptr<store::MysqlConnection> m_db;
  uint64_t m_subscription = 0;
  std::atomic<bool> m_stopping{false};
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_work = true;  // a block was connected or disconnected since the last look
  PublisherStats m_stats;
  RunState m_run;  // the publishing thread's only
  std::thread m_thread;
};

}  // namespace rowchain::feed
