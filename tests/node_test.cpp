// The node's core against the private MariaDB: batches from submission to sealed rows, the
// pending pool's rules, template rejection, proofs, stale-work cancellation, reorg events and
// stopping in the middle of mining.
#include "node/node.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <thread>

#include "consensus/merkle.h"
#include "store/auditor.h"
#include "test_chain.h"
#include "test_mysql.h"
#include "eventually.h"
#include "util/hex.h"

namespace rowchain::node {
namespace {

using consensus::RowOpKind;
using consensus::Value;
using namespace std::chrono_literals;
using testing::Eventually;
using testing::HoldsThroughout;

InputRow User(int64_t id, std::string name, int64_t age) {
  return {.op = RowOpKind::kInsert,
          .columns = {{"id", Value::Int(id)}, {"name", Value::Text(std::move(name))}, {"age", Value::Int(age)}}};
}

// Records every event the node publishes; waits for the one a test expects.
class EventLog {
 public:
  explicit EventLog(Node& node) : m_node(node) {
    m_id = node.events().Subscribe([this](const NodeEvent& e) {
      std::lock_guard lock(m_mutex);
      m_events.push_back(e);
      m_changed.notify_all();
    });
  }
  ~EventLog() { m_node.events().Unsubscribe(m_id); }

  template <class Pred>
  bool WaitFor(Pred pred, std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return std::any_of(m_events.begin(), m_events.end(), pred); });
  }
  std::vector<NodeEvent> events() {
    std::lock_guard lock(m_mutex);
    return m_events;
  }
  std::vector<BatchPhase> PhasesOf(const consensus::BatchId& id) {
    std::vector<BatchPhase> phases;
    for (const NodeEvent& e : events()) {
      if (auto* b = std::get_if<BatchEvent>(&e); b && b->id == id) phases.push_back(b->phase);
    }
    return phases;
  }

 private:
  Node& m_node;
  uint64_t m_id = 0;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<NodeEvent> m_events;
};

auto IsBatch(const consensus::BatchId& id, BatchPhase phase) {
  return [id, phase](const NodeEvent& e) {
    auto* b = std::get_if<BatchEvent>(&e);
    return b != nullptr && b->id == id && b->phase == phase;
  };
}

class NodeTest : public ::testing::Test {
 protected:
  std::unique_ptr<Node> StartNode(bool mining, consensus::ChainParams params = testing::RegtestParams(),
                                  uint64_t max_pending_rows = 1'000'000, std::string cpu_path = "") {
    NodeOptions options;
    options.mysql = m_db.uri();
    options.params = std::move(params);
    options.max_pending_rows = max_pending_rows;
    if (mining) {
      mining::MinerOptions miner;
      miner.backend = "cpu";
      miner.threads = 1;
      if (!cpu_path.empty()) miner.cpu_path = cpu_path;
      options.miner = miner;
    }
    auto node = Node::Start(std::move(options));
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    return node.ok() ? std::move(*node) : nullptr;
  }
  int64_t Count(const std::string& sql) { return (*m_db.admin().Query(sql))[0][0].as_int(); }
  // Submits `rows` to users and waits until the batch reaches `phase`; the batch's id.
  static consensus::BatchId SubmitAndWaitFor(Node& node, EventLog& log, const std::vector<InputRow>& rows,
                                             BatchPhase phase) {
    auto submitted = node.SubmitBatch("users", rows);
    EXPECT_TRUE(submitted.ok()) << submitted.status().ToString();
    if (!submitted.ok()) return {};
    EXPECT_TRUE(log.WaitFor(IsBatch(submitted->id, phase)));
    return submitted->id;
  }
  static void WaitForKeyScan(const Node& node) {
    ASSERT_TRUE(Eventually([&] { return node.ledger_keys_scanned(); }, 3s, 1ms));
  }

  testing::TestDatabase m_db;
};

TEST_F(NodeTest, SubmittedBatchIsSealedIntoMysqlAndVerifies) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  EventLog log(*node);
  auto submitted = node->SubmitBatch("users", std::vector{User(1, "ada", 36), User(2, "alan", 41)});
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  EXPECT_FALSE(submitted->duplicate);
  ASSERT_TRUE(log.WaitFor(IsBatch(submitted->id, BatchPhase::kSealed)));

  // The submit's "pending" and the mining loop's "mining" come from two threads and may arrive
  // in either order (the batch is in MySQL before either is told); "sealed" always comes last.
  auto phases = log.PhasesOf(submitted->id);
  ASSERT_GE(phases.size(), 3u);
  auto position = [&](BatchPhase p) { return std::find(phases.begin(), phases.end(), p) - phases.begin(); };
  EXPECT_LT(position(BatchPhase::kPending), static_cast<long>(phases.size()) - 1);
  EXPECT_LT(position(BatchPhase::kMining), static_cast<long>(phases.size()) - 1);
  EXPECT_EQ(phases.back(), BatchPhase::kSealed);
  EXPECT_EQ(std::count(phases.begin(), phases.end(), BatchPhase::kSealed), 1);

  auto status = node->BatchStatus(submitted->id);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->phase, BatchPhase::kSealed);
  EXPECT_EQ(status->height, 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE (id = 1 AND name = 'ada' AND age = 36) OR id = 2"), 2);
  auto block = node->BlockAtHeight(1);
  ASSERT_TRUE(block.ok() && *block);
  EXPECT_EQ((*block)->block.leaves.size(), 3u);
  EXPECT_EQ((*block)->hash, status->block_hash);

  node->Stop();
  auto report = store::AuditDatabase(m_db.uri(), node->params());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(report->table_rows_checked, 2u);
}

