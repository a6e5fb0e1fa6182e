#include "mining/template_search.h"

#include <gtest/gtest.h>

#include "consensus/merkle.h"
#include "consensus/pow.h"

namespace rowchain::mining {
namespace {

std::unique_ptr<Miner> Cpu() {
  MinerOptions options;
  options.backend = "cpu";
  options.threads = 2;
  return std::move(CreateMiner(options)->miner);
}

TEST(TemplateSearchTest, MovesToTheNextExtraNonceWhenTheNonceRangeRunsOut) {
  consensus::BlockHeader base;
  base.bits = 0x207fffff;
  base.time = 1700000000;
  std::vector<consensus::Hash256> body = {consensus::MerkleLeafHash(std::vector<uint8_t>{1, 2, 3})};
  consensus::BlockTemplate block(base, {5, "test-miner", 0}, body);
  // About one winner per 2^16 nonces, but only 256 nonces per extra-nonce: the winner is
  // found only after many extra-nonces.
  const consensus::U256 target = consensus::MaxTarget() >> 16;
  TemplateSearchOptions options;
  options.first_extra_nonce = 10;
  options.nonces_per_extra_nonce = 256;
  StatusOr<TemplateSearchResult> r = MineTemplate(*Cpu(), block, target, options, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->sealed.has_value());
  const SealedHeader& sealed = *r->sealed;
  EXPECT_GT(sealed.extra_nonce, 10u);
  EXPECT_LT(sealed.header.nonce, 256u);
  EXPECT_EQ(sealed.header.Hash(), sealed.hash);
  EXPECT_TRUE(consensus::HashMeetsTarget(sealed.hash, target));
  // The sealed header's root commits to the extra-nonce it reports.
  std::vector<consensus::Hash256> leaves = {
      consensus::MerkleLeafHash(consensus::EncodeBlockInfoLeaf(block.InfoForExtraNonce(sealed.extra_nonce)))};
  leaves.insert(leaves.end(), body.begin(), body.end());
  EXPECT_EQ(sealed.header.merkle_root, consensus::MerkleRoot(leaves));
  EXPECT_GT(r->hashes, 256u);
}

TEST(TemplateSearchTest, GivesUpAfterMaxExtraNoncesAndHonoursStop) {
  consensus::BlockTemplate block(consensus::BlockHeader{}, {1, "m", 0}, {});
  TemplateSearchOptions options;
  options.max_extra_nonces = 3;
  options.nonces_per_extra_nonce = 1000;
  StatusOr<TemplateSearchResult> r = MineTemplate(*Cpu(), block, consensus::U256(0), options, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->sealed.has_value());
  EXPECT_EQ(r->hashes, 3000u);

  std::stop_source stop;
  stop.request_stop();
  r = MineTemplate(*Cpu(), block, consensus::U256(0), {}, stop.get_token());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->sealed.has_value());
  options.nonces_per_extra_nonce = 0;
  EXPECT_EQ(MineTemplate(*Cpu(), block, consensus::U256(0), options, {}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rowchain::mining
