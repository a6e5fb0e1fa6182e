#include "feed/topic_ingester.h"

#include <librdkafka/rdkafka.h>

#include <array>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "consensus/ledger_schema.h"
#include "crypto/base64.h"
#include "feed/dead_letter.h"
#include "metrics/metrics.h"

namespace rowchain::feed {

using consensus::Value;

namespace {

bool IsBinary(const consensus::Column& column) {
  return column.type == consensus::ColumnType::kVarbinary || column.type == consensus::ColumnType::kBlob;
}

}  // namespace

StatusOr<Value> ValueFromJson(const nlohmann::json& value, const consensus::Column& column) {
  if (value.is_null()) return Value::Null();
  if (value.is_boolean()) return Value::Int(value.get<bool>() ? 1 : 0);
  // A number past INT64_MAX parses as unsigned and would wrap to a negative one.
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return InvalidArgumentError(fmt::format("{} is out of range of a 64-bit signed integer", value.dump()));
  }
  if (value.is_number_integer()) return Value::Int(value.get<int64_t>());
  if (value.is_string() && IsBinary(column)) {
    auto bytes = Base64Decode(value.get<std::string>());
    if (!bytes.ok()) return InvalidArgumentError("binary columns take base64");
    return Value::Bytes(*bytes);
  }
  if (value.is_string()) return Value::Text(value.get<std::string>());
  return InvalidArgumentError("expected an integer, a string or null");
}

StatusOr<IngestBatch> ParseIngestMessage(const std::string& json, const consensus::LedgerSchema& schema) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError("the message is not a JSON object");
  IngestBatch batch;
  if (!doc.contains("table") || !doc["table"].is_string()) return InvalidArgumentError("\"table\" is missing");
  batch.table = doc["table"].get<std::string>();
  const consensus::TableSchema* table = schema.FindTable(batch.table);
  if (table == nullptr) return InvalidArgumentError(fmt::format("the chain has no table '{}'", batch.table));
  if (doc.contains("idempotency_key")) {
    if (!doc["idempotency_key"].is_string()) return InvalidArgumentError("\"idempotency_key\" must be a string");
    batch.idempotency_key = doc["idempotency_key"].get<std::string>();
  }
  consensus::RowOpKind op = consensus::RowOpKind::kInsert;
  if (doc.contains("op")) {
    const std::string name = doc["op"].is_string() ? doc["op"].get<std::string>() : "";
    if (name == "update") {
      op = consensus::RowOpKind::kUpdate;
    } else if (name == "delete") {
      op = consensus::RowOpKind::kDelete;
    } else if (name != "insert") {
      return InvalidArgumentError("\"op\" must be insert, update or delete");
    }
  }
  if (!doc.contains("rows") || !doc["rows"].is_array()) return InvalidArgumentError("\"rows\" must be an array");
  for (size_t i = 0; i < doc["rows"].size(); ++i) {
    const nlohmann::json& object = doc["rows"][i];
    if (!object.is_object()) return InvalidArgumentError(fmt::format("row {}: expected an object", i));
    node::InputRow row{.op = op, .columns = {}};
    for (const auto& [name, value] : object.items()) {
      auto column = table->FindColumn(name);
      // An unknown column is the batch check's to report; type it as text meanwhile.
      const consensus::Column as_text{.name = name, .type = consensus::ColumnType::kText, .length = 0, .nullable = true};
      auto v = ValueFromJson(value, column ? table->columns[*column] : as_text);
      if (!v.ok()) return InvalidArgumentError(fmt::format("row {}, column '{}': {}", i, name, v.status().message()));
      row.columns.emplace_back(name, std::move(*v));
    }
    batch.rows.push_back(std::move(row));
  }
  return batch;
}

struct TopicIngester::Kafka {
  rd_kafka_t* consumer = nullptr;
  rd_kafka_t* producer = nullptr;  // dead letters
  ~Kafka() {
    if (consumer != nullptr) {
      rd_kafka_consumer_close(consumer);
      rd_kafka_destroy(consumer);
    }
    if (producer != nullptr) {
      rd_kafka_flush(producer, 2000);
      rd_kafka_destroy(producer);
    }
  }
};

