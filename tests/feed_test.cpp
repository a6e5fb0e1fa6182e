// The change feed against librdkafka's mock cluster (the real Kafka protocol on loopback) and
// the private MariaDB: every event of the submitted batches arrives once, in order per key,
// in the Debezium-style envelope; a reorg publishes the inverse events; a broker outage delays
// the feed without blocking mining, and loses or doubles nothing.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "consensus/hash.h"
#include "node/node.h"
#include "feed/outbox_publisher.h"
#include "feed/topic_ingester.h"
#include "test_chain.h"
#include "test_mysql.h"
#include "util/hex.h"
#include "eventually.h"

namespace rowchain::feed {
namespace {

using consensus::RowOpKind;
using consensus::Value;
using namespace std::chrono_literals;
using testing::Eventually;
using testing::HoldsThroughout;

// A one-broker mock cluster, alive as long as this object.
class MockKafka {
 public:
  MockKafka() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[256];
    m_handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    m_cluster = rd_kafka_mock_cluster_new(m_handle, 1);
    rd_kafka_mock_topic_create(m_cluster, "rowchain.users", 3, 1);
    rd_kafka_mock_topic_create(m_cluster, "batches.in", 1, 1);
  }
  ~MockKafka() {
    rd_kafka_mock_cluster_destroy(m_cluster);
    rd_kafka_destroy(m_handle);
  }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(m_cluster); }
  // The next `count` produce requests to the cluster fail with `err`.
  void FailProduceRequests(size_t count, rd_kafka_resp_err_t err) {
    constexpr int16_t kProduceApiKey = 0;
    std::vector<rd_kafka_resp_err_t> errors(count, err);
    rd_kafka_mock_push_request_errors_array(m_cluster, kProduceApiKey, errors.size(), errors.data());
  }
  void SetBrokerUp(bool up) {
    if (up) {
      rd_kafka_mock_broker_set_up(m_cluster, -1);
    } else {
      rd_kafka_mock_broker_set_down(m_cluster, -1);
    }
  }

 private:
  rd_kafka_t* m_handle = nullptr;
  rd_kafka_mock_cluster_t* m_cluster = nullptr;
};

struct Received {
  std::string key;
  nlohmann::json envelope;
  int32_t partition = 0;
};

// Reads the topic from the beginning until `count` messages came or the time is up.
std::vector<Received> Consume(const std::string& brokers, size_t count, std::chrono::seconds timeout = 30s,
                              const std::string& topic = "rowchain.users") {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof error);
  rd_kafka_conf_set(conf, "group.id", ("test-" + std::to_string(std::rand())).c_str(), error, sizeof error);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", error, sizeof error);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  std::vector<Received> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.push_back({std::string(static_cast<const char*>(m->key), m->key_len),
                     nlohmann::json::parse(std::string(static_cast<const char*>(m->payload), m->len)), m->partition});
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return out;
}

node::InputRow User(int64_t id, std::string name, int64_t age) {
  return {.op = RowOpKind::kInsert,
          .columns = {{"id", Value::Int(id)}, {"name", Value::Text(std::move(name))}, {"age", Value::Int(age)}}};
}

class FeedTest : public ::testing::Test {
 protected:
  std::unique_ptr<node::Node> StartNode(bool mining) {
    node::NodeOptions options;
    options.mysql = m_db.uri();
    options.params = testing::RegtestParams();
    options.change_feed_prefix = "rowchain";
    if (mining) options.miner = mining::MinerOptions{.backend = "cpu", .threads = 1, .cpu_path = std::nullopt, .devices = {}};
    auto node = node::Node::Start(std::move(options));
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    return node.ok() ? std::move(*node) : nullptr;
  }
  int64_t OutboxSize() { return (*m_db.admin().Query("SELECT COUNT(*) FROM rowchain_outbox"))[0][0].as_int(); }

  testing::TestDatabase m_db;
  MockKafka m_kafka;
};