TEST_F(NodeTest, ResubmittingWithTheSameKeyStoresNothingNew) {
  auto node = StartNode(false);
  ASSERT_TRUE(node);
  auto first = node->SubmitBatch("users", std::vector{User(1, "ada", 36)}, {.writer = "test", .key = "order-17"});
  auto second = node->SubmitBatch("users", std::vector{User(1, "ada", 36)}, {.writer = "test", .key = "order-17"});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->id, second->id);
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 1);
  EXPECT_EQ(node->ChainInfo()->pending_batches, 1u);
  auto other = node->SubmitBatch("users", std::vector{User(1, "ada", 36)}, {.writer = "test", .key = "order-18"});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->id, first->id);
}

TEST_F(NodeTest, AKeyReusedForOtherRowsIsAlreadyExistsNamingTheFirstBatch) {
  auto node = StartNode(false);
  ASSERT_TRUE(node);
  auto first = node->SubmitBatch("users", std::vector{User(1, "ada", 36)}, {.writer = "test", .key = "order-9"});
  ASSERT_TRUE(first.ok());
  auto other_rows = node->SubmitBatch("users", std::vector{User(1, "ada", 37)}, {.writer = "test", .key = "order-9"});
  EXPECT_EQ(other_rows.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(other_rows.status().message().find(HexEncode(first->id)), std::string::npos) << other_rows.status().message();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 1);
}

// A writer allowed one table used to pre-claim the predictable Kafka keys, and the real
// message was then acknowledged as a duplicate and its rows lost.
TEST_F(NodeTest, KeysAreScopedToTheirWriterSoNoWriterClaimsAnothersKey) {
  auto node = StartNode(false);
  ASSERT_TRUE(node);
  const std::string kafka_key = "kafka:batches.in:0:0";
  auto squatter = node->SubmitBatch("users", std::vector{User(7, "squat", 1)}, {.writer = "token:loader", .key = kafka_key});
  ASSERT_TRUE(squatter.ok());
  auto real = node->SubmitBatch("users", std::vector{User(8, "real", 2)}, {.writer = "kafka:batches.in", .key = kafka_key});
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  EXPECT_FALSE(real->duplicate);
  EXPECT_NE(real->id, squatter->id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 2);
}

TEST_F(NodeTest, ConcurrentResubmissionsWithOneKeyStoreOneBatch) {
  auto node = StartNode(false);
  ASSERT_TRUE(node);
  std::vector<std::thread> writers;
  std::vector<consensus::BatchId> ids(8);
  for (size_t i = 0; i < ids.size(); ++i) {
    writers.emplace_back([&, i] {
      auto r = node->SubmitBatch("users", std::vector{User(5, "eve", 30)}, {.writer = "test", .key = "same-key"});
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) ids[i] = r->id;
    });
  }
  for (auto& t : writers) t.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 1);
}

TEST_F(NodeTest, BadBatchesAreRefusedAndStoreNothing) {
  auto node = StartNode(false);
  ASSERT_TRUE(node);
  InputRow text_age = User(2, "b", 1);
  text_age.columns[2].second = Value::Text("x");
  std::vector<std::pair<std::string, std::vector<InputRow>>> bad = {
      {"nope", {User(1, "a", 1)}},
      {"users", {}},
      {"users", {User(1, "a", 1), text_age}},
      {"users", {User(1, "a", 1), User(1, "a", 1)}},
  };
  for (const auto& [table, rows] : bad) {
    auto r = node->SubmitBatch(table, rows);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << table;
  }
  EXPECT_EQ(node->SubmitBatch("users", std::vector{User(1, "a", 1)}, {.writer = "test", .key = std::string(129, 'k')}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 0);
}

TEST_F(NodeTest, AFullPoolRefusesNewBatchesButAnswersRetries) {
  auto node = StartNode(false, testing::RegtestParams(), /*max_pending_rows=*/4);
  ASSERT_TRUE(node);
  auto first = node->SubmitBatch("users", std::vector{User(1, "a", 1), User(2, "b", 2), User(3, "c", 3)}, {.writer = "test", .key = "k1"});
  ASSERT_TRUE(first.ok());
  auto over = node->SubmitBatch("users", std::vector{User(4, "d", 4), User(5, "e", 5)}, {.writer = "test", .key = "k2"});
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  auto retry = node->SubmitBatch("users", std::vector{User(1, "a", 1), User(2, "b", 2), User(3, "c", 3)}, {.writer = "test", .key = "k1"});
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->id, first->id);
  EXPECT_TRUE(node->SubmitBatch("users", std::vector{User(4, "d", 4)}).ok());  // exactly at the bound
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 2);
}

