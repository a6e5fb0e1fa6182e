// ChainTail gives, header by header, the context MakeParentContext gives on the whole chain.
#include "consensus/chain_tail.h"

#include <gtest/gtest.h>

#include <vector>

#include "test_chain.h"

namespace rowchain::consensus {
namespace {

std::vector<BlockHeader> ChainOf(size_t length) {
  std::vector<BlockHeader> chain(length);
  for (size_t i = 0; i < length; ++i) {
    chain[i].time = 1000 + static_cast<uint32_t>((i * 7919) % 97);  // out of order, like miners' clocks
    chain[i].bits = 0x207fffff - static_cast<uint32_t>(i);
    if (i > 0) chain[i].prev_hash = chain[i - 1].Hash();
  }
  return chain;
}

void ExpectSameContext(const ParentContext& a, const ParentContext& b, uint64_t height) {
  EXPECT_EQ(a.hash, b.hash) << "at " << height;
  EXPECT_EQ(a.height, b.height) << "at " << height;
  EXPECT_EQ(a.bits, b.bits) << "at " << height;
  EXPECT_EQ(a.time, b.time) << "at " << height;
  EXPECT_EQ(a.recent_times, b.recent_times) << "at " << height;
  EXPECT_EQ(a.retarget_anchor_time, b.retarget_anchor_time) << "at " << height;
}

TEST(ChainTail, GivesTheContextOfTheWholeChainAtEveryHeight) {
  ChainParams params = testing::RegtestParams();
  params.retarget_interval = 5;  // several retargets inside the median window and past it
  const std::vector<BlockHeader> chain = ChainOf(40);
  auto whole = [&](uint64_t height) -> const BlockHeader& { return chain.at(height); };
  for (uint64_t start : {0u, 3u, 17u}) {
    ChainTail tail = ChainTail::Of(chain[start].Hash(), start, params, whole);
    for (uint64_t height = start;; ++height) {
      ExpectSameContext(tail.Context(params), MakeParentContext(chain[height].Hash(), height, params, whole), height);
      if (height + 1 == chain.size()) break;
      tail.Append(chain[height + 1]);
      EXPECT_EQ(tail.hash(), chain[height + 1].Hash());
    }
  }
}

TEST(ChainTail, KeepsTheLongerOfTheMedianWindowAndTheRetargetInterval) {
  ChainParams params = testing::RegtestParams();
  params.retarget_interval = 30;
  const std::vector<BlockHeader> chain = ChainOf(80);
  auto whole = [&](uint64_t height) -> const BlockHeader& { return chain.at(height); };
  ChainTail tail = ChainTail::Of(chain[0].Hash(), 0, params, whole);
  for (uint64_t height = 1; height < chain.size(); ++height) tail.Append(chain[height]);
  // 79 + 1 = 80 is a retarget height: its anchor is 30 blocks back, past the median window.
  ExpectSameContext(tail.Context(params), MakeParentContext(chain[79].Hash(), 79, params, whole), 79);
}

}  // namespace
}  // namespace rowchain::consensus
