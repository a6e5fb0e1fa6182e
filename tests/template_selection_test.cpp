// Which pending batches a block template takes: oldest first, whole batches, deferring key
// clashes within the template and rejecting rows that can never apply.
#include <gtest/gtest.h>

#include "consensus/row_operation.h"
#include "node/template_builder.h"
#include "node/template_selection.h"
#include "test_chain.h"

namespace rowchain::node {
namespace {

using testing::Batch;
using testing::UserDelete;
using testing::UserInsert;
using testing::UserUpdate;

std::string Key(int64_t id) {
  std::vector<consensus::Value> key = {consensus::Value::Int(id)};
  return consensus::RowKey("users", key);
}

PreparedBatch Candidate(uint64_t n, std::vector<consensus::RowOperation> rows) {
  std::vector<consensus::Leaf> leaves;
  for (auto& row : rows) {
    row.batch_id = Batch(n);
    leaves.push_back(consensus::EncodeRowOperationLeaf(row));
  }
  auto batch = PrepareStoredBatch(testing::RegtestParams().schema, Batch(n), "users", std::move(leaves));
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return std::move(*batch);
}

TemplateSelection Select(const std::vector<PreparedBatch>& candidates, const std::unordered_set<std::string>& existing,
                         const std::unordered_set<std::string>& in_flight = {}) {
  std::vector<const PreparedBatch*> views;
  for (const PreparedBatch& batch : candidates) views.push_back(&batch);
  return SelectBatches(views, testing::RegtestParams().schema, existing, in_flight);
}

TEST(TemplateSelection, TakesEveryBatchThatApplies) {
  std::vector<PreparedBatch> candidates = {
      Candidate(1, {UserInsert({}, 0, 1, "a", 1), UserInsert({}, 1, 2, "b", 2)}),
      Candidate(2, {UserUpdate({}, 0, 7, "g", 7)}),
      Candidate(3, {UserDelete({}, 0, 8)}),
  };
  TemplateSelection s = Select(candidates, {Key(7), Key(8)});
  EXPECT_EQ(s.chosen, (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(s.rejected.empty());
  EXPECT_TRUE(s.deferred.empty());
}

TEST(TemplateSelection, DefersABatchTouchingAKeyAnEarlierBatchTouches) {
  std::vector<PreparedBatch> candidates = {
      Candidate(1, {UserInsert({}, 0, 1, "a", 1)}),
      Candidate(2, {UserUpdate({}, 0, 1, "a2", 2)}),  // valid only after batch 1's block
      Candidate(3, {UserInsert({}, 0, 3, "c", 3)}),
  };
  TemplateSelection s = Select(candidates, {});
  EXPECT_EQ(s.chosen, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(s.deferred, (std::vector<size_t>{1}));
  EXPECT_TRUE(s.rejected.empty());
}

TEST(TemplateSelection, RejectsRowsThatCanNeverApply) {
  std::vector<PreparedBatch> candidates = {
      Candidate(1, {UserInsert({}, 0, 5, "e", 5)}),                            // key 5 exists
      Candidate(2, {UserInsert({}, 0, 6, "f", 6), UserUpdate({}, 1, 9, "i", 9)}),  // 9 missing
      Candidate(3, {UserDelete({}, 0, 10)}),                                   // 10 missing
      Candidate(4, {UserInsert({}, 0, 6, "f", 6)}),                            // fine: batch 2 left
  };
  TemplateSelection s = Select(candidates, {Key(5)});
  EXPECT_EQ(s.chosen, (std::vector<size_t>{3}));
  ASSERT_EQ(s.rejected.size(), 3u);
  EXPECT_EQ(s.rejected[0].first, 0u);
  EXPECT_NE(s.rejected[0].second.find("row 0: users id=5 already exists"), std::string::npos) << s.rejected[0].second;
  EXPECT_EQ(s.rejected[1].first, 1u);
  EXPECT_NE(s.rejected[1].second.find("row 1: UPDATE of missing users id=9"), std::string::npos) << s.rejected[1].second;
  EXPECT_NE(s.rejected[2].second.find("DELETE of missing users id=10"), std::string::npos) << s.rejected[2].second;
}

TEST(TemplateSelection, WaitsForTheKeysOfTheBlockBeingCommitted) {
  std::vector<PreparedBatch> candidates = {
      Candidate(1, {UserUpdate({}, 0, 4, "d", 4)}),  // key 4 is in the block still committing
      Candidate(2, {UserInsert({}, 0, 5, "e", 5)}),
  };
  TemplateSelection s = Select(candidates, {Key(4)}, {Key(4)});
  EXPECT_EQ(s.chosen, (std::vector<size_t>{1}));
  EXPECT_EQ(s.deferred, (std::vector<size_t>{0}));
  EXPECT_EQ(s.chosen_keys, (std::unordered_set<std::string>{Key(5)}));
}

TEST(TemplateSelection, RejectsABatchHoldingAKeyTwice) {
  // PrepareBatch refuses this at submission; a batch from a peer's block, returned by a reorg,
  // is only checked here.
  std::vector<PreparedBatch> candidates = {
      Candidate(1, {UserInsert({}, 0, 3, "c", 3), UserUpdate({}, 1, 3, "c2", 4)}),
  };
  TemplateSelection s = Select(candidates, {});
  ASSERT_EQ(s.rejected.size(), 1u);
  EXPECT_NE(s.rejected[0].second.find("row 1: key users id=3 occurs twice"), std::string::npos)
      << s.rejected[0].second;
  EXPECT_TRUE(s.chosen_keys.empty());
}


// The last step of a template, alone: the chosen batches' leaves in order on the next block's
// header fields, its time never before the parent's median time past.
TEST(AssembleTemplate, TakesTheChosenBatchesInOrderOnTheNextBlock) {
  Candidates candidates;
  candidates.batches.push_back(std::make_shared<const PreparedBatch>(Candidate(1, {UserInsert(Batch(1), 0, 1, "a", 1)})));
  candidates.batches.push_back(std::make_shared<const PreparedBatch>(
      Candidate(2, {UserInsert(Batch(2), 0, 2, "b", 2), UserInsert(Batch(2), 1, 3, "c", 3)})));
  candidates.batches.push_back(std::make_shared<const PreparedBatch>(Candidate(3, {UserInsert(Batch(3), 0, 4, "d", 4)})));
  TemplateSelection selection;
  selection.chosen = {2, 0};  // the third, then the first
  selection.chosen_keys = {Key(4), Key(1)};
  store::NextBlockContext next{.prev_hash = {}, .height = 7, .bits = 0x207fffff, .min_time = 1000};
  next.prev_hash[0] = 9;
  Template t = AssembleTemplate(next, candidates, selection, "miner-x", /*now=*/500);
  EXPECT_EQ(t.spec.height, 7u);
  EXPECT_EQ(t.spec.prev_hash, next.prev_hash);
  EXPECT_EQ(t.spec.bits, 0x207fffffu);
  EXPECT_EQ(t.spec.time, 1000u);  // the clock is behind: the median time past wins
  EXPECT_EQ(t.spec.miner_id, "miner-x");
  EXPECT_EQ(t.batches, (std::vector<consensus::BatchId>{Batch(3), Batch(1)}));
  ASSERT_EQ(t.spec.rows.size(), 2u);
  EXPECT_EQ(t.spec.rows[0], candidates.batches[2]->leaves[0]);
  EXPECT_EQ(t.spec.rows[1], candidates.batches[0]->leaves[0]);
  EXPECT_EQ(t.keys, (std::unordered_set<std::string>{Key(4), Key(1)}));
  EXPECT_EQ(AssembleTemplate(next, candidates, selection, "m", /*now=*/5000).spec.time, 5000u);
}

}  // namespace
}  // namespace rowchain::node