namespace {

// Writes a dead letter's outcome where ProduceLetter waits for it.
void OnLetterDelivered(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  if (message->_private != nullptr) static_cast<std::atomic<int>*>(message->_private)->store(message->err);
}

StatusOr<rd_kafka_t*> NewClient(rd_kafka_type_t type, const std::map<std::string, std::string>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, OnLetterDelivered);
  std::array<char, 512> error{};
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), error.data(), error.size()) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return InvalidArgumentError(fmt::format("kafka property {}: {}", k, error.data()));
    }
  }
  rd_kafka_t* client = rd_kafka_new(type, conf, error.data(), error.size());
  if (client == nullptr) return InvalidArgumentError(fmt::format("kafka client: {}", error.data()));
  return client;
}

}  // namespace

TopicIngester::TopicIngester(node::Node& node, IngestOptions options) : m_node(node), m_options(std::move(options)) {}

StatusOr<std::unique_ptr<TopicIngester>> TopicIngester::Start(node::Node& node, IngestOptions options) {
  std::unique_ptr<TopicIngester> ingester(new TopicIngester(node, std::move(options)));
  const IngestOptions& o = ingester->m_options;
  std::map<std::string, std::string> consumer_settings = {
      {"bootstrap.servers", o.brokers},
      {"group.id", o.group_id},
      {"enable.auto.commit", "false"},  // an offset is committed only once its batch is stored
      {"auto.offset.reset", "earliest"},
      // A node killed without leaving its group holds its partitions until the session times
      // out; its restarted successor waits that long. The broker's minimum, not 45 s.
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "2000"},
  };
  std::map<std::string, std::string> producer_settings = {
      {"bootstrap.servers", o.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"message.timeout.ms", std::to_string(std::chrono::milliseconds(kLetterTimeout).count())}};
  for (const auto& [k, v] : o.properties) {
    consumer_settings[k] = v;
    if (k != "group.id") producer_settings[k] = v;
  }
  // A letter must fit what the broker takes; a larger one describes the message instead.
  if (auto it = producer_settings.find("message.max.bytes"); it != producer_settings.end()) {
    ingester->m_max_letter_bytes = std::strtoull(it->second.c_str(), nullptr, 10) - kLetterOverheadBytes;
  }
  ingester->m_kafka = std::make_unique<Kafka>();
  auto consumer = NewClient(RD_KAFKA_CONSUMER, consumer_settings);
  if (!consumer.ok()) return consumer.status();
  ingester->m_kafka->consumer = *consumer;
  auto producer = NewClient(RD_KAFKA_PRODUCER, producer_settings);
  if (!producer.ok()) return producer.status();
  ingester->m_kafka->producer = *producer;
  rd_kafka_poll_set_consumer(*consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, o.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(*consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return InvalidArgumentError(fmt::format("kafka subscribe to {}: {}", o.topic, rd_kafka_err2str(err)));
  }
  TopicIngester* raw = ingester.get();
  ingester->m_thread = std::thread([raw] { raw->Run(); });
  spdlog::info("ingesting row batches from kafka topic {} (group {})", o.topic, o.group_id);
  return ingester;
}

TopicIngester::~TopicIngester() { Stop(); }

void TopicIngester::Stop() {
  if (m_stopping.exchange(true)) return;
  if (m_thread.joinable()) m_thread.join();
  m_kafka.reset();
}

IngestStats TopicIngester::stats() const {
  return {.stored = m_stored.load(), .dead_lettered = m_dead_lettered.load(), .letters_lost = m_letters_lost.load()};
}

void TopicIngester::Run() {
  while (!m_stopping) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(m_kafka->consumer, 200);
    if (message == nullptr) continue;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("kafka ingest: {}", rd_kafka_message_errstr(message));
      }
      rd_kafka_message_destroy(message);
      continue;
    }
    const std::string value(static_cast<const char*>(message->payload), message->len);
    std::chrono::milliseconds backoff(100);
    for (;;) {
      Status handled = HandleSafely(value, message->partition, message->offset);
      if (handled.ok()) {
        rd_kafka_commit_message(m_kafka->consumer, message, 0);  // synchronous: stored first, then committed
        break;
      }
      if (m_stopping) break;  // not committed: delivered again after a restart, stored once by its key
      spdlog::warn("kafka ingest: offset {} of partition {}: {}; retrying in {} ms", message->offset,
                   message->partition, handled.message(), backoff.count());
      std::this_thread::sleep_for(backoff);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
    }
    rd_kafka_message_destroy(message);
  }
}

