#include "mining/cpu_miner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "consensus/compact.h"
#include "consensus/pow.h"
#include "cancel_probe.h"
#include "test_vectors.h"

namespace rowchain::mining {
namespace {

using consensus::U256;

U256 TargetOf(uint32_t bits) { return consensus::DecodeCompact(bits).target; }

std::unique_ptr<Miner> Cpu(unsigned threads, const char* path = nullptr) {
  MinerOptions options;
  options.backend = "cpu";
  options.threads = threads;
  if (path) options.cpu_path = path;
  StatusOr<MinerChoice> choice = CreateMiner(options);
  EXPECT_TRUE(choice.ok()) << choice.status().ToString();
  return std::move(choice->miner);
}

TEST(CpuMinerTest, MinesEveryBitcoinVectorFromARangeContainingItsNonce) {
  auto miner = Cpu(2);
  for (const auto& v : testing::LoadBitcoinHeaderVectors()) {
    SearchRequest request{v.header, TargetOf(v.header.bits), v.nonce - 70000, 200000};
    StatusOr<SearchResult> r = miner->Search(request, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->nonce.has_value()) << v.name;
    EXPECT_EQ(*r->nonce, v.nonce) << v.name;
    EXPECT_EQ(consensus::ToDisplayHex(r->hash), v.hash_display_hex) << v.name;
    EXPECT_FALSE(r->cancelled);
  }
}

TEST(CpuMinerTest, RangeWithoutTheNonceIsNotFound) {
  auto miner = Cpu(2);
  for (const auto& v : testing::LoadBitcoinHeaderVectors()) {
    SearchRequest request{v.header, TargetOf(v.header.bits), v.nonce + 1, 150000};
    StatusOr<SearchResult> r = miner->Search(request, {});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->nonce.has_value()) << v.name;
    EXPECT_EQ(r->hashes, 150000u) << v.name;
    EXPECT_FALSE(r->cancelled);
  }
}

TEST(CpuMinerTest, ReportsTheLowestWinningNonceWhateverTheThreadsAndPath) {
  std::mt19937 rng(99);
  auto reference = Cpu(1, "portable");
  auto fast = Cpu(2);
  for (int trial = 0; trial < 20; ++trial) {
    consensus::BlockHeader h;
    h.time = rng();
    h.merkle_root[0] = static_cast<uint8_t>(trial);
    // About one winner per 2^14 nonces: several per range, so the lowest one matters.
    U256 target = consensus::MaxTarget() >> 14;
    SearchRequest request{h, target, static_cast<uint32_t>(rng() % 1000000), 1 << 17};
    StatusOr<SearchResult> want = reference->Search(request, {});
    StatusOr<SearchResult> got = fast->Search(request, {});
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_EQ(got->nonce, want->nonce) << "trial " << trial;
    if (got->nonce) {
      consensus::BlockHeader won = h;
      won.nonce = *got->nonce;
      EXPECT_EQ(won.Hash(), got->hash);
      EXPECT_TRUE(consensus::HashMeetsTarget(got->hash, target));
    }
  }
}

TEST(CpuMinerTest, RejectsRangesPastTheNonceSpace) {
  auto miner = Cpu(1);
  SearchRequest request{consensus::BlockHeader{}, U256(1), 0xffffff00u, 0x101};
  EXPECT_EQ(miner->Search(request, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(CpuMinerTest, StopsPromptlyWhenCancelled) {
  auto miner = Cpu(2);
  // No hash meets the probe's zero target: without the stop it would scan all 2^32 nonces.
  testing::CancelProbe probe = testing::SearchThenCancel(*miner, std::chrono::milliseconds(100));
  const StatusOr<SearchResult>& r = probe.result;
  const auto latency = probe.latency;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->cancelled);
  EXPECT_FALSE(r->nonce.has_value());
  EXPECT_LT(r->hashes, kNonceSpace);
  // The design bound is 10 ms (one chunk per thread); allow for a loaded CI machine.
  EXPECT_LT(latency, std::chrono::milliseconds(500));
  std::printf("cancel latency: %.3f ms\n", latency.count());
}

TEST(CpuMinerTest, FactoryExplainsUnknownAndUnusableChoices) {
  MinerOptions bad_backend;
  bad_backend.backend = "fpga";
  EXPECT_EQ(CreateMiner(bad_backend).status().code(), StatusCode::kInvalidArgument);
  MinerOptions bad_path;
  bad_path.backend = "cpu";
  bad_path.cpu_path = "avx1024";
  EXPECT_EQ(CreateMiner(bad_path).status().code(), StatusCode::kInvalidArgument);
  MinerOptions automatic;
  StatusOr<MinerChoice> chosen = CreateMiner(automatic);
  ASSERT_TRUE(chosen.ok());
  EXPECT_FALSE(chosen->reason.empty());
}

}  // namespace
}  // namespace rowchain::mining
