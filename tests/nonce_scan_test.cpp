// Every instruction-set path this CPU supports, against the portable path and OpenSSL.
#include "crypto/nonce_scan.h"

#include <gtest/gtest.h>

#include <random>

#include "consensus/block_header.h"
#include "crypto/sha256.h"
#include "test_vectors.h"

namespace rowchain::crypto {
namespace {

uint32_t TopWord(std::array<uint8_t, 80> header, uint32_t nonce) {
  for (int i = 0; i < 4; ++i) header[76 + i] = static_cast<uint8_t>(nonce >> (8 * i));
  Digest d = Sha256d(header);
  return uint32_t{d[28]} | uint32_t{d[29]} << 8 | uint32_t{d[30]} << 16 | uint32_t{d[31]} << 24;
}

class NonceScanPathTest : public ::testing::TestWithParam<ScanPath> {
 protected:
  void SetUp() override {
    Status usable = ScanPathUsable(GetParam());
    if (!usable.ok()) GTEST_SKIP() << ScanPathName(GetParam()) << " cannot run here: " << usable.message();
  }
};

TEST_P(NonceScanPathTest, FindsEveryBitcoinVectorNonce) {
  for (const auto& v : testing::LoadBitcoinHeaderVectors()) {
    NonceScanJob job = PrepareNonceScan(v.header.Serialize(), /*target_top_word=*/0);
    NonceScanResult r = ScanNonces(GetParam(), job, v.nonce - 1000, 2001);
    ASSERT_TRUE(r.candidate.has_value()) << v.name;
    EXPECT_EQ(*r.candidate, v.nonce) << v.name;
    EXPECT_FALSE(ScanNonces(GetParam(), job, v.nonce + 1, 3000).candidate.has_value()) << v.name;
  }
}

TEST_P(NonceScanPathTest, AgreesWithOpenSslOnRandomHeadersAndRanges) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 40; ++trial) {
    std::array<uint8_t, 80> header;
    for (auto& b : header) b = static_cast<uint8_t>(rng());
    // Easy targets make candidates common; odd starts and counts test partial lane groups.
    const uint32_t target_top = rng() >> (4 + trial % 6);
    const uint32_t start = rng();
    const uint64_t count = std::min<uint64_t>(1 + rng() % 200, (uint64_t{1} << 32) - start);
    NonceScanResult r = ScanNonces(GetParam(), PrepareNonceScan(header, target_top), start, count);
    std::optional<uint32_t> expected;
    for (uint64_t i = 0; i < count; ++i) {
      if (TopWord(header, start + static_cast<uint32_t>(i)) <= target_top) {
        expected = start + static_cast<uint32_t>(i);
        break;
      }
    }
    EXPECT_EQ(r.candidate, expected) << "trial " << trial;
    if (!expected) {
      EXPECT_EQ(r.nonces_scanned, count);
    }
  }
}

TEST_P(NonceScanPathTest, StopsAtTheTopOfTheNonceSpace) {
  std::array<uint8_t, 80> header{};
  NonceScanResult r = ScanNonces(GetParam(), PrepareNonceScan(header, 0xffffffff), 0xfffffffbu, 5);
  ASSERT_TRUE(r.candidate.has_value());
  EXPECT_EQ(*r.candidate, 0xfffffffbu);  // every hash meets the maximal top word
  NonceScanResult none = ScanNonces(GetParam(), PrepareNonceScan(header, 0), 0xfffffff0u, 16);
  EXPECT_LE(none.nonces_scanned, 16u);
}

INSTANTIATE_TEST_SUITE_P(AllPaths, NonceScanPathTest, ::testing::ValuesIn(AllScanPaths()),
                         [](const auto& param_info) {
                           std::string name(ScanPathName(param_info.param));
                           std::erase(name, '-');
                           return name;
                         });

TEST(NonceScanTest, PortablePathIsAlwaysUsableAndFastestIsUsable) {
  EXPECT_TRUE(ScanPathUsable(ScanPath::kPortable).ok());
  EXPECT_TRUE(ScanPathUsable(FastestScanPath()).ok());
}

TEST(NonceScanTest, PathNamesRoundTrip) {
  for (ScanPath p : AllScanPaths()) EXPECT_EQ(ScanPathFromName(ScanPathName(p)), p);
  EXPECT_FALSE(ScanPathFromName("avx1024").has_value());
}

}  // namespace
}  // namespace rowchain::crypto