TEST_F(NodeTest, ABatchThatCanNeverApplyIsRejectedWithItsReason) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  EventLog log(*node);
  SubmitAndWaitFor(*node, log, {User(1, "ada", 36)}, BatchPhase::kSealed);
  const consensus::BatchId again = SubmitAndWaitFor(*node, log, {User(1, "ada", 36)}, BatchPhase::kRejected);
  auto status = node->BatchStatus(again);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->phase, BatchPhase::kRejected);
  EXPECT_NE(status->reason.find("users id=1 already exists"), std::string::npos) << status->reason;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 1);
  EXPECT_EQ(node->ChainInfo()->tip.height, 1u);
}

TEST_F(NodeTest, KeysTheTablesHeldBeforeStartAreKnownToTemplates) {
  {
    auto node = StartNode(true);
    ASSERT_TRUE(node);
    EventLog log(*node);
    SubmitAndWaitFor(*node, log, {User(1, "ada", 36)}, BatchPhase::kSealed);
  }
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  EventLog log(*node);
  WaitForKeyScan(*node);
  SubmitAndWaitFor(*node, log, {User(1, "ada", 36)}, BatchPhase::kRejected);
  // Refused by the template, from the scanned keys: no block was spent on it.
  EXPECT_EQ(node->mining_stats().own_blocks_rejected, 0u);
  EXPECT_EQ(node->mining_stats().blocks_mined, 0u);
}

TEST_F(NodeTest, ARowWrittenBehindTheNodesBackStillRejectsTheBatch) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  EventLog log(*node);
  WaitForKeyScan(*node);
  ASSERT_TRUE(m_db.admin().Execute("INSERT INTO users (id, name, age) VALUES (7, 'mallory', 1)").ok());
  // The key filter has not heard of id 7: the block fails its checks, and the next template
  // asks MySQL about every key and rejects the batch.
  const consensus::BatchId clash = SubmitAndWaitFor(*node, log, {User(7, "eve", 30)}, BatchPhase::kRejected);
  EXPECT_NE(node->BatchStatus(clash)->reason.find("users id=7 already exists"), std::string::npos);
  EXPECT_GE(node->mining_stats().own_blocks_rejected, 1u);
  SubmitAndWaitFor(*node, log, {User(8, "bob", 30)}, BatchPhase::kSealed);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 2);
}

