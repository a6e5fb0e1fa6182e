// Compact "bits" with Bitcoin Core's rules (cases from its arith_uint256 tests).
#include "consensus/compact.h"

#include <gtest/gtest.h>

#include "consensus/pow.h"

namespace rowchain::consensus {
namespace {

struct Case {
  uint32_t bits;
  uint64_t value;  // decoded target when it fits in 64 bits
  bool negative;
  bool overflow;
  uint32_t reencoded;
};

TEST(CompactTest, DecodesLikeBitcoinCore) {
  const Case cases[] = {
      {0x00000000, 0, false, false, 0},
      {0x00123456, 0, false, false, 0},
      {0x01003456, 0, false, false, 0},
      {0x02000056, 0, false, false, 0},
      {0x03000000, 0, false, false, 0},
      {0x04000000, 0, false, false, 0},
      {0x00923456, 0, false, false, 0},
      {0x01803456, 0, false, false, 0},
      {0x02800056, 0, false, false, 0},
      {0x03800000, 0, false, false, 0},
      {0x04800000, 0, false, false, 0},
      {0x01123456, 0x12, false, false, 0x01120000},
      {0x02123456, 0x1234, false, false, 0x02123400},
      {0x03123456, 0x123456, false, false, 0x03123456},
      {0x04123456, 0x12345600, false, false, 0x04123456},
      {0x05009234, 0x92340000, false, false, 0x05009234},
  };
  for (const Case& c : cases) {
    CompactDecoding d = DecodeCompact(c.bits);
    EXPECT_EQ(d.target, U256(c.value)) << std::hex << c.bits;
    EXPECT_EQ(d.negative, c.negative) << std::hex << c.bits;
    EXPECT_EQ(d.overflow, c.overflow) << std::hex << c.bits;
    EXPECT_EQ(EncodeCompact(d.target), c.reencoded) << std::hex << c.bits;
  }
  // 0x01fedcba is negative (sign bit) and 0x20123456 fits exactly in 256 bits.
  EXPECT_TRUE(DecodeCompact(0x01fedcba).negative);
  EXPECT_TRUE(DecodeCompact(0x04923456).negative);
  CompactDecoding top = DecodeCompact(0x20123456);
  EXPECT_FALSE(top.overflow);
  EXPECT_EQ(top.target, U256(0x123456) << (8 * 29));
  EXPECT_EQ(EncodeCompact(top.target), 0x20123456u);
  EXPECT_TRUE(DecodeCompact(0xff123456).overflow);
  EXPECT_TRUE(DecodeCompact(0x21010000).overflow);
  EXPECT_FALSE(DecodeCompact(0x22000001).overflow);  // 0x01 << 248 still fits
}

TEST(CompactTest, DecodeTargetRejectsUnusableBitsWithReason) {
  const U256 bitcoin_limit = DecodeCompact(0x1d00ffff).target;
  U256 target;
  for (uint32_t bad : {0x00000000u, 0x04923456u, 0xff123456u, 0x1d01ffffu /* easier than limit */}) {
    Verdict v = DecodeTarget(bad, bitcoin_limit, &target);
    EXPECT_FALSE(v.ok()) << std::hex << bad;
    EXPECT_EQ(v.reason(), "bad-diffbits") << std::hex << bad;
  }
  EXPECT_TRUE(DecodeTarget(0x1d00ffff, bitcoin_limit, &target).ok());
  EXPECT_EQ(target, bitcoin_limit);
}

TEST(CompactTest, EncodingRoundTripsCanonicalBits) {
  for (uint32_t bits : {0x1d00ffffu, 0x1b0404cbu, 0x207fffffu, 0x1715a35cu, 0x03123456u}) {
    EXPECT_EQ(EncodeCompact(DecodeCompact(bits).target), bits) << std::hex << bits;
  }
}

}  // namespace
}  // namespace rowchain::consensus
