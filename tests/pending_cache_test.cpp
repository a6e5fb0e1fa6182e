// The pending pool's cache of decoded batches: what it holds, what it lets go of, its bound.
#include <gtest/gtest.h>

#include <memory>

#include "node/pending_cache.h"
#include "test_chain.h"

namespace rowchain::node {
namespace {

std::shared_ptr<const PreparedBatch> Users(uint64_t n, int rows) {
  std::vector<InputRow> input;
  for (int i = 0; i < rows; ++i) {
    input.push_back({.op = consensus::RowOpKind::kInsert,
                     .columns = {{"id", consensus::Value::Int(static_cast<int64_t>(n) * 1000 + i)},
                                 {"name", consensus::Value::Text("user")},
                                 {"age", consensus::Value::Int(30)}}});
  }
  auto batch = PrepareBatch(testing::RegtestParams(), "users", input, testing::Batch(n));
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return std::make_shared<const PreparedBatch>(std::move(*batch));
}

TEST(PendingCache, HoldsABatchUntilItLeavesThePool) {
  PendingCache cache(1 << 20);
  auto batch = Users(1, 10);
  cache.Put(batch);
  EXPECT_EQ(cache.Find(testing::Batch(1)), batch);
  EXPECT_EQ(cache.Find(testing::Batch(2)), nullptr);
  EXPECT_EQ(cache.batches(), 1u);
  EXPECT_EQ(cache.bytes(), PendingCache::Footprint(*batch));
  cache.Erase(testing::Batch(1));
  EXPECT_EQ(cache.Find(testing::Batch(1)), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
  cache.Erase(testing::Batch(1));  // twice is harmless
  EXPECT_EQ(cache.batches(), 0u);
}

TEST(PendingCache, AFootprintCountsRowsKeysAndLeaves) {
  auto small = Users(1, 1), large = Users(2, 100);
  EXPECT_GT(PendingCache::Footprint(*small), small->leaf_bytes);
  EXPECT_GT(PendingCache::Footprint(*large), 50 * PendingCache::Footprint(*small));
}

TEST(PendingCache, PastItsBoundABatchIsNotHeld) {
  auto first = Users(1, 100), second = Users(2, 100);
  PendingCache cache(PendingCache::Footprint(*first) + PendingCache::Footprint(*second) / 2);
  cache.Put(first);
  cache.Put(second);
  EXPECT_NE(cache.Find(testing::Batch(1)), nullptr);
  EXPECT_EQ(cache.Find(testing::Batch(2)), nullptr);  // read from MySQL instead
  cache.Erase(testing::Batch(1));
  cache.Put(second);
  EXPECT_NE(cache.Find(testing::Batch(2)), nullptr);
}

TEST(PendingCache, ASecondPutOfTheSameIdCountsOnce) {
  PendingCache cache(1 << 20);
  auto batch = Users(1, 10);
  cache.Put(batch);
  cache.Put(batch);
  EXPECT_EQ(cache.batches(), 1u);
  EXPECT_EQ(cache.bytes(), PendingCache::Footprint(*batch));
}

}  // namespace
}  // namespace rowchain::node
