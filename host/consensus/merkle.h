// The Merkle tree over a block body in the RFC 6962 (Certificate Transparency) form:
//   leaf hash  = SHA-256(0x00 || leaf bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH of n > 1 leaves splits at k, the largest power of two below n; MTH of none is SHA-256("").
// Leaf and node hashes differ by their prefix byte, so no second preimage confuses the two, and
// an odd leaf is never duplicated (Bitcoin's CVE-2012-2459 cannot happen). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "consensus/hash.h"

namespace rowchain::consensus {

Hash256 MerkleLeafHash(std::span<const uint8_t> leaf);
// MerkleLeafHash of every leaf, into `out` (of the same size), allocating nothing; many at once
// where the CPU allows (crypto/sha256_many.h).
void MerkleLeafHashes(std::span<const std::vector<uint8_t>> leaves, std::span<Hash256> out);
Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right);

// Root over leaf hashes (already MerkleLeafHash-ed).
Hash256 MerkleRoot(std::span<const Hash256> leaf_hashes);
// The same, computed in `hashes` (overwritten), allocating nothing.
Hash256 MerkleRootInPlace(std::span<Hash256> hashes);

// RFC 6962 section 2.1.1 audit path of leaf `index`, bottom-up. Precondition: index < size.
std::vector<Hash256> MerkleInclusionProof(std::span<const Hash256> leaf_hashes, uint64_t index);

// RFC 9162 section 2.1.3.2: does `proof` lead from the leaf hash at `index` of a tree of
// `tree_size` leaves to `root`? False for any malformed proof or out-of-range index.
bool VerifyMerkleInclusion(const Hash256& leaf_hash, uint64_t index, uint64_t tree_size,
                           std::span<const Hash256> proof, const Hash256& root);

// The root a leaf and its audit path lead to (RFC 9162 §2.1.3.2 without the final
// comparison); nullopt when the path's length does not fit the index and tree size.
std::optional<Hash256> MerkleRootFromProof(const Hash256& leaf_hash, uint64_t index, uint64_t tree_size,
                                           std::span<const Hash256> proof);

}  // namespace rowchain::consensus
