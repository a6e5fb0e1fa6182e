// The 80-byte block header, byte for byte Bitcoin's layout (docs/format.md):
//   version i32 | prev_hash 32 | merkle_root 32 | time u32 | bits u32 | nonce u32, little-endian.
// The block hash is SHA-256d of these 80 bytes. Value type; pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "consensus/hash.h"
#include "util/status.h"

namespace rowchain::consensus {

inline constexpr size_t kBlockHeaderSize = 80;
inline constexpr size_t kNonceOffset = 76;
using HeaderBytes = std::array<uint8_t, kBlockHeaderSize>;

struct BlockHeader {
  int32_t version = 1;
  Hash256 prev_hash{};
  Hash256 merkle_root{};
  uint32_t time = 0;
  uint32_t bits = 0;
  uint32_t nonce = 0;

  HeaderBytes Serialize() const;
  Hash256 Hash() const;

  friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

BlockHeader ParseBlockHeader(std::span<const uint8_t, kBlockHeaderSize> bytes);
// From 160 hex digits; INVALID_ARGUMENT naming what is wrong otherwise.
StatusOr<BlockHeader> ParseBlockHeaderHex(std::string_view hex);

}  // namespace rowchain::consensus
