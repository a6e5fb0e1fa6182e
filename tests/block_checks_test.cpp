// One test per reason code of consensus/block_checks.h.
#include "consensus/block_checks.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "consensus/compact.h"
#include "consensus/pow.h"
#include "test_chain.h"

namespace rowchain::consensus {
namespace {

using testing::Batch;
using testing::RegtestParams;
using testing::UserDelete;
using testing::UserInsert;
using testing::UserUpdate;

// A block at `height` with these rows and a matching Merkle root (no proof of work).
Block Unmined(uint64_t height, const std::vector<RowOperation>& rows) {
  Block block;
  block.leaves.push_back(EncodeBlockInfoLeaf({.height = height, .miner_id = "t", .extra_nonce = 0}));
  for (const auto& row : rows) block.leaves.push_back(EncodeRowOperationLeaf(row));
  block.header.bits = 0x207fffff;
  block.header.merkle_root = BodyMerkleRoot(block.leaves);
  return block;
}

std::string_view BodyReason(const std::vector<RowOperation>& rows, const ChainParams& params = RegtestParams()) {
  static Verdict last;  // keeps the reason's storage (a literal) alive past the call
  last = CheckBlockBody(Unmined(1, rows), params, 1);
  return last.reason();
}

class HeaderChecks : public ::testing::Test {
 protected:
  ChainParams params = RegtestParams();
  ParentContext parent;
  BlockHeader header;
  void SetUp() override {
    parent.hash[0] = 0x11;
    parent.height = 10;
    parent.bits = 0x207fffff;
    parent.time = 1000;
    parent.recent_times = {1000, 999, 998, 997, 996, 995, 994, 993, 992, 991, 990};  // median 995
    header.prev_hash = parent.hash;
    header.bits = 0x207fffff;
    header.time = 1001;
  }
};

TEST_F(HeaderChecks, AValidHeaderPasses) {
  EXPECT_TRUE(ContextualCheckBlockHeader(header, parent, params, 2000).ok());
}

TEST_F(HeaderChecks, HighHash) {
  header.bits = 0x1f00ffff;  // 1 in 2^16 hashes meets it
  for (header.nonce = 0; HashMeetsTarget(header.Hash(), DecodeCompact(header.bits).target);) ++header.nonce;
  EXPECT_EQ(CheckBlockHeader(header, params).reason(), "high-hash");
}

TEST_F(HeaderChecks, BadDiffbits) {
  header.bits = 0x2100ffff;  // easier than the chain's limit
  EXPECT_EQ(CheckBlockHeader(header, params).reason(), "bad-diffbits");
  header.bits = 0x1f00ffff;  // usable, but not what the rule requires after the parent
  EXPECT_EQ(ContextualCheckBlockHeader(header, parent, params, 2000).reason(), "bad-diffbits");
}

TEST_F(HeaderChecks, BadPrevblk) {
  header.prev_hash[0] = 0x22;
  EXPECT_EQ(ContextualCheckBlockHeader(header, parent, params, 2000).reason(), "bad-prevblk");
}

TEST_F(HeaderChecks, TimeTooOld) {
  header.time = 995;  // equal to the median time past
  EXPECT_EQ(ContextualCheckBlockHeader(header, parent, params, 2000).reason(), "time-too-old");
  header.time = 996;
  EXPECT_TRUE(ContextualCheckBlockHeader(header, parent, params, 2000).ok());
}

TEST_F(HeaderChecks, TimeTooNew) {
  header.time = 2000 + params.max_future_drift_s + 1;
  EXPECT_EQ(ContextualCheckBlockHeader(header, parent, params, 2000).reason(), "time-too-new");
  header.time = 2000 + params.max_future_drift_s;
  EXPECT_TRUE(ContextualCheckBlockHeader(header, parent, params, 2000).ok());
}

TEST(BodyChecks, AValidBodyPasses) {
  EXPECT_TRUE(CheckBlockBody(Unmined(1, {UserInsert(Batch(1), 0, 1, "a", 1), UserInsert(Batch(1), 1, 2, "b", 2)}),
                             RegtestParams(), 1)
                  .ok());
  EXPECT_TRUE(CheckBlockBody(Unmined(1, {}), RegtestParams(), 1).ok());  // empty blocks are valid
}

TEST(BodyChecks, BadMerkle) {
  Block block = Unmined(1, {UserInsert(Batch(1), 0, 1, "a", 1)});
  block.leaves[1].back() ^= 1;
  EXPECT_EQ(CheckBlockBody(block, RegtestParams(), 1).reason(), "bad-merkle");
}

TEST(BodyChecks, LargeBodiesGetTheSameVerdicts) {
  // From kParallelMerkleMinLeaves leaves on, the root is hashed on a second thread: the verdicts
  // and their order (bad-merkle before anything in the rows) must not change.
  std::vector<RowOperation> rows;
  for (uint32_t i = 0; i < kParallelMerkleMinLeaves + 10; ++i) rows.push_back(UserInsert(Batch(1), i, i + 1, "u", 1));
  Block good = Unmined(1, rows);
  DecodedBody decoded;
  EXPECT_TRUE(CheckBlockBody(good, RegtestParams(), 1, &decoded).ok());
  EXPECT_EQ(decoded.rows.size(), rows.size());

  Block bad_root = good;
  bad_root.header.merkle_root[0] ^= 1;
  EXPECT_EQ(CheckBlockBody(bad_root, RegtestParams(), 1).reason(), "bad-merkle");

  std::vector<RowOperation> twice = rows;
  twice.back().values[0] = Value::Int(1);  // the key of row 0 again
  Block bad_row = Unmined(1, twice);
  EXPECT_EQ(CheckBlockBody(bad_row, RegtestParams(), 1).reason(), "bad-row");
  bad_row.header.merkle_root = good.header.merkle_root;  // and a root of other leaves
  EXPECT_EQ(CheckBlockBody(bad_row, RegtestParams(), 1).reason(), "bad-merkle");
}

TEST(BodyChecks, ARepeatedKeyIsNamedAtItsFirstRepeatInLeafOrder) {
  // Keys 1, 2, 3, 2, 1: the row at leaf 4 is the first to write a key again.
  std::vector<RowOperation> rows;
  uint32_t index = 0;
  for (int64_t id : {1, 2, 3, 2, 1}) rows.push_back(UserInsert(Batch(1), index++, id, "u", 1));
  Verdict v = CheckBlockBody(Unmined(1, rows), RegtestParams(), 1);
  EXPECT_EQ(v.reason(), "bad-row");
  EXPECT_TRUE(v.detail().starts_with("leaf 4: table 'users', key ")) << v.detail();
  EXPECT_NE(v.detail().find("written twice"), std::string::npos) << v.detail();
}

TEST(BodyChecks, AKeyIsTheSameWhicheverOpWritesItAndOnlyTheSameValueRepeatsIt) {
  // An INSERT carries the whole row and a DELETE only the key: the same key either way.
  Verdict v = CheckBlockBody(Unmined(1, {UserInsert(Batch(1), 0, 7, "u", 1), UserDelete(Batch(2), 0, 7)}),
                             RegtestParams(), 1);
  EXPECT_EQ(v.reason(), "bad-row");
  EXPECT_TRUE(v.detail().starts_with("leaf 2: ")) << v.detail();
  // Many keys, none repeated (neighbours, negatives, the extremes): valid.
  std::vector<RowOperation> rows;
  uint32_t index = 0;
  for (int64_t id = -600; id < 600; ++id) rows.push_back(UserInsert(Batch(3), index++, id, "u", 1));
  for (int64_t id : {INT64_MIN, INT64_MAX}) rows.push_back(UserInsert(Batch(3), index++, id, "u", 1));
  EXPECT_TRUE(CheckBlockBody(Unmined(1, rows), RegtestParams(), 1).ok());
  // The same rows with one key written again far from the first: named at the repeat.
  rows.push_back(UserUpdate(Batch(4), 0, -3, "v", 2));
  v = CheckBlockBody(Unmined(1, rows), RegtestParams(), 1);
  EXPECT_EQ(v.reason(), "bad-row");
  EXPECT_TRUE(v.detail().starts_with(fmt::format("leaf {}: ", rows.size()))) << v.detail();
}

TEST(BodyChecks, BadHeight) {
  EXPECT_EQ(CheckBlockBody(Unmined(2, {}), RegtestParams(), 1).reason(), "bad-height");
}

TEST(BodyChecks, BadLeaf) {
  Block block = Unmined(1, {});
  block.leaves.push_back({0x01, 0x01, 0x00});  // a truncated row leaf
  block.header.merkle_root = BodyMerkleRoot(block.leaves);
  EXPECT_EQ(CheckBlockBody(block, RegtestParams(), 1).reason(), "bad-leaf");
  Block no_info = Unmined(1, {UserInsert(Batch(1), 0, 1, "a", 1)});
  no_info.leaves.erase(no_info.leaves.begin());
  no_info.header.merkle_root = BodyMerkleRoot(no_info.leaves);
  EXPECT_EQ(CheckBlockBody(no_info, RegtestParams(), 1).reason(), "bad-leaf");
}

TEST(BodyChecks, SizeLimits) {
  ChainParams params = RegtestParams();
  params.max_block_rows = 1;
  std::vector<RowOperation> two = {UserInsert(Batch(1), 0, 1, "a", 1), UserInsert(Batch(1), 1, 2, "b", 2)};
  EXPECT_EQ(BodyReason(two, params), "bad-blk-rows");
  params = RegtestParams();
  params.max_block_bytes = 1024;
  EXPECT_EQ(BodyReason({UserInsert(Batch(1), 0, 1, std::string(1000, 'x'), 1)}, params), "bad-blk-length");
}

TEST(BodyChecks, BadRowAgainstTheSchema) {
  auto unknown_table = UserInsert(Batch(1), 0, 1, "a", 1);
  unknown_table.table = "accounts";
  EXPECT_EQ(BodyReason({unknown_table}), "bad-row");
  auto wrong_type = UserInsert(Batch(1), 0, 1, "a", 1);
  wrong_type.values[2] = Value::Text("old");
  EXPECT_EQ(BodyReason({wrong_type}), "bad-row");
  auto null_name = UserInsert(Batch(1), 0, 1, "a", 1);
  null_name.values[1] = Value::Null();
  EXPECT_EQ(BodyReason({null_name}), "bad-row");
  auto extra_column = UserInsert(Batch(1), 0, 1, "a", 1);
  extra_column.values.push_back(Value::Int(1));
  EXPECT_EQ(BodyReason({extra_column}), "bad-row");
  auto no_key = UserDelete(Batch(1), 0, 1);
  no_key.values.clear();
  EXPECT_EQ(BodyReason({no_key}), "bad-row");
  EXPECT_EQ(BodyReason({UserInsert(Batch(1), 0, 1, "a", 1), UserUpdate(Batch(1), 1, 1, "b", 2)}), "bad-row");
}

TEST(BodyChecks, BadBatch) {
  EXPECT_EQ(BodyReason({UserInsert(Batch(1), 1, 1, "a", 1)}), "bad-batch");  // does not start at 0
  EXPECT_EQ(BodyReason({UserInsert(Batch(1), 0, 1, "a", 1), UserInsert(Batch(1), 2, 2, "b", 1)}), "bad-batch");
  EXPECT_EQ(BodyReason({UserInsert(Batch(1), 0, 1, "a", 1), UserInsert(Batch(2), 0, 2, "b", 1),
                        UserInsert(Batch(1), 0, 3, "c", 1)}),
            "bad-batch");  // batch 1 twice
}

TEST(StateChecks, RowsAgainstTheLedger) {
  ChainParams params = RegtestParams();
  const TableSchema& users = *params.schema.FindTable("users");
  LedgerStateView state;
  state.existing_keys.insert(RowKey("users", std::vector<Value>{Value::Int(1)}));
  auto check = [&](std::vector<RowOperation> rows) {
    DecodedBody body{.info = {}, .rows = std::move(rows)};
    return CheckBlockAgainstState(body, params, state);
  };
  EXPECT_TRUE(check({UserUpdate(Batch(1), 0, 1, "b", 2), UserInsert(Batch(1), 1, 2, "c", 3)}).ok());
  EXPECT_EQ(check({UserInsert(Batch(1), 0, 1, "a", 1)}).reason(), "bad-row");
  EXPECT_EQ(check({UserUpdate(Batch(1), 0, 5, "a", 1)}).reason(), "bad-row");
  Verdict missing_delete = check({UserDelete(Batch(1), 0, 5)});
  EXPECT_EQ(missing_delete.reason(), "bad-row");
  EXPECT_NE(missing_delete.detail().find("id=5"), std::string::npos);
  state.sealed_batches.insert(Batch(9));
  EXPECT_EQ(check({UserInsert(Batch(9), 0, 3, "a", 1)}).reason(), "bad-batch");
  (void)users;
}

}  // namespace
}  // namespace rowchain::consensus
