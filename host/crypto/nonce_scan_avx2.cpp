// AVX2 path: 8 nonces per instruction. Compiled with -mavx2 (CMakeLists.txt); only called
// after a CPUID check.
#include <immintrin.h>

#include "crypto/nonce_scan_kernel.h"
#include "crypto/nonce_scan_paths.h"

namespace rowchain::crypto {
namespace {

struct Avx2Ops {
  using V = __m256i;
  static constexpr int kLanes = 8;
  static ROWCHAIN_ALWAYS_INLINE V Set1(uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }
  static ROWCHAIN_ALWAYS_INLINE V Add(V a, V b) { return _mm256_add_epi32(a, b); }
  template <int N> static ROWCHAIN_ALWAYS_INLINE V Rotr(V x) {
    return _mm256_or_si256(_mm256_srli_epi32(x, N), _mm256_slli_epi32(x, 32 - N));
  }
  template <int N> static ROWCHAIN_ALWAYS_INLINE V Shr(V x) { return _mm256_srli_epi32(x, N); }
  static ROWCHAIN_ALWAYS_INLINE V Xor3(V a, V b, V c) {
    return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
  }
  static ROWCHAIN_ALWAYS_INLINE V Choose(V e, V f, V g) {
    return _mm256_xor_si256(g, _mm256_and_si256(e, _mm256_xor_si256(f, g)));
  }
  static ROWCHAIN_ALWAYS_INLINE V Majority(V a, V b, V c) {
    return _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
  }
  static ROWCHAIN_ALWAYS_INLINE V ByteSwap(V x) {
    const V mask = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
                                    3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    return _mm256_shuffle_epi8(x, mask);
  }
  static ROWCHAIN_ALWAYS_INLINE uint32_t K(int t) { return sha256::kRoundConstants[t]; }
  static ROWCHAIN_ALWAYS_INLINE V LaneIndices() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
  static ROWCHAIN_ALWAYS_INLINE uint32_t LanesAtMost(V x, uint32_t limit) {
    V lim = Set1(limit);
    V at_most = _mm256_cmpeq_epi32(_mm256_min_epu32(x, lim), x);
    return static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(at_most)));
  }
};

}  // namespace

NonceScanResult ScanNoncesAvx2(const NonceScanJob& job, uint32_t first_nonce, uint64_t count) {
  return Kernel<Avx2Ops>::Scan(job, first_nonce, count);
}

}  // namespace rowchain::crypto
