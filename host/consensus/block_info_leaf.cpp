#include "consensus/block_info_leaf.h"

#include <fmt/format.h>

namespace rowchain::consensus {
namespace {

void PutU64(std::vector<uint8_t>* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

std::vector<uint8_t> EncodeBlockInfoLeaf(const BlockInfoLeaf& leaf) {
  std::vector<uint8_t> out;
  out.reserve(2 + 8 + 1 + leaf.miner_id.size() + 8);
  out.push_back(kLeafKindBlockInfo);
  out.push_back(kBlockInfoVersion);
  PutU64(&out, leaf.height);
  out.push_back(static_cast<uint8_t>(leaf.miner_id.size()));
  out.insert(out.end(), leaf.miner_id.begin(), leaf.miner_id.end());
  PutU64(&out, leaf.extra_nonce);
  return out;
}

StatusOr<BlockInfoLeaf> DecodeBlockInfoLeaf(std::span<const uint8_t> bytes) {
  constexpr size_t kFixed = 2 + 8 + 1 + 8;
  if (bytes.size() < kFixed) {
    return InvalidArgumentError(fmt::format("block-info leaf: {} bytes, need at least {}", bytes.size(), kFixed));
  }
  if (bytes[0] != kLeafKindBlockInfo) {
    return InvalidArgumentError(fmt::format("block-info leaf: kind {:#04x}, expected 0x00", bytes[0]));
  }
  if (bytes[1] != kBlockInfoVersion) {
    return InvalidArgumentError(fmt::format("block-info leaf: unknown version {}", bytes[1]));
  }
  size_t id_size = bytes[10];
  if (id_size > kMaxMinerIdSize) {
    return InvalidArgumentError(fmt::format("block-info leaf: miner id of {} bytes exceeds {}", id_size, kMaxMinerIdSize));
  }
  if (bytes.size() != kFixed + id_size) {
    return InvalidArgumentError(
        fmt::format("block-info leaf: {} bytes, expected {}", bytes.size(), kFixed + id_size));
  }
  BlockInfoLeaf leaf;
  leaf.height = GetU64(bytes.data() + 2);
  leaf.miner_id.assign(reinterpret_cast<const char*>(bytes.data() + 11), id_size);
  leaf.extra_nonce = GetU64(bytes.data() + 11 + id_size);
  return leaf;
}

}  // namespace rowchain::consensus
