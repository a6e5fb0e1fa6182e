// AVX-512 path: 16 nonces per instruction, native rotates and three-input logic
// (vpternlogd) for choose, majority and the three-way XORs. Compiled with AVX-512 F/BW flags
// (CMakeLists.txt); only called after a CPUID check.
#include <immintrin.h>

#include "crypto/nonce_scan_kernel.h"
#include "crypto/nonce_scan_paths.h"

namespace rowchain::crypto {
namespace {

struct Avx512Ops {
  using V = __m512i;
  static constexpr int kLanes = 16;
  static ROWCHAIN_ALWAYS_INLINE V Set1(uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }
  static ROWCHAIN_ALWAYS_INLINE V Add(V a, V b) { return _mm512_add_epi32(a, b); }
  template <int N> static ROWCHAIN_ALWAYS_INLINE V Rotr(V x) { return _mm512_ror_epi32(x, N); }
  template <int N> static ROWCHAIN_ALWAYS_INLINE V Shr(V x) { return _mm512_srli_epi32(x, N); }
  // vpternlogd truth tables over (A, B, C) = (0xF0, 0xCC, 0xAA).
  static ROWCHAIN_ALWAYS_INLINE V Xor3(V a, V b, V c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
  static ROWCHAIN_ALWAYS_INLINE V Choose(V e, V f, V g) { return _mm512_ternarylogic_epi32(e, f, g, 0xCA); }
  static ROWCHAIN_ALWAYS_INLINE V Majority(V a, V b, V c) { return _mm512_ternarylogic_epi32(a, b, c, 0xE8); }
  static ROWCHAIN_ALWAYS_INLINE V ByteSwap(V x) {
    const V mask = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
    return _mm512_shuffle_epi8(x, mask);
  }
  static ROWCHAIN_ALWAYS_INLINE uint32_t K(int t) { return sha256::kRoundConstants[t]; }
  static ROWCHAIN_ALWAYS_INLINE V LaneIndices() {
    return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  }
  static ROWCHAIN_ALWAYS_INLINE uint32_t LanesAtMost(V x, uint32_t limit) {
    return _mm512_cmple_epu32_mask(x, Set1(limit));
  }
};

}  // namespace

NonceScanResult ScanNoncesAvx512(const NonceScanJob& job, uint32_t first_nonce,
                                 uint64_t count) {
  return Kernel<Avx512Ops>::Scan(job, first_nonce, count);
}

}  // namespace rowchain::crypto
