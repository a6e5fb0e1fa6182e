// The multi-message SHA-256 path behind Sha256ManyPrefixed (sha256_many.cpp). Internal to the
// crypto library; defined in its own file with AVX-512 flags and called only once the CPU is
// known to have AVX-512.
#pragma once

#include <cstdint>

namespace rowchain::crypto {

inline constexpr int kShaLanes = 16;

// Hashes kShaLanes padded messages. Lane l's message is block_count[l] 64-byte blocks at
// padded + l * lane_stride (already padded as FIPS 180-4 §5.1.1 says, with the length in its
// last block); a lane with block_count 0 is idle. Its digest goes to digests + 32 * l.
void Sha256LanesAvx512(const uint8_t* padded, uint32_t lane_stride, const uint32_t block_count[kShaLanes],
                       uint8_t* digests);

}  // namespace rowchain::crypto