TEST_F(FeedTest, EveryRowOfEverySealedBatchIsPublishedOnceInOrderPerKey) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  auto publisher = OutboxPublisher::Start(*node, {.brokers = m_kafka.bootstraps(), .properties = {}, .batch = 1000});
  ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
  // Inserts, then an update and a delete of keys the inserts made (later blocks).
  for (int b = 0; b < 5; ++b) {
    std::vector<node::InputRow> rows;
    for (int i = 0; i < 10; ++i) rows.push_back(User(b * 10 + i, "u", b));
    ASSERT_TRUE(node->SubmitBatch("users", rows).ok());
  }
  ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));
  node::InputRow update = User(3, "renamed", 99);
  update.op = RowOpKind::kUpdate;
  ASSERT_TRUE(node->SubmitBatch("users", std::vector{update}).ok());
  ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));
  node::InputRow del{.op = RowOpKind::kDelete, .columns = {{"id", Value::Int(4)}}};
  ASSERT_TRUE(node->SubmitBatch("users", std::vector{del}).ok());
  ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));

  std::vector<Received> events = Consume(m_kafka.bootstraps(), 52);
  ASSERT_EQ(events.size(), 52u);
  ASSERT_TRUE(Eventually([&] { return OutboxSize() == 0; }));
  std::set<std::pair<std::string, uint64_t>> seen;  // (block hash, leaf index): each event once
  std::map<std::string, std::vector<std::string>> ops_by_key;
  for (const Received& r : events) {
    const auto& e = r.envelope;
    const auto& source = e["source"];
    const bool first_time =
        seen.insert({source["block_hash"].get<std::string>(), source["leaf_index"].get<uint64_t>()}).second;
    EXPECT_TRUE(first_time) << e.dump();
    EXPECT_EQ(source["chain"], "regtest");
    EXPECT_EQ(source["reverted"], false);
    EXPECT_EQ(nlohmann::json::parse(r.key)["id"], e["op"] == "d" ? e["before"]["id"] : e["after"]["id"]);
    // The event matches the chain: its leaf in that block is this row.
    auto hash = consensus::FromDisplayHex(source["block_hash"].get<std::string>());
    ASSERT_TRUE(hash.ok());
    auto block = node->BlockByHash(*hash);
    ASSERT_TRUE(block.ok() && *block);
    EXPECT_EQ((*block)->height, source["block_height"].get<uint64_t>());
    EXPECT_EQ(e["ts_ms"], int64_t{(*block)->block.header.time} * 1000);
    auto leaf = consensus::DecodeRowOperationLeaf((*block)->block.leaves.at(source["leaf_index"].get<size_t>()));
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(HexEncode(leaf->batch_id), source["batch_id"].get<std::string>());
    ops_by_key[r.key].push_back(e["op"].get<std::string>());
  }
  EXPECT_EQ(ops_by_key[R"({"id":3})"], (std::vector<std::string>{"c", "u"}));  // in order per key
  EXPECT_EQ(ops_by_key[R"({"id":4})"], (std::vector<std::string>{"c", "d"}));
  const auto& update_event = *std::find_if(events.begin(), events.end(), [](const Received& r) { return r.envelope["op"] == "u"; });
  EXPECT_EQ(update_event.envelope["before"]["name"], "u");
  EXPECT_EQ(update_event.envelope["after"]["name"], "renamed");
  EXPECT_EQ((*publisher)->stats().published, 52u);
}

TEST_F(FeedTest, AReorgPublishesTheInverseOperations) {
  auto node = StartNode(false);
  ASSERT_TRUE(node);
  auto publisher = OutboxPublisher::Start(*node, {.brokers = m_kafka.bootstraps(), .properties = {}, .batch = 1000});
  ASSERT_TRUE(publisher.ok());
  testing::TestChain chain(testing::RegtestParams());
  consensus::Block a1 = chain.Mine(chain.genesis(), 0, {testing::UserInsert(testing::Batch(1), 0, 7, "seven", 7)});
  consensus::Block b1 = chain.Mine(chain.genesis(), 0, {}, 3);
  consensus::Block b2 = chain.Mine(b1, 1, {});
  ASSERT_TRUE(node->SubmitBlock(a1).ok());
  ASSERT_TRUE(node->SubmitBlock(b1).ok());
  ASSERT_TRUE(node->SubmitBlock(b2).ok());
  ASSERT_EQ(node->ChainInfo()->tip.hash, b2.Hash());
  std::vector<Received> events = Consume(m_kafka.bootstraps(), 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].envelope["op"], "c");
  EXPECT_EQ(events[0].envelope["source"]["reverted"], false);
  EXPECT_EQ(events[1].envelope["op"], "d");
  EXPECT_EQ(events[1].envelope["source"]["reverted"], true);
  EXPECT_EQ(events[1].envelope["before"]["name"], "seven");
  EXPECT_EQ(events[1].envelope["source"]["block_hash"], consensus::ToDisplayHex(a1.Hash()));
}

