#include "consensus/merkle.h"

#include <bit>

#include "crypto/sha256.h"
#include "crypto/sha256_many.h"

namespace rowchain::consensus {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// Largest power of two strictly below n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

void AppendProof(std::span<const Hash256> leaves, uint64_t index, std::vector<Hash256>* out) {
  if (leaves.size() <= 1) return;
  uint64_t k = SplitPoint(leaves.size());
  if (index < k) {
    AppendProof(leaves.first(k), index, out);
    out->push_back(MerkleRoot(leaves.subspan(k)));
  } else {
    AppendProof(leaves.subspan(k), index - k, out);
    out->push_back(MerkleRoot(leaves.first(k)));
  }
}

}  // namespace

Hash256 MerkleLeafHash(std::span<const uint8_t> leaf) {
  const std::span<const uint8_t> parts[] = {{&kLeafPrefix, 1}, leaf};
  return crypto::Sha256Parts(parts);
}

Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right) {
  const std::span<const uint8_t> parts[] = {{&kNodePrefix, 1}, left, right};
  return crypto::Sha256Parts(parts);
}

Hash256 MerkleRoot(std::span<const Hash256> leaf_hashes) {
  if (leaf_hashes.empty()) return MerkleRootInPlace({});
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  std::vector<Hash256> level(leaf_hashes.begin(), leaf_hashes.end());
  return MerkleRootInPlace(level);
}

void MerkleLeafHashes(std::span<const std::vector<uint8_t>> leaves, std::span<Hash256> out) {
  crypto::Sha256ManyPrefixed(kLeafPrefix, leaves, out);
}

Hash256 MerkleRootInPlace(std::span<Hash256> hashes) {
  if (hashes.empty()) return crypto::Sha256({});
  // Bottom-up: pair neighbours level by level; a last odd node moves up unchanged. This gives
  // the same tree as the recursive split at the largest power of two. A level's nodes are
  // hashed together (Sha256ManyPrefixed), in place: node k's pair lies at 2k, at or after k.
  static_assert(sizeof(Hash256) == 32);
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(hashes.data());
  size_t size = hashes.size();
  while (size > 1) {
    const size_t nodes = size / 2;
    crypto::Sha256ManyPrefixed(kNodePrefix, std::span(bytes, 64 * nodes), 64, hashes.first(nodes));
    if (size % 2 == 1) hashes[nodes] = hashes[size - 1];
    size = nodes + size % 2;
  }
  return hashes[0];
}

std::vector<Hash256> MerkleInclusionProof(std::span<const Hash256> leaf_hashes, uint64_t index) {
  std::vector<Hash256> proof;
  if (index < leaf_hashes.size()) AppendProof(leaf_hashes, index, &proof);
  return proof;
}

std::optional<Hash256> MerkleRootFromProof(const Hash256& leaf_hash, uint64_t index, uint64_t tree_size,
                                           std::span<const Hash256> proof) {
  if (index >= tree_size) return std::nullopt;
  uint64_t fn = index, sn = tree_size - 1;
  Hash256 r = leaf_hash;
  for (const Hash256& p : proof) {
    if (sn == 0) return std::nullopt;
    if ((fn & 1) == 1 || fn == sn) {
      r = MerkleNodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return std::nullopt;
  return r;
}

bool VerifyMerkleInclusion(const Hash256& leaf_hash, uint64_t index, uint64_t tree_size,
                           std::span<const Hash256> proof, const Hash256& root) {
  return MerkleRootFromProof(leaf_hash, index, tree_size, proof) == root;
}

}  // namespace rowchain::consensus
