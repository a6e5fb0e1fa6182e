// The CUDA backend. Without a usable GPU (CI) every GPU case skips with the reason; the kernel's
// hash code is still tested on the CPU, as the portable path (nonce_scan_test).
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "consensus/compact.h"
#include "consensus/pow.h"
#include "kernels/cuda_nonce_search.h"
#include "mining/backends.h"
#include "mining/cpu_miner.h"
#include "mining/cuda_miner.h"
#include "cancel_probe.h"
#include "test_vectors.h"

namespace rowchain::mining {
namespace {

class CudaMinerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BackendInfo info = CudaBackendInfo();
    ASSERT_TRUE(info.compiled);
    if (!info.usable) GTEST_SKIP() << "no usable GPU: " << info.reason;
    MinerOptions options;
    options.backend = "cuda";
    StatusOr<MinerChoice> choice = CreateMiner(options);
    ASSERT_TRUE(choice.ok()) << choice.status().ToString();
    miner_ = std::move(choice->miner);
  }
  std::unique_ptr<Miner> miner_;
};

TEST(CudaBackendTest, ReportsWhyItCannotRunWhenItCannot) {
  BackendInfo info = CudaBackendInfo();
  EXPECT_TRUE(info.compiled);
  if (info.usable) GTEST_SKIP() << "a GPU is usable here";
  EXPECT_FALSE(info.reason.empty());
  MinerOptions options;
  options.backend = "cuda";
  EXPECT_EQ(CreateMiner(options).status().code(), StatusCode::kFailedPrecondition);
  options.backend = "auto";
  StatusOr<MinerChoice> fallback = CreateMiner(options);
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->miner->backend(), "cpu");
  EXPECT_NE(fallback->reason.find("no usable GPU"), std::string::npos) << fallback->reason;
}

TEST_F(CudaMinerTest, FindsEveryVectorFromARangeContainingItsNonce) {
  for (const auto& v : testing::LoadBitcoinHeaderVectors()) {
    SearchRequest request{v.header, consensus::DecodeCompact(v.header.bits).target, v.nonce - 50000000, 100000000};
    StatusOr<SearchResult> r = miner_->Search(request, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->nonce.has_value()) << v.name;
    EXPECT_EQ(*r->nonce, v.nonce) << v.name;
    EXPECT_EQ(consensus::ToDisplayHex(r->hash), v.hash_display_hex);
    request.first_nonce = v.nonce + 1;
    r = miner_->Search(request, {});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->nonce.has_value()) << v.name;
  }
}

TEST_F(CudaMinerTest, GivesExactlyTheCpuBackendsNoncesOnRandomHeaders) {
  CpuMiner cpu(crypto::FastestScanPath(), 2);
  std::mt19937 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    consensus::BlockHeader h;
    h.time = rng();
    h.merkle_root[3] = static_cast<uint8_t>(trial);
    const consensus::U256 target = consensus::MaxTarget() >> (12 + trial % 8);
    SearchRequest request{h, target, static_cast<uint32_t>(rng() % 100000000), 1 << 22};
    StatusOr<SearchResult> want = cpu.Search(request, {});
    StatusOr<SearchResult> got = miner_->Search(request, {});
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_EQ(got->nonce, want->nonce) << "trial " << trial;
    EXPECT_EQ(got->hash, want->hash) << "trial " << trial;
  }
  EXPECT_EQ(static_cast<CudaMiner*>(miner_.get())->device_errors(), 0u);
}

TEST_F(CudaMinerTest, ManySmallLaunchesInFlightGiveTheSameAnswer) {
  // One block of 32 threads, one nonce each: a range of 10^6 nonces needs ~31,000 launches,
  // always two queued.
  StatusOr<std::unique_ptr<cuda::DeviceSearcher>> small = cuda::DeviceSearcher::Open(0, {32, 1, 1});
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  const auto v = testing::LoadBitcoinHeaderVectors().at(1);
  crypto::NonceScanJob job = crypto::PrepareNonceScan(v.header.Serialize(), 0);
  StatusOr<crypto::NonceScanResult> r = (*small)->Scan(job, v.nonce - 700001, 1000000, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->candidate, v.nonce);
}

TEST_F(CudaMinerTest, StopsWithinMillisecondsOfACancel) {
  testing::CancelProbe probe = testing::SearchThenCancel(*miner_, std::chrono::milliseconds(200));
  const StatusOr<SearchResult>& r = probe.result;
  const auto latency = probe.latency;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->cancelled);
  std::printf("GPU cancel latency: %.3f ms\n", latency.count());
  EXPECT_LT(latency, std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace rowchain::mining