TEST_F(FeedTest, ABrokerOutageDelaysTheFeedForHalfASecondWithNothingPublishedButNeverMiningAndLosesNothing) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  auto publisher = OutboxPublisher::Start(*node, {.brokers = m_kafka.bootstraps(), .properties = {}, .batch = 1000});
  ASSERT_TRUE(publisher.ok());
  m_kafka.SetBrokerUp(false);
  for (int b = 0; b < 4; ++b) {
    std::vector<node::InputRow> rows;
    for (int i = 0; i < 5; ++i) rows.push_back(User(100 + b * 5 + i, "x", i));
    ASSERT_TRUE(node->SubmitBatch("users", rows).ok());
  }
  // Mining and committing go on while Kafka is away; the events wait in the outbox.
  ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));
  EXPECT_EQ(OutboxSize(), 20);
  // Nothing is acknowledged while the broker is away (the publisher was woken by every block).
  EXPECT_TRUE(HoldsThroughout([&] { return (*publisher)->stats().published == 0; }, 500ms));
  m_kafka.SetBrokerUp(true);
  ASSERT_TRUE(Eventually([&] { return OutboxSize() == 0; }, 60s));
  // Asking for one more than was sent: exactly the 20 come, each once.
  std::vector<Received> events = Consume(m_kafka.bootstraps(), 21, 15s);
  EXPECT_EQ(events.size(), 20u);
  std::set<std::string> keys;
  for (const Received& r : events) EXPECT_TRUE(keys.insert(r.key).second) << "duplicate " << r.key;
}

TEST_F(FeedTest, TheFeedResumesAfterARestart) {
  {
    auto node = StartNode(true);
    ASSERT_TRUE(node);
    ASSERT_TRUE(node->SubmitBatch("users", std::vector{User(1, "a", 1), User(2, "b", 2)}).ok());
    ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));
    EXPECT_EQ(OutboxSize(), 2);  // no publisher yet: the events wait
  }
  auto node = StartNode(false);
  ASSERT_TRUE(node);
  auto publisher = OutboxPublisher::Start(*node, {.brokers = m_kafka.bootstraps(), .properties = {}, .batch = 1000});
  ASSERT_TRUE(publisher.ok());
  ASSERT_TRUE(Eventually([&] { return OutboxSize() == 0; }));
  EXPECT_EQ(Consume(m_kafka.bootstraps(), 2).size(), 2u);
}

void Produce(const std::string& brokers, const std::string& topic, const std::vector<std::string>& values) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof error);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  for (const std::string& v : values) {
    rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  }
  rd_kafka_flush(producer, 10000);
  rd_kafka_destroy(producer);
}

