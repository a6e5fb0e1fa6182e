#include "peer/download_book.h"

#include <gtest/gtest.h>

namespace rowchain::peer {
namespace {

consensus::Hash256 HashOf(uint8_t n) {
  consensus::Hash256 h{};
  h[0] = n;
  return h;
}

consensus::Block BlockOn(uint8_t parent, uint32_t nonce) {
  consensus::Block block;
  block.header.prev_hash = HashOf(parent);
  block.header.nonce = nonce;
  return block;
}

TEST(DownloadBookTest, OneLinkAtATimeFetchesABlockUntilItsClaimLapses) {
  ManualClock clock;
  DownloadBook book(std::chrono::seconds(10), 1 << 20, clock.AsClock());
  EXPECT_TRUE(book.TryClaim(HashOf(1), 1));
  EXPECT_FALSE(book.TryClaim(HashOf(1), 2));
  EXPECT_FALSE(book.TryClaim(HashOf(1), 1));  // not twice by the same link either
  EXPECT_TRUE(book.Expected(HashOf(1)));
  clock.Advance(std::chrono::seconds(11));
  EXPECT_FALSE(book.Expected(HashOf(1)));
  EXPECT_TRUE(book.TryClaim(HashOf(1), 2));
}

TEST(DownloadBookTest, OnlyTheClaimingLinkReleasesAndReleaseAllFreesALinksClaims) {
  DownloadBook book;
  ASSERT_TRUE(book.TryClaim(HashOf(1), 1));
  ASSERT_TRUE(book.TryClaim(HashOf(2), 1));
  book.Release(HashOf(1), 2);
  EXPECT_TRUE(book.Expected(HashOf(1)));
  book.Release(HashOf(1), 1);
  EXPECT_FALSE(book.Expected(HashOf(1)));
  book.ReleaseAll(1);
  EXPECT_TRUE(book.TryClaim(HashOf(2), 3));
  book.Forget(HashOf(2));
  EXPECT_FALSE(book.Expected(HashOf(2)));
}

TEST(DownloadBookTest, ParkedBlocksWaitForTheirParentAndTheOldestGoesPastTheBoundInBytes) {
  consensus::Block first = BlockOn(7, 1), second = BlockOn(7, 2), third = BlockOn(8, 3);
  const uint64_t one = consensus::kBlockHeaderSize + consensus::BodySize(first.leaves);
  DownloadBook book(std::chrono::seconds(10), 2 * one);
  book.Park(first);
  book.Park(second);
  EXPECT_TRUE(book.Expected(first.Hash()));
  EXPECT_FALSE(book.TryClaim(first.Hash(), 1));  // parked: nobody needs to ask for it
  book.Park(third);                              // past the bound: `first` is dropped
  EXPECT_FALSE(book.Expected(first.Hash()));
  std::vector<consensus::Block> children = book.TakeChildren(HashOf(7));
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].Hash(), second.Hash());
  EXPECT_TRUE(book.TakeChildren(HashOf(7)).empty());
  EXPECT_EQ(book.TakeChildren(HashOf(8)).size(), 1u);
  consensus::Block huge = BlockOn(9, 4);
  huge.leaves.assign(1, consensus::Leaf(3 * one, 0));  // larger than the whole bound: not kept
  book.Park(huge);
  EXPECT_FALSE(book.Expected(huge.Hash()));
}

}  // namespace
}  // namespace rowchain::peer
