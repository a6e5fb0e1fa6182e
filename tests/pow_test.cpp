#include "consensus/pow.h"

#include <gtest/gtest.h>

#include "consensus/compact.h"
#include "test_vectors.h"

namespace rowchain::consensus {
namespace {

const U256 kBitcoinPowLimit = DecodeCompact(0x1d00ffff).target;

TEST(PowTest, RealBitcoinHeadersPass) {
  for (const auto& v : testing::LoadBitcoinHeaderVectors()) {
    Verdict verdict = CheckProofOfWork(v.header.Hash(), v.header.bits, kBitcoinPowLimit);
    EXPECT_TRUE(verdict.ok()) << v.name << ": " << verdict.reason() << " " << verdict.detail();
  }
}

TEST(PowTest, WrongNonceIsHighHash) {
  for (const auto& v : testing::LoadBitcoinHeaderVectors()) {
    BlockHeader h = v.header;
    ++h.nonce;
    Verdict verdict = CheckProofOfWork(h.Hash(), h.bits, kBitcoinPowLimit);
    EXPECT_EQ(verdict.reason(), "high-hash") << v.name;
  }
}

TEST(PowTest, UnusableBitsAreBadDiffbits) {
  Hash256 zero{};
  EXPECT_EQ(CheckProofOfWork(zero, 0x1d80ffff, kBitcoinPowLimit).reason(), "bad-diffbits");
  EXPECT_EQ(CheckProofOfWork(zero, 0x00000000, kBitcoinPowLimit).reason(), "bad-diffbits");
  EXPECT_EQ(CheckProofOfWork(zero, 0x2101ffff, MaxTarget()).reason(), "bad-diffbits");
  EXPECT_EQ(CheckProofOfWork(zero, 0x207fffff, kBitcoinPowLimit).reason(), "bad-diffbits");
  EXPECT_TRUE(CheckProofOfWork(zero, 0x207fffff, MaxTarget()).ok());
}

TEST(PowTest, WorkIsTwoTo256OverTargetPlusOne) {
  // Bitcoin's difficulty-1 block proves 0x100010001 hashes of work.
  EXPECT_EQ(WorkForTarget(kBitcoinPowLimit), U256(0x100010001ull));
  EXPECT_EQ(WorkForTarget(MaxTarget()), U256(1));
  EXPECT_EQ(WorkForTarget((U256(1) << 255) - U256(1)), U256(2));
  EXPECT_EQ(WorkForTarget(U256(1)), U256(1) << 255);
}

}  // namespace
}  // namespace rowchain::consensus