TEST_F(FeedTest, IngestionStoresGoodBatchesOnceDeadLettersBadOnesAndARestartFindsNothingForThreeSeconds) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  Produce(m_kafka.bootstraps(), "batches.in",
          {R"({"table": "users", "rows": [{"id": 1, "name": "a", "age": 1}, {"id": 2, "name": "b", "age": 2}]})",
           "not json at all",
           R"({"table": "users", "rows": [{"id": 9, "name": "x", "age": 1, "email": "x@y"}]})",
           R"({"table": "users", "rows": [{"id": 3, "name": "c", "age": 3}], "idempotency_key": "order-3"})",
           R"({"table": "users", "rows": [{"id": 3, "name": "c", "age": 3}], "idempotency_key": "order-3"})"});
  IngestOptions options{.brokers = m_kafka.bootstraps(), .topic = "batches.in", .group_id = "ingest-test", .properties = {}};
  {
    auto ingester = TopicIngester::Start(*node, options);
    ASSERT_TRUE(ingester.ok()) << ingester.status().ToString();
    ASSERT_TRUE(Eventually([&] { return (*ingester)->stats().stored + (*ingester)->stats().dead_lettered == 5; }, 60s));
    EXPECT_EQ((*ingester)->stats().dead_lettered, 2u);
  }
  ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));
  auto count = [&](const std::string& sql) { return (*m_db.admin().Query(sql))[0][0].as_int(); };
  EXPECT_EQ(count("SELECT COUNT(*) FROM users"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM rowchain_batches"), 2);  // the repeated key stored nothing
  std::vector<Received> letters = Consume(m_kafka.bootstraps(), 2, 30s, "batches.in.dead-letter");
  ASSERT_EQ(letters.size(), 2u);
  std::set<std::string> reasons;
  for (const Received& r : letters) reasons.insert(r.envelope["reason"].get<std::string>());
  EXPECT_TRUE(std::any_of(reasons.begin(), reasons.end(), [](const std::string& r) { return r.find("not a JSON") != std::string::npos; }));
  EXPECT_TRUE(std::any_of(reasons.begin(), reasons.end(), [](const std::string& r) { return r.find("'email'") != std::string::npos; }));
  // Offsets were committed: a new ingester in the same group finds nothing left to do.
  auto again = TopicIngester::Start(*node, options);
  ASSERT_TRUE(again.ok());
  // Three seconds: a consumer joins its group and fetches in about one on the mock cluster.
  EXPECT_TRUE(HoldsThroughout([&] { return (*again)->stats().stored + (*again)->stats().dead_lettered == 0; }, 3s));
  EXPECT_EQ(count("SELECT COUNT(*) FROM rowchain_batches"), 2);
}

// An event larger than the broker takes used to be sent again forever, holding up the feed.
TEST_F(FeedTest, AnEventNoBrokerTakesIsPassedOverAndTheFeedGoesOn) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  auto publisher = OutboxPublisher::Start(
      *node, {.brokers = m_kafka.bootstraps(), .properties = {{"message.max.bytes", "1000"}}, .batch = 1000});
  ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
  std::string wide;  // 250 characters, 1,000 bytes: the event is past librdkafka's smallest message.max.bytes
  for (int i = 0; i < 250; ++i) wide += "\xF0\x9F\x98\x80";
  ASSERT_TRUE(node->SubmitBatch("users", std::vector{User(1, wide, 1)}).ok());
  ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));
  ASSERT_TRUE(node->SubmitBatch("users", std::vector{User(2, "small", 2)}).ok());
  ASSERT_TRUE(Eventually([&] { return OutboxSize() == 0; }, 60s));
  EXPECT_EQ((*publisher)->stats().undeliverable, 1u);
  EXPECT_EQ((*publisher)->stats().published, 2u);  // acknowledged front: the big one passed over, the small one sent
  std::vector<Received> events = Consume(m_kafka.bootstraps(), 2, 5s);  // asks for one more than can come
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].envelope["after"]["name"], "small");
}

TEST_F(FeedTest, AMessageThatIsNotUtf8IsDeadLetteredAsBase64AndTheNextIsSealed) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  // One byte 0xff, then a message whose reason would quote invalid bytes, then a good batch.
  Produce(m_kafka.bootstraps(), "poison.in",
          {std::string("\xff"), std::string("{\"table\": \"us\xff" "ers\", \"rows\": []}"),
           R"({"table": "users", "rows": [{"id": 41, "name": "after", "age": 4}]})"});
  IngestOptions options{.brokers = m_kafka.bootstraps(), .topic = "poison.in", .group_id = "poison", .properties = {}};
  auto ingester = TopicIngester::Start(*node, options);
  ASSERT_TRUE(ingester.ok()) << ingester.status().ToString();
  ASSERT_TRUE(Eventually([&] { return (*ingester)->stats().stored == 1 && (*ingester)->stats().dead_lettered == 2; }, 60s));
  ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));
  EXPECT_EQ((*m_db.admin().Query("SELECT name FROM users WHERE id = 41"))[0][0].as_string(), "after");
  std::vector<Received> letters = Consume(m_kafka.bootstraps(), 2, 30s, "poison.in.dead-letter");
  ASSERT_EQ(letters.size(), 2u);
  int one_byte = 0;
  for (const Received& letter : letters) {
    EXPECT_FALSE(letter.envelope.contains("message"));  // neither is UTF-8
    ASSERT_TRUE(letter.envelope.contains("message_base64"));
    EXPECT_FALSE(letter.envelope["reason"].get<std::string>().empty());
    one_byte += letter.envelope["message_base64"] == "/w==";
  }
  EXPECT_EQ(one_byte, 1);
}

