#include "consensus/retarget.h"

#include <gtest/gtest.h>

#include "chain/chain_config.h"
#include "consensus/compact.h"

namespace rowchain::consensus {
namespace {

ChainParams Dev() { return *chain::LoadChain("dev"); }

TEST(RetargetTest, OnlyEveryIntervalAndNeverOnRegtest) {
  ChainParams dev = Dev();
  EXPECT_FALSE(RetargetAnchorHeight(dev, 19));
  EXPECT_EQ(RetargetAnchorHeight(dev, 20), 0u);
  EXPECT_EQ(RetargetAnchorHeight(dev, 40), 20u);
  EXPECT_EQ(NextWorkRequired(dev, 21, 0x1d400000, 1000, 0), 0x1d400000u);
  ChainParams regtest = *chain::LoadChain("regtest");
  EXPECT_FALSE(RetargetAnchorHeight(regtest, 20));
  EXPECT_EQ(NextWorkRequired(regtest, 20, 0x207fffff, 5, 0), 0x207fffffu);
}

TEST(RetargetTest, ScalesByTheMeasuredTimespan) {
  ChainParams dev = Dev();
  const uint32_t bits = 0x1d400000;  // target 2^230
  const U256 target = DecodeCompact(bits).target;
  // Exactly on schedule: unchanged.
  EXPECT_EQ(NextWorkRequired(dev, 20, bits, 40, 0), bits);
  // Twice as slow: the target doubles; half as slow: it halves.
  EXPECT_EQ(DecodeCompact(NextWorkRequired(dev, 20, bits, 80, 0)).target, target << 1);
  EXPECT_EQ(DecodeCompact(NextWorkRequired(dev, 20, bits, 20, 0)).target, target >> 1);
  // Clamped to x4 and /4.
  EXPECT_EQ(DecodeCompact(NextWorkRequired(dev, 20, bits, 100000, 0)).target, target << 2);
  EXPECT_EQ(DecodeCompact(NextWorkRequired(dev, 20, bits, 1, 0)).target, target >> 2);
  // Never easier than the limit.
  EXPECT_EQ(NextWorkRequired(dev, 20, 0x207fffff, 100000, 0), EncodeCompact(dev.PowLimit()));
}

TEST(RetargetTest, MedianTimePast) {
  std::vector<uint32_t> times = {5, 1, 9, 3, 7};
  EXPECT_EQ(MedianTimePast(times), 5u);
  EXPECT_EQ(MedianTimePast(std::vector<uint32_t>{4, 2}), 4u);
  EXPECT_EQ(MedianTimePast(std::vector<uint32_t>{}), 0u);
}

}  // namespace
}  // namespace rowchain::consensus
