// Row batches in from a Kafka topic (docs/kafka.md): one JSON object per message,
// {"table": "users", "rows": [{"id": 1, ...}], "idempotency_key": "optional", "op": "insert"},
// checked and stored exactly like SubmitBatch, and only then is the message's offset committed.
// A message without a key gets "kafka:<topic>:<partition>:<offset>" as its idempotency key, so
// a redelivery after a crash stores nothing twice. A bad message goes to "<topic>.dead-letter"
// with the reason (acknowledged there before its offset is committed) and never stops the
// consumer; a full pool or an unreachable database retries the same message with backoff.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json_fwd.hpp>

#include "node/node.h"
#include "util/status.h"

namespace rowchain::feed {

struct IngestOptions {
  std::string brokers;
  std::string topic;
  std::string group_id = "rowchaind-ingest";
  std::map<std::string, std::string> properties;  // more librdkafka properties
};

struct IngestStats {
  uint64_t stored = 0;        // batches stored (new or already known by their key)
  uint64_t dead_lettered = 0;
  uint64_t letters_lost = 0;  // refused messages whose dead letter the broker would not take
};

class TopicIngester {
 public:
  static StatusOr<std::unique_ptr<TopicIngester>> Start(node::Node& node, IngestOptions options);
  ~TopicIngester();
  void Stop();
  IngestStats stats() const;

 private:
  TopicIngester(node::Node& node, IngestOptions options);
  void Run();
  // OK when the message is done with (stored or dead-lettered); an error means: try it again.
  // Handle, with anything thrown dead-lettered.
  Status HandleSafely(const std::string& value, int32_t partition, int64_t offset);
  Status Handle(const std::string& value, int32_t partition, int64_t offset);
  // OK once the letter is acknowledged, or when the broker refuses it for good (logged, counted
  // and passed over); UNAVAILABLE for a broker that may come back (a few tries).
  Status DeadLetter(const std::string& value, int32_t partition, int64_t offset, const std::string& reason);
  // Produces `letter` and waits for its delivery report; the report's error (rd_kafka_resp_err_t).
  int ProduceLetter(const std::string& topic, const std::string& letter);

  static constexpr std::chrono::seconds kLetterTimeout{10};  // the producer's message.timeout.ms
  static constexpr size_t kLetterOverheadBytes = 512;        // the record's headers and framing
  node::Node& m_node;
  IngestOptions m_options;
  struct Kafka;
  std::unique_ptr<Kafka> m_kafka;
  std::atomic<bool> m_stopping{false};
  std::atomic<uint64_t> m_stored{0}, m_dead_lettered{0}, m_letters_lost{0};
  size_t m_max_letter_bytes = 1'000'000 - kLetterOverheadBytes;  // librdkafka's default message.max.bytes
  int m_letter_failures = 0;  // of the message being handled (the consumer thread's)
  std::thread m_thread;
};

// The rows of one ingest message, typed by the table's columns (binary columns take base64).
// INVALID_ARGUMENT naming what is wrong.
struct IngestBatch {
  std::string table;
  std::vector<node::InputRow> rows;
  std::string idempotency_key;
};
StatusOr<IngestBatch> ParseIngestMessage(const std::string& json, const consensus::LedgerSchema& schema);

// One JSON value as the feed and ingestion write it (null, integer or boolean, text, base64
// for binary columns) typed for `column`; INVALID_ARGUMENT when it cannot be. The row checks
// (ranges, lengths, NULL) are the schema's, later.
StatusOr<consensus::Value> ValueFromJson(const nlohmann::json& value, const consensus::Column& column);

}  // namespace rowchain::feed