// A dead letter larger than the broker takes, or one the broker refuses outright, used to be
// retried forever and hold up its partition. Now the large one describes the message instead
// of carrying it, the refused one is logged, counted and passed over, and the next is sealed.
TEST_F(FeedTest, ALargeDeadLetterDescribesItsMessageAndARefusedOneIsPassedOver) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  const std::string large(5000, 'x');  // not JSON, and more than the 2,000-byte letters allowed below
  Produce(m_kafka.bootstraps(), "large.in", {large, R"({"table": "users", "rows": [{"id": 51, "name": "a", "age": 4}]})"});
  IngestOptions options{.brokers = m_kafka.bootstraps(), .topic = "large.in", .group_id = "large",
                        .properties = {{"message.max.bytes", "2000"}}};
  auto ingester = TopicIngester::Start(*node, options);
  ASSERT_TRUE(ingester.ok()) << ingester.status().ToString();
  ASSERT_TRUE(Eventually([&] { return (*ingester)->stats().stored == 1 && (*ingester)->stats().dead_lettered == 1; }, 60s));
  std::vector<Received> letters = Consume(m_kafka.bootstraps(), 1, 30s, "large.in.dead-letter");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_FALSE(letters[0].envelope.contains("message"));
  EXPECT_EQ(letters[0].envelope["message_bytes"], 5000);
  EXPECT_EQ(letters[0].envelope["message_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(letters[0].envelope["offset"], 0);
  (*ingester)->Stop();

  Produce(m_kafka.bootstraps(), "refused.in", {"not json", R"({"table": "users", "rows": [{"id": 52, "name": "b", "age": 4}]})"});
  m_kafka.FailProduceRequests(20, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  options = {.brokers = m_kafka.bootstraps(), .topic = "refused.in", .group_id = "refused", .properties = {}};
  auto refused = TopicIngester::Start(*node, options);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  // The two messages may sit on different partitions: either may be handled first.
  ASSERT_TRUE(Eventually([&] { return (*refused)->stats().stored == 1 && (*refused)->stats().letters_lost == 1; }, 60s));
  EXPECT_EQ((*refused)->stats().dead_lettered, 0u);
  ASSERT_TRUE(Eventually([&] { return node->ChainInfo()->pending_batches == 0; }));
  EXPECT_EQ((*m_db.admin().Query("SELECT COUNT(*) FROM users WHERE id IN (51, 52)"))[0][0].as_int(), 2);
}

// A BIGINT UNSIGNED-sized number used to become -1 silently.
TEST(IngestMessage, ANumberPastInt64IsRefusedNotWrapped) {
  auto parsed = ParseIngestMessage(R"({"table": "users", "rows": [{"id": 18446744073709551615, "name": "a", "age": 7}]})",
                                   testing::RegtestParams().schema);
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("out of range"), std::string::npos) << parsed.status().message();
  auto largest = ParseIngestMessage(R"({"table": "users", "rows": [{"id": 9223372036854775807, "name": "a", "age": 7}]})",
                                    testing::RegtestParams().schema);
  ASSERT_TRUE(largest.ok()) << largest.status().ToString();
}

TEST(IngestMessage, RowsAreTypedByTheirColumns) {
  auto parsed = ParseIngestMessage(R"({"table": "users", "op": "update", "rows": [{"id": 1, "name": "a", "age": 7}]})",
                                   testing::RegtestParams().schema);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->table, "users");
  ASSERT_EQ(parsed->rows.size(), 1u);
  EXPECT_EQ(parsed->rows[0].op, RowOpKind::kUpdate);
  std::map<std::string, Value> columns(parsed->rows[0].columns.begin(), parsed->rows[0].columns.end());
  EXPECT_EQ(columns.at("age"), Value::Int(7));
  EXPECT_EQ(columns.at("name"), Value::Text("a"));
  for (const char* bad : {R"([1,2])", R"({"rows": []})", R"({"table": "nope", "rows": []})",
                          R"({"table": "users", "rows": {}})", R"({"table": "users", "op": "merge", "rows": []})",
                          R"({"table": "users", "rows": [{"id": [1]}]})"}) {
    EXPECT_EQ(ParseIngestMessage(bad, testing::RegtestParams().schema).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace rowchain::feed
