// node/pool_writer: writers' batches arriving together are stored together, each caller gets
// its own answer, idempotency keys still name one batch, and a failed group fails every member.
#include "node/pool_writer.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "store/chain_store.h"
#include "test_chain.h"
#include "test_mysql.h"

namespace rowchain::node {
namespace {

using testing::Batch;

class PoolWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::ChainStore::Open(m_db.uri(), testing::RegtestParams());  // creates the node's tables
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  // Batch n: one row, users.id = n; with a key, users.id = 1000 (a retry sends the same rows
  // under a new batch id).
  static store::NewPendingBatch NewBatch(uint64_t n, std::string_view key = "") {
    const int64_t user = key.empty() ? static_cast<int64_t>(n) : 1000;
    auto leaves = testing::TestChain::Leaves({testing::UserInsert(Batch(n), 0, user, "u", 1)});
    return store::NewPendingBatchOf(Batch(n), "users", leaves, {.writer = "test", .key = std::string(key)});
  }
  // Each of `writers` threads stores NewBatch(first + its index, key) at once.
  std::vector<StatusOr<consensus::BatchId>> StoreAtOnce(PoolWriter& writer, size_t writers, uint64_t first,
                                                         std::string_view key = "") {
    std::vector<StatusOr<consensus::BatchId>> results(writers, InternalError("not run"));
    std::vector<std::thread> threads;
    for (size_t i = 0; i < writers; ++i) {
      threads.emplace_back([&, i] { results[i] = writer.Store(NewBatch(first + i, key), 1763600000); });
    }
    for (auto& t : threads) t.join();
    return results;
  }
  int64_t Count(const std::string& sql) { return (*m_db.admin().Query(sql))[0][0].as_int(); }

  testing::TestDatabase m_db;
  store::ConnectionPool m_connections{m_db.uri(), 4};
};

TEST_F(PoolWriterTest, ManyWritersAtOnceAreAllStoredWithTheirRows) {
  PoolWriter writer(m_connections);
  auto results = StoreAtOnce(writer, 32, 100);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    EXPECT_EQ(*results[i], Batch(100 + i));
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches WHERE state = 0 AND row_count = 1"), 32);
  auto db = store::MysqlConnection::Connect(m_db.uri());
  ASSERT_TRUE(db.ok());
  auto pending = store::ReadPendingBatches(**db, 1000, 1 << 20);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 32u);
  for (const store::PendingBatch& batch : *pending) {
    uint64_t n = 100;
    while (n < 132 && Batch(n) != batch.id) ++n;
    ASSERT_LT(n, 132u);
    EXPECT_EQ(batch.leaves, testing::TestChain::Leaves({testing::UserInsert(Batch(n), 0, static_cast<int64_t>(n), "u", 1)}));
  }
}

TEST_F(PoolWriterTest, SmallGroupsStillStoreEveryBatch) {
  PoolWriter writer(m_connections, PoolWriterLimits{.max_parallel_groups = 1, .max_group_batches = 3});
  auto results = StoreAtOnce(writer, 20, 1);
  for (const auto& result : results) EXPECT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 20);
}

TEST_F(PoolWriterTest, OneKeySentByManyAtOnceStoresOneBatch) {
  PoolWriter writer(m_connections);
  auto results = StoreAtOnce(writer, 8, 1, "order-1");
  ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(*result, *results[0]);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 1);
}

TEST_F(PoolWriterTest, AKeyStoredBeforeGivesItsBatch) {
  PoolWriter writer(m_connections);
  auto first = writer.Store(NewBatch(1, "order-2"), 1763600000);
  ASSERT_TRUE(first.ok());
  auto again = writer.Store(NewBatch(2, "order-2"), 1763600001);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, Batch(1));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rowchain_batches"), 1);
  // The same key under another writer is another key.
  auto leaves = testing::TestChain::Leaves({testing::UserInsert(Batch(3), 0, 1000, "u", 1)});
  auto other = writer.Store(store::NewPendingBatchOf(Batch(3), "users", leaves, {.writer = "other", .key = "order-2"}), 1);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, Batch(3));
}

TEST_F(PoolWriterTest, AGroupThatFailsFailsEveryMember) {
  PoolWriter writer(m_connections);
  ASSERT_TRUE(m_db.admin().Execute("DROP TABLE rowchain_batches").ok());
  auto results = StoreAtOnce(writer, 6, 1);
  for (const auto& result : results) EXPECT_FALSE(result.ok());
}


// A reason that would be cut inside a character at the column's 255 is stored cut before it:
// a rejected batch always leaves the pool (it used to head every template forever).
TEST_F(PoolWriterTest, ARejectionReasonIsCutAtACharacterAndTheBatchLeavesThePool) {
  PoolWriter writer(m_connections);
  ASSERT_TRUE(writer.Store(NewBatch(1), 1763600000).ok());
  const std::string reason = std::string(254, 'r') + "ééé";
  auto rejected = m_connections.With([&](store::MysqlConnection& db) -> StatusOr<bool> {
    ROWCHAIN_RETURN_IF_ERROR(store::RejectPendingBatch(db, Batch(1), reason));
    return true;
  });
  ASSERT_TRUE(rejected.ok()) << rejected.status().ToString();
  auto stored = m_db.admin().Query("SELECT state, reason FROM rowchain_batches");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)[0][0].as_int(), 2);
  EXPECT_EQ((*stored)[0][1].as_string(), std::string(254, 'r'));
}

}  // namespace
}  // namespace rowchain::node
