#include "consensus/block_info_leaf.h"

#include <gtest/gtest.h>

#include "util/hex.h"

namespace rowchain::consensus {
namespace {

TEST(BlockInfoLeafTest, CanonicalBytesAreAsDocumented) {
  BlockInfoLeaf leaf{0x0102, "ab", 0x0a0b};
  EXPECT_EQ(HexEncode(EncodeBlockInfoLeaf(leaf)),
            "0001" "0201000000000000" "02" "6162" "0b0a000000000000");
}

TEST(BlockInfoLeafTest, RoundTrips) {
  BlockInfoLeaf leaf{123456789, std::string(kMaxMinerIdSize, 'm'), ~uint64_t{0}};
  StatusOr<BlockInfoLeaf> back = DecodeBlockInfoLeaf(EncodeBlockInfoLeaf(leaf));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, leaf);
}

TEST(BlockInfoLeafTest, RejectsEveryNonCanonicalForm) {
  std::vector<uint8_t> good = EncodeBlockInfoLeaf({7, "node-a", 9});
  auto mutate = [&](auto f) {
    std::vector<uint8_t> b = good;
    f(b);
    return DecodeBlockInfoLeaf(b).status().code();
  };
  EXPECT_EQ(mutate([](auto& b) { b[0] = 0x01; }), StatusCode::kInvalidArgument);   // kind
  EXPECT_EQ(mutate([](auto& b) { b[1] = 0x02; }), StatusCode::kInvalidArgument);   // version
  EXPECT_EQ(mutate([](auto& b) { b.push_back(0); }), StatusCode::kInvalidArgument);  // trailing
  EXPECT_EQ(mutate([](auto& b) { b.pop_back(); }), StatusCode::kInvalidArgument);    // short
  EXPECT_EQ(mutate([](auto& b) { b[10] = 65; }), StatusCode::kInvalidArgument);     // id too long
  EXPECT_EQ(DecodeBlockInfoLeaf({}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rowchain::consensus
