// Sends the change feed from the outbox to Kafka. Events are read in outbox order and produced
// with librdkafka's idempotent producer (acks=all, retried inside the producer for as long as
// the broker is away, so a retry never duplicates or reorders); an event leaves the outbox only
// after the broker acknowledged it and every event before it. A broker outage delays the feed
// and never blocks mining or committing: this runs on its own thread and MySQL connection,
// and resumes from the outbox after a restart. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
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
  void Run();

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
  std::thread m_thread;
};

}  // namespace rowchain::feed
