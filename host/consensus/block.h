// A block: the 80-byte header and its body, a list of leaves in their canonical bytes
// (leaf 0 block info, then row operations; the genesis block's leaf 1 holds the chain's rules).
// The body's storage and wire form is length-prefixed (docs/format.md):
//   leaf_count u32le | (leaf_size u32le | leaf bytes)*
// Value types; pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "consensus/block_header.h"
#include "consensus/block_info_leaf.h"
#include "consensus/chain_params.h"
#include "consensus/row_operation.h"
#include "util/status.h"

namespace rowchain::consensus {

using Leaf = std::vector<uint8_t>;

struct Block {
  BlockHeader header;
  std::vector<Leaf> leaves;

  Hash256 Hash() const { return header.Hash(); }
  friend bool operator==(const Block&, const Block&) = default;
};

std::vector<Hash256> LeafHashes(std::span<const Leaf> leaves);
Hash256 BodyMerkleRoot(std::span<const Leaf> leaves);
// Sum of the leaves' sizes: what max_block_bytes limits.
uint64_t BodySize(std::span<const Leaf> leaves);

std::vector<uint8_t> EncodeBlockBody(std::span<const Leaf> leaves);
// Canonical only: INVALID_ARGUMENT for truncated input or trailing bytes.
StatusOr<std::vector<Leaf>> DecodeBlockBody(std::span<const uint8_t> bytes);

// A whole block on the wire between peers: the 80-byte header, then the body encoding.
std::vector<uint8_t> SerializeBlock(const Block& block);
// INVALID_ARGUMENT for a short header or a non-canonical body.
StatusOr<Block> ParseBlock(std::span<const uint8_t> bytes);

// A non-genesis body read as typed leaves.
struct DecodedBody {
  BlockInfoLeaf info;
  std::vector<RowOperation> rows;
};
// Leaf 0 must be block info and every other leaf a row operation.
StatusOr<DecodedBody> DecodeBody(std::span<const Leaf> leaves);

// Leaf 0 (height 0, the genesis miner id, extra-nonce 0) and leaf 1 (the chain's rules) under
// the genesis header fields; the same bytes on every node. Precondition: params are valid.
Block MakeGenesisBlock(const ChainParams& params);

}  // namespace rowchain::consensus
