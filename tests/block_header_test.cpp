#include "consensus/block_header.h"

#include <gtest/gtest.h>

#include "test_vectors.h"
#include "util/hex.h"

namespace rowchain::consensus {
namespace {

TEST(BlockHeaderTest, BitcoinVectorsHashAndRoundTrip) {
  for (const auto& v : testing::LoadBitcoinHeaderVectors()) {
    EXPECT_EQ(v.header.nonce, v.nonce) << v.name;
    EXPECT_EQ(ToDisplayHex(v.header.Hash()), v.hash_display_hex) << v.name;
    EXPECT_EQ(HexEncode(v.header.Serialize()), v.header_hex) << v.name;
  }
}

TEST(BlockHeaderTest, FieldsSitAtBitcoinOffsetsLittleEndian) {
  BlockHeader h;
  h.version = 0x01020304;
  h.prev_hash.fill(0xaa);
  h.merkle_root.fill(0xbb);
  h.time = 0x11223344;
  h.bits = 0x1d00ffff;
  h.nonce = 0xdeadbeef;
  HeaderBytes b = h.Serialize();
  EXPECT_EQ(b[0], 0x04);
  EXPECT_EQ(b[4], 0xaa);
  EXPECT_EQ(b[35], 0xaa);
  EXPECT_EQ(b[36], 0xbb);
  EXPECT_EQ(b[68], 0x44);
  EXPECT_EQ(b[72], 0xff);
  EXPECT_EQ(b[75], 0x1d);
  EXPECT_EQ(b[76], 0xef);
  EXPECT_EQ(b[79], 0xde);
  EXPECT_EQ(ParseBlockHeader(b), h);
}

TEST(BlockHeaderTest, MalformedHexIsInvalidArgument) {
  EXPECT_EQ(ParseBlockHeaderHex("00").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBlockHeaderHex(std::string(160, 'g')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBlockHeaderHex(std::string(162, '0')).status().code(), StatusCode::kInvalidArgument);
}

TEST(HashTest, DisplayHexIsReversedInternal) {
  StatusOr<Hash256> h = FromDisplayHex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[0], 0x6f);
  EXPECT_EQ((*h)[31], 0x00);
  EXPECT_EQ(ToInternalHex(*h).substr(0, 4), "6fe2");
  EXPECT_FALSE(FromDisplayHex("00").ok());
}

}  // namespace
}  // namespace rowchain::consensus
