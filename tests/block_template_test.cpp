#include "consensus/block_template.h"

#include <gtest/gtest.h>

#include "consensus/merkle.h"

namespace rowchain::consensus {
namespace {

TEST(BlockTemplateTest, ExtraNonceRootEqualsFullTreeRootForEverySize) {
  for (size_t body = 0; body < 20; ++body) {
    std::vector<Hash256> body_hashes;
    for (size_t i = 0; i < body; ++i) body_hashes.push_back(MerkleLeafHash(std::vector<uint8_t>{uint8_t(i)}));
    BlockHeader base;
    base.bits = 0x207fffff;
    base.time = 1700000000;
    BlockInfoLeaf info{42, "miner-1", 0};
    BlockTemplate tmpl(base, info, body_hashes);
    EXPECT_EQ(tmpl.LeafCount(), body + 1);
    for (uint64_t extra : {0ull, 1ull, 1ull << 40}) {
      std::vector<Hash256> leaves = {MerkleLeafHash(EncodeBlockInfoLeaf(tmpl.InfoForExtraNonce(extra)))};
      leaves.insert(leaves.end(), body_hashes.begin(), body_hashes.end());
      BlockHeader h = tmpl.HeaderForExtraNonce(extra);
      EXPECT_EQ(h.merkle_root, MerkleRoot(leaves)) << body << " " << extra;
      EXPECT_EQ(h.time, base.time);
      EXPECT_EQ(h.bits, base.bits);
      EXPECT_EQ(h.nonce, 0u);
    }
    EXPECT_NE(tmpl.HeaderForExtraNonce(0).merkle_root, tmpl.HeaderForExtraNonce(1).merkle_root);
  }
}

}  // namespace
}  // namespace rowchain::consensus
