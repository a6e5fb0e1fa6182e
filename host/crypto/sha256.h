// One-shot SHA-256 and SHA-256d through OpenSSL: the reference every fast path is checked
// against (a nonce found by any backend is re-hashed here before it is reported).
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace rowchain::crypto {

using Digest = std::array<uint8_t, 32>;

Digest Sha256(std::span<const uint8_t> data);
// SHA-256 of the SHA-256 of data (Bitcoin's block hash).
Digest Sha256d(std::span<const uint8_t> data);

// SHA-256 over the concatenation of parts, without copying them together.
Digest Sha256Parts(std::span<const std::span<const uint8_t>> parts);

}  // namespace rowchain::crypto
