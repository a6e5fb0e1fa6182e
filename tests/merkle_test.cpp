// RFC 6962 Merkle tree against the Certificate Transparency reference vectors.
#include "consensus/merkle.h"

#include <gtest/gtest.h>

#include "util/hex.h"

namespace rowchain::consensus {
namespace {

std::vector<Hash256> ReferenceLeafHashes() {
  std::vector<Hash256> out;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(MerkleLeafHash(*HexDecode(hex)));
  }
  return out;
}

Hash256 H(std::string_view hex) { return *FromInternalHex(hex); }

TEST(MerkleTest, RootsMatchRfc6962ReferenceForEverySize) {
  const char* roots[] = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  std::vector<Hash256> leaves = ReferenceLeafHashes();
  for (size_t n = 0; n <= leaves.size(); ++n) {
    EXPECT_EQ(ToInternalHex(MerkleRoot(std::span(leaves).first(n))), roots[n]) << "size " << n;
  }
}

// RFC 6962 §2.1 as written: the root of n leaves splits them at the largest power of two below n.
Hash256 RecursiveRoot(std::span<const Hash256> leaf_hashes) {
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  size_t k = 1;
  while (k * 2 < leaf_hashes.size()) k *= 2;
  return MerkleNodeHash(RecursiveRoot(leaf_hashes.first(k)), RecursiveRoot(leaf_hashes.subspan(k)));
}

TEST(MerkleTest, LargeTreesMatchTheRecursiveDefinition) {
  // Sizes whose levels fill the hash lanes (crypto/sha256_many.h) fully, partly and with an odd
  // node left over; leaves of varied lengths, some longer than a lane takes.
  for (size_t n : {1, 2, 7, 31, 32, 33, 100, 999, 1000, 1025}) {
    std::vector<std::vector<uint8_t>> leaves;
    for (size_t i = 0; i < n; ++i) leaves.emplace_back((i * 13) % 400, static_cast<uint8_t>(i));
    std::vector<Hash256> one_by_one;
    for (const auto& leaf : leaves) one_by_one.push_back(MerkleLeafHash(leaf));
    std::vector<Hash256> many(n);
    MerkleLeafHashes(leaves, many);
    EXPECT_EQ(many, one_by_one) << n << " leaves";
    EXPECT_EQ(MerkleRoot(many), RecursiveRoot(one_by_one)) << n << " leaves";
  }
}

TEST(MerkleTest, InclusionProofsMatchRfc6962Reference) {
  std::vector<Hash256> leaves = ReferenceLeafHashes();
  Hash256 root = MerkleRoot(leaves);
  std::vector<Hash256> proof0 = {H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                                 H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                                 H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")};
  std::vector<Hash256> proof5 = {H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                                 H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                                 H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  EXPECT_EQ(MerkleInclusionProof(leaves, 0), proof0);
  EXPECT_EQ(MerkleInclusionProof(leaves, 5), proof5);
  EXPECT_TRUE(VerifyMerkleInclusion(leaves[0], 0, 8, proof0, root));
  EXPECT_TRUE(VerifyMerkleInclusion(leaves[5], 5, 8, proof5, root));
}

TEST(MerkleTest, EveryProofOfEverySizeVerifiesAndTamperingFails) {
  std::vector<Hash256> all;
  for (int i = 0; i < 37; ++i) all.push_back(MerkleLeafHash(std::vector<uint8_t>{uint8_t(i), uint8_t(i * 7)}));
  for (uint64_t n = 1; n <= all.size(); ++n) {
    std::span<const Hash256> tree = std::span(all).first(n);
    Hash256 root = MerkleRoot(tree);
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<Hash256> proof = MerkleInclusionProof(tree, i);
      ASSERT_TRUE(VerifyMerkleInclusion(tree[i], i, n, proof, root)) << n << "/" << i;
      if (n > 1) {
        EXPECT_FALSE(VerifyMerkleInclusion(tree[i], (i + 1) % n, n, proof, root)) << n << "/" << i;
        EXPECT_FALSE(VerifyMerkleInclusion(tree[(i + 1) % n], i, n, proof, root)) << n << "/" << i;
        std::vector<Hash256> bad = proof;
        bad.back()[0] ^= 1;
        EXPECT_FALSE(VerifyMerkleInclusion(tree[i], i, n, bad, root)) << n << "/" << i;
        bad = proof;
        bad.pop_back();
        EXPECT_FALSE(VerifyMerkleInclusion(tree[i], i, n, bad, root)) << n << "/" << i;
      }
      EXPECT_FALSE(VerifyMerkleInclusion(tree[i], n, n, proof, root));
    }
  }
}

TEST(MerkleTest, LeafAndNodeHashesAreDomainSeparated) {
  Hash256 a = MerkleLeafHash(std::vector<uint8_t>{1}), b = MerkleLeafHash(std::vector<uint8_t>{2});
  std::vector<uint8_t> concatenated(a.begin(), a.end());
  concatenated.insert(concatenated.end(), b.begin(), b.end());
  // A leaf whose bytes are two child hashes never collides with their parent node.
  EXPECT_NE(MerkleLeafHash(concatenated), MerkleNodeHash(a, b));
  // And an odd leaf is not duplicated: [a, b, b] and [a, b] have different roots.
  std::vector<Hash256> two = {a, b}, three = {a, b, b};
  EXPECT_NE(MerkleRoot(two), MerkleRoot(three));
}

}  // namespace
}  // namespace rowchain::consensus
