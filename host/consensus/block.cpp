#include "consensus/block.h"

#include <fmt/format.h>

#include "consensus/byte_io.h"
#include "consensus/merkle.h"

namespace rowchain::consensus {

std::vector<Hash256> LeafHashes(std::span<const Leaf> leaves) {
  std::vector<Hash256> hashes(leaves.size());
  MerkleLeafHashes(leaves, hashes);
  return hashes;
}

Hash256 BodyMerkleRoot(std::span<const Leaf> leaves) {
  std::vector<Hash256> hashes = LeafHashes(leaves);
  return MerkleRootInPlace(hashes);
}

std::vector<uint8_t> SerializeBlock(const Block& block) {
  HeaderBytes header = block.header.Serialize();
  std::vector<uint8_t> out(header.begin(), header.end());
  std::vector<uint8_t> body = EncodeBlockBody(block.leaves);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

StatusOr<Block> ParseBlock(std::span<const uint8_t> bytes) {
  if (bytes.size() < kBlockHeaderSize) return InvalidArgumentError("a block is shorter than its 80-byte header");
  Block block;
  block.header = ParseBlockHeader(bytes.first<kBlockHeaderSize>());
  auto leaves = DecodeBlockBody(bytes.subspan(kBlockHeaderSize));
  if (!leaves.ok()) return leaves.status();
  block.leaves = std::move(*leaves);
  return block;
}

uint64_t BodySize(std::span<const Leaf> leaves) {
  uint64_t size = 0;
  for (const Leaf& leaf : leaves) size += leaf.size();
  return size;
}

std::vector<uint8_t> EncodeBlockBody(std::span<const Leaf> leaves) {
  ByteWriter out;
  out.U32(static_cast<uint32_t>(leaves.size()));
  for (const Leaf& leaf : leaves) {
    out.U32(static_cast<uint32_t>(leaf.size()));
    out.Raw(leaf);
  }
  return out.Take();
}

StatusOr<std::vector<Leaf>> DecodeBlockBody(std::span<const uint8_t> bytes) {
  ByteReader in(bytes);
  auto count = in.U32();
  if (!count) return InvalidArgumentError("block body: truncated leaf count");
  // Each leaf needs at least its 4-byte size, so a count beyond that is malformed, not a reason
  // to reserve gigabytes.
  if (*count > in.Remaining() / 4) return InvalidArgumentError("block body: leaf count exceeds the body's size");
  std::vector<Leaf> leaves;
  leaves.reserve(*count);
  for (uint32_t i = 0; i < *count; ++i) {
    auto size = in.U32();
    if (!size || *size > in.Remaining()) return InvalidArgumentError(fmt::format("block body: leaf {} is truncated", i));
    auto bytes_of_leaf = in.String(*size);
    leaves.emplace_back(bytes_of_leaf->begin(), bytes_of_leaf->end());
  }
  if (in.Remaining() != 0) return InvalidArgumentError(fmt::format("block body: {} trailing bytes", in.Remaining()));
  return leaves;
}

StatusOr<DecodedBody> DecodeBody(std::span<const Leaf> leaves) {
  if (leaves.empty()) return InvalidArgumentError("block body has no leaves");
  auto info = DecodeBlockInfoLeaf(leaves[0]);
  if (!info.ok()) return info.status();
  DecodedBody body;
  body.info = std::move(*info);
  body.rows.reserve(leaves.size() - 1);
  for (size_t i = 1; i < leaves.size(); ++i) {
    auto row = DecodeRowOperationLeaf(leaves[i]);
    if (!row.ok()) return InvalidArgumentError(fmt::format("leaf {}: {}", i, row.status().message()));
    body.rows.push_back(std::move(*row));
  }
  return body;
}

Block MakeGenesisBlock(const ChainParams& params) {
  Block block;
  block.leaves.push_back(EncodeBlockInfoLeaf({.height = 0, .miner_id = params.genesis.miner_id, .extra_nonce = 0}));
  block.leaves.push_back(EncodeChainParamsLeaf(params));
  block.header.version = 1;
  block.header.merkle_root = BodyMerkleRoot(block.leaves);
  block.header.time = params.genesis.time;
  block.header.bits = params.genesis.bits;
  block.header.nonce = params.genesis.nonce;
  return block;
}

}  // namespace rowchain::consensus
