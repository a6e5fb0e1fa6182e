// A 32-byte SHA-256 or SHA-256d digest in internal byte order (as the hash function emits it),
// and its display form: reversed hex, the way Bitcoin shows block hashes. Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace rowchain::consensus {

using Hash256 = std::array<uint8_t, 32>;

// Reversed hex (display order, e.g. "000000000019d6...").
std::string ToDisplayHex(const Hash256& hash);
StatusOr<Hash256> FromDisplayHex(std::string_view hex);

// Hex in internal byte order (as RFC 6962 test vectors print Merkle hashes).
std::string ToInternalHex(const Hash256& hash);
StatusOr<Hash256> FromInternalHex(std::string_view hex);

}  // namespace rowchain::consensus
