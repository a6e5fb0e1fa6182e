// util/key_filter: no key that was added is ever missed, across layers and threads; keys never
// added are mostly answered "no"; past its byte budget it answers "maybe" for everything.
#include "util/key_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace rowchain {
namespace {

std::string Key(int i) { return "users\x01" + std::to_string(i); }

TEST(KeyFilterTest, EveryAddedKeyIsHeldAcrossLayers) {
  KeyFilter filter(KeyFilterOptions{.first_capacity = 1000});
  for (int i = 0; i < 50'000; ++i) filter.Add(Key(i));
  EXPECT_GE(filter.layers(), 5u);  // 1k, 2k, 4k, 8k, 16k, 32k
  for (int i = 0; i < 50'000; ++i) ASSERT_TRUE(filter.MayContain(Key(i))) << i;
  EXPECT_FALSE(filter.saturated());
}

TEST(KeyFilterTest, KeysNeverAddedAreMostlyAnsweredNo) {
  KeyFilter filter(KeyFilterOptions{.first_capacity = 1000, .false_positive_rate = 0.005});
  for (int i = 0; i < 50'000; ++i) filter.Add(Key(i));
  int false_positives = 0;
  for (int i = 50'000; i < 150'000; ++i) false_positives += filter.MayContain(Key(i)) ? 1 : 0;
  // The layers' rates sum to below twice the first layer's: 1%. Allow for chance.
  EXPECT_LT(false_positives, 1500) << "of 100000";
  EXPECT_FALSE(KeyFilter().MayContain(Key(1)));
}

TEST(KeyFilterTest, PastItsBudgetItAnswersMaybeForEverything) {
  KeyFilter filter(KeyFilterOptions{.first_capacity = 1000, .max_bytes = 8 << 10});
  for (int i = 0; i < 20'000; ++i) filter.Add(Key(i));
  EXPECT_TRUE(filter.saturated());
  EXPECT_LE(filter.bytes(), 8u << 10);
  for (int i = 0; i < 20'000; ++i) ASSERT_TRUE(filter.MayContain(Key(i)));
  EXPECT_TRUE(filter.MayContain("never added"));
}

TEST(KeyFilterTest, ConcurrentAddsAreAllHeld) {
  KeyFilter filter(KeyFilterOptions{.first_capacity = 256});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20'000; ++i) {
        filter.Add(Key(t * 1'000'000 + i));
        // A key just added is seen by its own thread at once, whatever others are adding.
        if (!filter.MayContain(Key(t * 1'000'000 + i))) ADD_FAILURE() << "missed " << i;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 20'000; ++i) ASSERT_TRUE(filter.MayContain(Key(t * 1'000'000 + i)));
  }
}

}  // namespace
}  // namespace rowchain
