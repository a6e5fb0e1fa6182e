#include "consensus/hash.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/hex.h"

namespace rowchain::consensus {

std::string ToInternalHex(const Hash256& hash) { return HexEncode(hash); }

std::string ToDisplayHex(const Hash256& hash) {
  Hash256 reversed = hash;
  std::reverse(reversed.begin(), reversed.end());
  return HexEncode(reversed);
}

StatusOr<Hash256> FromInternalHex(std::string_view hex) {
  if (hex.size() != 64) {
    return InvalidArgumentError(fmt::format("a hash is 64 hex digits, got {}", hex.size()));
  }
  StatusOr<std::vector<uint8_t>> bytes = HexDecode(hex);
  if (!bytes.ok()) return bytes.status();
  Hash256 out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

StatusOr<Hash256> FromDisplayHex(std::string_view hex) {
  StatusOr<Hash256> h = FromInternalHex(hex);
  if (h.ok()) std::reverse(h->begin(), h->end());
  return h;
}

}  // namespace rowchain::consensus
