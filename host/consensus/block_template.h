// A block being mined: a header whose Merkle root is refreshed for each extra-nonce.
//
// The 32-bit header nonce runs out in well under a second on a GPU. The search then moves to
// the next extra-nonce in leaf 0 (the block-info leaf); only that leaf's path to the root
// changes, so a new root costs log2(leaves) node hashes, not a rebuild of the tree.
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "consensus/block_header.h"
#include "consensus/block_info_leaf.h"

namespace rowchain::consensus {

class BlockTemplate {
 public:
  // `header` gives version, prev_hash, time and bits; `info` leaf 0 (its extra_nonce is the
  // one varied); `body_leaf_hashes` the leaf hashes of leaves 1..n-1, in order.
  BlockTemplate(const BlockHeader& header, BlockInfoLeaf info, std::vector<Hash256> body_leaf_hashes);
  // From leaf 0's audit path alone: what a remote worker is sent (it never sees the rows).
  static BlockTemplate FromLeaf0Path(const BlockHeader& header, BlockInfoLeaf info, std::vector<Hash256> leaf0_path);

  // The header (nonce 0) for a given extra-nonce.
  BlockHeader HeaderForExtraNonce(uint64_t extra_nonce) const;
  BlockInfoLeaf InfoForExtraNonce(uint64_t extra_nonce) const;
  uint64_t LeafCount() const { return m_leaf_count; }
  // Version, prev hash, time and bits (Merkle root and nonce zero).
  const BlockHeader& header() const { return m_header; }
  const BlockInfoLeaf& info() const { return m_info; }
  const std::vector<Hash256>& leaf0_path() const { return m_leaf0_path; }

 private:
  BlockTemplate() = default;
  BlockHeader m_header;
  BlockInfoLeaf m_info;
  uint64_t m_leaf_count = 1;  // 0 when made from a path: the count is not known
  std::vector<Hash256> m_leaf0_path;  // audit path of leaf 0: does not depend on leaf 0
};

}  // namespace rowchain::consensus
