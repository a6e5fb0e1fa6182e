#include "util/ban_list.h"

#include <gtest/gtest.h>

namespace rowchain::peer {
namespace {

TEST(BanListTest, ABanCoversTheNodeIdAndTheAddressUntilItExpires) {
  ManualClock clock;
  BanList bans(std::chrono::seconds(600), clock.AsClock());
  EXPECT_FALSE(bans.IsBanned("node-a"));
  bans.Ban("node-a", "10.0.0.1");
  EXPECT_TRUE(bans.IsBanned("node-a"));
  EXPECT_TRUE(bans.IsBanned("10.0.0.1"));
  EXPECT_FALSE(bans.IsBanned("node-b"));
  clock.Advance(std::chrono::seconds(599));
  EXPECT_TRUE(bans.IsBanned("10.0.0.1"));
  clock.Advance(std::chrono::seconds(2));
  EXPECT_FALSE(bans.IsBanned("node-a"));
  EXPECT_FALSE(bans.IsBanned("10.0.0.1"));
}

TEST(BanListTest, EmptyKeysAreNeverBanned) {
  BanList bans;
  bans.Ban("", "");
  EXPECT_FALSE(bans.IsBanned(""));
}

}  // namespace
}  // namespace rowchain::peer
