// Hex encoding of byte strings. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rowchain {

// Lower-case hex of the bytes, in the order given.
std::string HexEncode(std::span<const uint8_t> bytes);

// Parses hex (either case, even length, no prefix or separators).
StatusOr<std::vector<uint8_t>> HexDecode(std::string_view hex);

}  // namespace rowchain
