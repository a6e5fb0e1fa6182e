#include "store/packed_leaves.h"

#include <limits>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "consensus/block_info_leaf.h"
#include "consensus/row_operation.h"

namespace rowchain::store {
namespace {

using consensus::Leaf;
using consensus::RowOpKind;
using consensus::Value;

consensus::BatchId Batch(uint8_t n) {
  consensus::BatchId id{};
  id[0] = n;
  id[15] = 0x5a;
  return id;
}

Leaf Row(uint8_t batch, uint32_t index, RowOpKind op, std::string table, std::vector<Value> values) {
  return consensus::EncodeRowOperationLeaf(
      {.batch_id = Batch(batch), .row_index = index, .op = op, .table = std::move(table), .values = std::move(values)});
}

Leaf User(uint8_t batch, uint32_t index, int64_t id) {
  return Row(batch, index, RowOpKind::kInsert, "users",
             {Value::Int(id), Value::Text(fmt::format("user-{:08d}", id)), Value::Int(20 + id % 60)});
}

// Leaves of every shape a body, a batch or an undo image holds, and some no valid block holds.
std::vector<Leaf> MixedLeaves() {
  std::vector<Leaf> leaves = {consensus::EncodeBlockInfoLeaf({.height = 9, .miner_id = "m", .extra_nonce = 3})};
  for (uint32_t i = 0; i < 5; ++i) leaves.push_back(User(1, i, 1000 + i));
  leaves.push_back(User(1, 7, 5));  // a gap in the row indexes
  leaves.push_back(Row(1, 8, RowOpKind::kUpdate, "users",
                       {Value::Int(std::numeric_limits<int64_t>::min()), Value::Text(""), Value::Int(-1)}));
  leaves.push_back(Row(1, 9, RowOpKind::kDelete, "users", {Value::Int(std::numeric_limits<int64_t>::max())}));
  leaves.push_back(Row(2, 0, RowOpKind::kInsert, "blobs",  // another batch and table
                       {Value::Null(), Value::Bytes(std::string("\x00\xff\x00", 3)), Value::Text("é")}));
  leaves.push_back(Row(2, std::numeric_limits<uint32_t>::max(), RowOpKind::kInsert, "t", {}));
  leaves.push_back(Row(2, 0, RowOpKind::kInsert, "t", {Value::Int(0)}));  // index wraps: not one run
  leaves.push_back({});                                                  // an empty leaf
  leaves.push_back({0x01, 0x01, 0x02});                                   // a truncated row leaf
  Leaf unknown_op = User(3, 0, 1);
  unknown_op[22] = 0x7f;  // op byte: packing keeps it, consensus rejects it later
  leaves.push_back(unknown_op);
  Leaf bad_tag = User(3, 1, 2);
  bad_tag[bad_tag.size() - 9] = 0x09;  // last value's tag: not a row leaf the packer can split
  leaves.push_back(bad_tag);
  return leaves;
}

std::vector<Leaf> ThousandUsers() {
  std::vector<Leaf> leaves = {consensus::EncodeBlockInfoLeaf({.height = 1, .miner_id = "bench", .extra_nonce = 0})};
  for (uint32_t i = 0; i < 1000; ++i) leaves.push_back(User(static_cast<uint8_t>(i / 100), i % 100, 1 + i));
  return leaves;
}

TEST(PackedLeavesTest, GivesBackEveryLeafByteForByte) {
  const std::vector<Leaf> leaves = MixedLeaves();
  auto back = UnpackLeaves(PackLeaves(leaves));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, leaves);
  auto none = UnpackLeaves(PackLeaves({}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(PackedLeavesTest, ReadsThePlainFramingToo) {
  const std::vector<Leaf> leaves = MixedLeaves();
  auto back = UnpackLeaves(consensus::EncodeBlockBody(leaves));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, leaves);
}

TEST(PackedLeavesTest, IsMuchSmallerForRowsOfOneBatch) {
  const std::vector<Leaf> leaves = ThousandUsers();
  const size_t plain = consensus::EncodeBlockBody(leaves).size(), packed = PackLeaves(leaves).size();
  // 71 bytes a row plain (docs/format.md); packed, a row is its op, value count and values.
  EXPECT_LT(packed * 3, plain) << plain << " vs " << packed;
  auto back = UnpackLeaves(PackLeaves(leaves));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, leaves);
}

// The version byte after the four-byte marker (docs/format.md).
uint8_t VersionOf(const std::vector<uint8_t>& packed) { return packed.at(4); }

TEST(PackedLeavesTest, CompressesALargeListAndKeepsASmallOneAsItIs) {
  const std::vector<Leaf> large = ThousandUsers();
  const std::vector<uint8_t> packed = PackLeaves(large);
  EXPECT_EQ(VersionOf(packed), 2);
  // The names and small integers repeat from row to row: zstd takes away most of what packing
  // leaves (22 bytes a row before it).
  EXPECT_LT(packed.size(), 8 * large.size()) << packed.size();
  auto back = UnpackLeaves(packed);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, large);

