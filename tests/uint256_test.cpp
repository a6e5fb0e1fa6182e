#include "consensus/uint256.h"

#include <gtest/gtest.h>

namespace rowchain::consensus {
namespace {

U256 Hex(std::string_view h) {
  std::optional<U256> v = U256::FromHex(h);
  EXPECT_TRUE(v.has_value()) << h;
  return v.value_or(U256());
}

TEST(U256Test, ArithmeticCarriesAcrossLimbs) {
  U256 a = Hex("ffffffffffffffff");
  EXPECT_EQ((a + U256(1)).ToHex(), std::string(47, '0') + "10000000000000000");
  EXPECT_EQ((U256(0) - U256(1)), ~U256(0));
  EXPECT_EQ((U256(1) << 255) >> 255, U256(1));
  EXPECT_EQ((U256(1) << 256), U256(0));
  EXPECT_EQ(Hex("123456789abcdef0").Bits(), 61u);
  EXPECT_EQ(U256().Bits(), 0u);
}

TEST(U256Test, DivisionMatchesKnownQuotients) {
  EXPECT_EQ(Hex("fffffffffffffffffffffffffffff") / Hex("ffff"), Hex("10001000100010001000100010"));
  EXPECT_EQ(U256(100) / U256(7), U256(14));
  EXPECT_EQ(U256(5) / U256(0), U256(0));
  EXPECT_EQ(U256(5) / U256(9), U256(0));
}

TEST(U256Test, OrderingAndByteRoundTrip) {
  EXPECT_LT(U256(1), U256(1) << 200);
  EXPECT_GT(~U256(0), U256(1) << 255);
  std::array<uint8_t, 32> bytes{};
  bytes[31] = 0x80;
  bytes[0] = 0x01;
  U256 v = U256::FromLittleEndianBytes(bytes);
  EXPECT_EQ(v, (U256(1) << 255) + U256(1));
  EXPECT_EQ(v.ToLittleEndianBytes(), bytes);
  EXPECT_FALSE(U256::FromHex("xyz").has_value());
  EXPECT_FALSE(U256::FromHex("").has_value());
}

}  // namespace
}  // namespace rowchain::consensus