Status TopicIngester::HandleSafely(const std::string& value, int32_t partition, int64_t offset) {
  // No message may end the thread (and, uncommitted, end every restart the same way): what
  // throws is dead-lettered with the reason.
  try {
    return Handle(value, partition, offset);
  } catch (const std::exception& e) {
    return DeadLetter(value, partition, offset, std::string("internal error handling it: ") + e.what());
  }
}

Status TopicIngester::Handle(const std::string& value, int32_t partition, int64_t offset) {
  auto batch = ParseIngestMessage(value, m_node.params().schema);
  if (!batch.ok()) return DeadLetter(value, partition, offset, batch.status().message());
  std::string key = batch->idempotency_key.empty()
                        ? fmt::format("kafka:{}:{}:{}", m_options.topic, partition, offset)
                        : batch->idempotency_key;
  // Scoped to the topic: no gRPC writer can claim these keys first.
  auto stored = m_node.SubmitBatch(batch->table, std::move(batch->rows), {.writer = "kafka:" + m_options.topic, .key = key});
  if (stored.ok()) {
    ++m_stored;
    metrics::Get().batches_ingested.Increment();
    return OkStatus();
  }
  if (stored.status().code() == StatusCode::kInvalidArgument) {
    return DeadLetter(value, partition, offset, stored.status().message());
  }
  return stored.status();  // the pool is full, MySQL is away, the node is stopping: later
}

Status TopicIngester::DeadLetter(const std::string& value, int32_t partition, int64_t offset,
                                 const std::string& reason) {
  const std::string topic = m_options.topic + ".dead-letter";
  const std::string letter = DeadLetterOf(value, m_options.topic, partition, offset, reason, m_max_letter_bytes);
  const auto err = static_cast<rd_kafka_resp_err_t>(ProduceLetter(topic, letter));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    m_letter_failures = 0;
    ++m_dead_lettered;
    metrics::Get().messages_dead_lettered.Increment();
    spdlog::warn("kafka ingest: offset {} of partition {} dead-lettered: {}", offset, partition, reason);
    return OkStatus();
  }
  // A broker that is away may come back: a few tries. A letter or topic the broker refuses
  // never goes through, and must not hold up every message behind it.
  constexpr int kLetterAttempts = 3;
  if (!IsMessageRefused(err) && !IsTopicRefused(err) && ++m_letter_failures < kLetterAttempts) {
    return UnavailableError(fmt::format("dead letter to {} not written: {}", topic, rd_kafka_err2str(err)));
  }
  m_letter_failures = 0;
  ++m_letters_lost;
  spdlog::error("kafka ingest: offset {} of partition {} refused ({}), and its dead letter cannot be written to {}: "
                "{}; passed over (the message stays in {} at that offset)",
                offset, partition, reason, topic, rd_kafka_err2str(err), m_options.topic);
  return OkStatus();
}

int TopicIngester::ProduceLetter(const std::string& topic, const std::string& letter) {
  std::atomic<int> delivery{-1};  // set by OnLetterDelivered
  rd_kafka_resp_err_t err = rd_kafka_producev(
      m_kafka->producer, RD_KAFKA_V_TOPIC(topic.c_str()),
      RD_KAFKA_V_VALUE(const_cast<char*>(letter.data()), letter.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_OPAQUE(&delivery), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return err;
  // The letter must be acknowledged before the offset moves past the message. The producer's
  // message.timeout.ms (10 s unless set) ends every letter's wait with a delivery report.
  const auto deadline = std::chrono::steady_clock::now() + kLetterTimeout + std::chrono::seconds(5);
  while (delivery.load() < 0 && std::chrono::steady_clock::now() < deadline) rd_kafka_poll(m_kafka->producer, 100);
  if (delivery.load() < 0) {
    rd_kafka_purge(m_kafka->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(m_kafka->producer, 0);  // its report, before `delivery` goes out of scope
    return RD_KAFKA_RESP_ERR__TIMED_OUT;
  }
  return delivery.load();
}

}  // namespace rowchain::feed