  const std::vector<Leaf> small = {User(1, 0, 1), User(1, 1, 2)};
  EXPECT_EQ(VersionOf(PackLeaves(small)), 1);
  // Random bytes do not compress: the packed form stays uncompressed.
  std::mt19937 rng(3);
  std::string noise(4000, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  const std::vector<Leaf> incompressible = {Row(1, 0, RowOpKind::kInsert, "blobs", {Value::Bytes(noise)})};
  const std::vector<uint8_t> noisy = PackLeaves(incompressible);
  EXPECT_EQ(VersionOf(noisy), 1);
  auto noise_back = UnpackLeaves(noisy);
  ASSERT_TRUE(noise_back.ok());
  EXPECT_EQ(*noise_back, incompressible);
}

TEST(PackedLeavesTest, RejectsADamagedOrOversizedFrame) {
  const std::vector<uint8_t> packed = PackLeaves(ThousandUsers());
  ASSERT_EQ(VersionOf(packed), 2);
  for (size_t cut : {size_t{5}, size_t{9}, packed.size() / 2, packed.size() - 1}) {
    auto back = UnpackLeaves(std::span(packed).first(cut));
    ASSERT_FALSE(back.ok()) << cut;
    EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument);
  }
  auto trailing = packed;
  trailing.push_back(0);
  EXPECT_FALSE(UnpackLeaves(trailing).ok());
  // A frame that claims more than any stored value can hold is refused before allocating it:
  // zstd's header for 1 TiB of content, then nothing.
  std::vector<uint8_t> huge = {0xff, 0xff, 0xff, 0xff, 0x02, 0x28, 0xb5, 0x2f, 0xfd, 0xe4};
  for (int i = 0; i < 8; ++i) huge.push_back(i == 5 ? 0x01 : 0x00);
  auto refused = UnpackLeaves(huge);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  // Uncompressed content behind the compressed version byte is not a frame.
  std::vector<uint8_t> mislabelled = PackLeaves(std::vector<Leaf>{User(1, 0, 1), User(1, 1, 2)});
  ASSERT_EQ(VersionOf(mislabelled), 1);
  mislabelled[4] = 0x02;
  EXPECT_FALSE(UnpackLeaves(mislabelled).ok());
}

TEST(PackedLeavesTest, RejectsEveryTruncation) {
  const std::vector<uint8_t> packed = PackLeaves(MixedLeaves());
  for (size_t cut = 4; cut < packed.size(); ++cut) {
    EXPECT_FALSE(UnpackLeaves(std::span(packed).first(cut)).ok()) << cut;
  }
  auto trailing = packed;
  trailing.push_back(0);
  EXPECT_FALSE(UnpackLeaves(trailing).ok());
}

TEST(PackedLeavesTest, SurvivesDamagedBytes) {
  // A damaged column must give an error or other leaves (which the Merkle root then catches),
  // never a crash or a huge allocation; the sanitizer build runs this too.
  for (const std::vector<uint8_t>& packed : {PackLeaves(MixedLeaves()), PackLeaves(ThousandUsers())}) {
  std::mt19937 rng(7);
  size_t errors = 0;
  for (int trial = 0; trial < 2500; ++trial) {
    std::vector<uint8_t> damaged = packed;
    const size_t at = 4 + rng() % (damaged.size() - 4);
    damaged[at] = static_cast<uint8_t>(rng());
    if (trial % 3 == 0) damaged[4 + rng() % (damaged.size() - 4)] = 0xff;
    auto back = UnpackLeaves(damaged);
    if (!back.ok()) {
      ++errors;
      EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_GT(errors, 0u);
  }
}

}  // namespace
}  // namespace rowchain::store
