#include "consensus/block_template.h"

#include "consensus/merkle.h"

namespace rowchain::consensus {

BlockTemplate::BlockTemplate(const BlockHeader& header, BlockInfoLeaf info,
                             std::vector<Hash256> body_leaf_hashes)
    : m_header(header), m_info(std::move(info)), m_leaf_count(body_leaf_hashes.size() + 1) {
  std::vector<Hash256> leaves;
  leaves.reserve(m_leaf_count);
  leaves.push_back(Hash256{});  // leaf 0's own hash is not part of its path
  leaves.insert(leaves.end(), body_leaf_hashes.begin(), body_leaf_hashes.end());
  m_leaf0_path = MerkleInclusionProof(leaves, 0);
  m_header.nonce = 0;
}

BlockTemplate BlockTemplate::FromLeaf0Path(const BlockHeader& header, BlockInfoLeaf info,
                                           std::vector<Hash256> leaf0_path) {
  BlockTemplate t;
  t.m_header = header;
  t.m_header.merkle_root = Hash256{};
  t.m_header.nonce = 0;
  t.m_info = std::move(info);
  t.m_leaf_count = 0;
  t.m_leaf0_path = std::move(leaf0_path);
  return t;
}

BlockInfoLeaf BlockTemplate::InfoForExtraNonce(uint64_t extra_nonce) const {
  BlockInfoLeaf info = m_info;
  info.extra_nonce = extra_nonce;
  return info;
}

BlockHeader BlockTemplate::HeaderForExtraNonce(uint64_t extra_nonce) const {
  Hash256 leaf0 = MerkleLeafHash(EncodeBlockInfoLeaf(InfoForExtraNonce(extra_nonce)));
  // Leaf 0 is always a left child, so its root is a left fold over the path.
  Hash256 root = leaf0;
  for (const Hash256& sibling : m_leaf0_path) root = MerkleNodeHash(root, sibling);
  BlockHeader h = m_header;
  h.merkle_root = root;
  return h;
}

}  // namespace rowchain::consensus
