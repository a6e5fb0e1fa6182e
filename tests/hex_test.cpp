#include "util/hex.h"

#include <gtest/gtest.h>

namespace rowchain {
namespace {

TEST(HexTest, RoundTripsBothCases) {
  StatusOr<std::vector<uint8_t>> bytes = HexDecode("00fFa5");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, (std::vector<uint8_t>{0x00, 0xff, 0xa5}));
  EXPECT_EQ(HexEncode(*bytes), "00ffa5");
}

TEST(HexTest, RejectsOddLengthAndBadDigitsWithPosition) {
  EXPECT_EQ(HexDecode("abc").status().code(), StatusCode::kInvalidArgument);
  Status bad = HexDecode("00zz").status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("position 2"), std::string::npos) << bad.message();
}

}  // namespace
}  // namespace rowchain