TEST_F(NodeTest, RowProofLeadsToTheHeadersMerkleRoot) {
  auto node = StartNode(true);
  ASSERT_TRUE(node);
  EventLog log(*node);
  std::vector<InputRow> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(User(i, "u" + std::to_string(i), 20 + i));
  auto submitted = node->SubmitBatch("users", rows);
  ASSERT_TRUE(submitted.ok());
  ASSERT_TRUE(log.WaitFor(IsBatch(submitted->id, BatchPhase::kSealed)));
  auto proof = node->RowProof(submitted->id, 3);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_EQ(proof->row, testing::UserInsert(submitted->id, 3, 3, "u3", 23));
  EXPECT_EQ(proof->tree_size, 6u);
  auto root = consensus::MerkleRootFromProof(consensus::MerkleLeafHash(proof->leaf), proof->leaf_index,
                                             proof->tree_size, proof->audit_path);
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(*root, proof->block->block.header.merkle_root);

  EXPECT_EQ(node->RowProof(submitted->id, 5).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(node->RowProof(testing::Batch(99), 0).status().code(), StatusCode::kNotFound);
  node->Stop();
  auto pending = node->SubmitBatch("users", std::vector{User(9, "z", 1)});
  EXPECT_EQ(pending.status().code(), StatusCode::kUnavailable);  // a stopped node takes nothing
}

TEST_F(NodeTest, ANewTipCancelsStaleWorkAndMiningMovesOn) {
  // Blocks need ~2^23 hashes: the test mines a two-block branch first; the node, on one slow
  // thread, is still searching its own template when the branch arrives (seconds on average).
  consensus::ChainParams params = testing::RegtestParams();
  params.genesis.bits = 0x1e01ffff;
  testing::TestChain chain(params);
  consensus::Block b1 = chain.Mine(chain.genesis(), 0, {});
  consensus::Block b2 = chain.Mine(b1, 1, {});

  auto node = StartNode(true, params, 1'000'000, "portable");
  ASSERT_TRUE(node);
  auto submitted = node->SubmitBatch("users", std::vector{User(1, "ada", 36)});
  ASSERT_TRUE(submitted.ok());
  ASSERT_TRUE(Eventually([&] { return node->mining_stats().templates >= 1; }, 3s, 1ms));
  for (const auto* block : {&b1, &b2}) {
    auto accepted = node->SubmitBlock(*block);
    ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
    EXPECT_TRUE(accepted->verdict.ok()) << accepted->verdict.reason();
  }
  EXPECT_EQ(node->ChainInfo()->tip.hash, b2.Hash());
  EXPECT_TRUE(Eventually([&] { return node->mining_stats().templates >= 2; }, 3s, 1ms));
  MiningStats stats = node->mining_stats();
  if (stats.blocks_mined > 0 && stats.templates_cancelled == 0) {
    // Proof of work is luck: the node can win before the branch arrives, and then there is no
    // stale work to cancel. Rare (well under a percent); the scenario cannot be forced.
    GTEST_SKIP() << "the node found its own block before the branch arrived; rerun";
  }
  EXPECT_GE(stats.templates_cancelled, 1u);
  EXPECT_GE(stats.templates, 2u);  // a fresh template on the new tip
  EXPECT_GT(stats.max_restart_latency.count(), 0);
  // The batch is still waiting for a block on the new tip.
  EXPECT_EQ(node->BatchStatus(submitted->id)->phase, BatchPhase::kMining);
}

TEST_F(NodeTest, AReorgTellsWatchersWhatWasDisconnectedAndReturnsBatches) {
  auto node = StartNode(false);
  ASSERT_TRUE(node);
  EventLog log(*node);
  testing::TestChain chain(testing::RegtestParams());
  consensus::Block a1 = chain.Mine(chain.genesis(), 0, {testing::UserInsert(testing::Batch(1), 0, 1, "a", 1)});
  consensus::Block b1 = chain.Mine(chain.genesis(), 0, {}, 7);
  consensus::Block b2 = chain.Mine(b1, 1, {});
  ASSERT_TRUE(node->SubmitBlock(a1).ok());
  ASSERT_TRUE(node->SubmitBlock(b1).ok());
  ASSERT_TRUE(node->SubmitBlock(b2).ok());
  EXPECT_EQ(node->ChainInfo()->tip.hash, b2.Hash());

  std::vector<std::string> order;
  for (const NodeEvent& e : log.events()) {
    if (auto* b = std::get_if<BlockEvent>(&e)) {
      order.push_back((b->connected ? "+" : "-") + std::to_string(b->block->height) +
                      (b->block->hash == a1.Hash() ? "a" : "b"));
    } else if (auto* batch = std::get_if<BatchEvent>(&e); batch->id == testing::Batch(1)) {
      order.push_back(batch->phase == BatchPhase::kSealed ? "sealed" : batch->reorged ? "reorged" : "other");
    }
  }
  // b1 ties with a1 and wins or loses on the hash; either way the watchers see the same story.
  EXPECT_EQ(order, (std::vector<std::string>{"+1a", "sealed", "-1a", "reorged", "+1b", "+2b"}));
  EXPECT_EQ(node->BatchStatus(testing::Batch(1))->phase, BatchPhase::kPending);
  EXPECT_EQ(node->ChainInfo()->pending_batches, 1u);
}

TEST_F(NodeTest, StoppingInTheMiddleOfMiningKeepsEveryAcknowledgedBatch) {
  consensus::ChainParams params = testing::RegtestParams();
  params.genesis.bits = 0x1d00ffff;  // ~2^32 hashes: never found during this test
  auto node = StartNode(true, params);
  ASSERT_TRUE(node);
  std::vector<consensus::BatchId> acked;
  for (int i = 0; i < 5; ++i) {
    auto r = node->SubmitBatch("users", std::vector{User(i, "u", i)});
    ASSERT_TRUE(r.ok());
    acked.push_back(r->id);
  }
  ASSERT_TRUE(Eventually([&] { return node->mining_stats().templates >= 1; }, 3s, 1ms));
  auto started = std::chrono::steady_clock::now();
  node->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // not a speed target: a hang guard
  EXPECT_GE(node->mining_stats().templates_cancelled, 1u);
  node.reset();

  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches WHERE state = 0"), 5);
  auto restarted = StartNode(false, params);
  ASSERT_TRUE(restarted);
  for (const auto& id : acked) EXPECT_EQ(restarted->BatchStatus(id)->phase, BatchPhase::kPending);
  EXPECT_EQ(restarted->ChainInfo()->pending_rows, 5u);
}

}  // namespace
}  // namespace rowchain::node
