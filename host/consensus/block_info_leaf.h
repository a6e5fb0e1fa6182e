// Leaf 0 of every block body: the block's height, the id of the miner that sealed it, and the
// extra-nonce that extends the search past the header's 32-bit nonce (docs/format.md).
// Value type; pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/status.h"

namespace rowchain::consensus {

inline constexpr uint8_t kLeafKindBlockInfo = 0x00;
inline constexpr uint8_t kLeafKindRowOperation = 0x01;  // defined with the ledger tables
inline constexpr uint8_t kBlockInfoVersion = 1;
inline constexpr size_t kMaxMinerIdSize = 64;

struct BlockInfoLeaf {
  uint64_t height = 0;
  std::string miner_id;  // at most 64 bytes
  uint64_t extra_nonce = 0;

  friend bool operator==(const BlockInfoLeaf&, const BlockInfoLeaf&) = default;
};

// Canonical bytes: 0x00 | 0x01 | height u64le | miner_id length u8 | miner_id | extra_nonce u64le.
// Precondition: miner_id.size() <= kMaxMinerIdSize.
std::vector<uint8_t> EncodeBlockInfoLeaf(const BlockInfoLeaf& leaf);
// Accepts only the canonical encoding (any other bytes are INVALID_ARGUMENT).
StatusOr<BlockInfoLeaf> DecodeBlockInfoLeaf(std::span<const uint8_t> bytes);

}  // namespace rowchain::consensus
