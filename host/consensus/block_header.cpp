#include "consensus/block_header.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "crypto/sha256.h"
#include "util/hex.h"

namespace rowchain::consensus {
namespace {

void PutU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t GetU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

}  // namespace

HeaderBytes BlockHeader::Serialize() const {
  HeaderBytes out{};
  PutU32(out.data(), static_cast<uint32_t>(version));
  std::copy(prev_hash.begin(), prev_hash.end(), out.begin() + 4);
  std::copy(merkle_root.begin(), merkle_root.end(), out.begin() + 36);
  PutU32(out.data() + 68, time);
  PutU32(out.data() + 72, bits);
  PutU32(out.data() + 76, nonce);
  return out;
}

Hash256 BlockHeader::Hash() const { return crypto::Sha256d(Serialize()); }

BlockHeader ParseBlockHeader(std::span<const uint8_t, kBlockHeaderSize> bytes) {
  BlockHeader h;
  h.version = static_cast<int32_t>(GetU32(bytes.data()));
  std::copy_n(bytes.begin() + 4, 32, h.prev_hash.begin());
  std::copy_n(bytes.begin() + 36, 32, h.merkle_root.begin());
  h.time = GetU32(bytes.data() + 68);
  h.bits = GetU32(bytes.data() + 72);
  h.nonce = GetU32(bytes.data() + 76);
  return h;
}

StatusOr<BlockHeader> ParseBlockHeaderHex(std::string_view hex) {
  if (hex.size() != 2 * kBlockHeaderSize) {
    return InvalidArgumentError(
        fmt::format("a block header is 160 hex digits (80 bytes), got {} digits", hex.size()));
  }
  StatusOr<std::vector<uint8_t>> bytes = HexDecode(hex);
  if (!bytes.ok()) return InvalidArgumentError("block header: " + bytes.status().message());
  return ParseBlockHeader(std::span<const uint8_t, kBlockHeaderSize>(bytes->data(), kBlockHeaderSize));
}

}  // namespace rowchain::consensus
