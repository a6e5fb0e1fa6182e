// Portable path: one nonce at a time in plain C++; the reference the SIMD paths are tested
// against, and what runs on CPUs without them.
#include "crypto/nonce_scan_kernel.h"
#include "crypto/nonce_scan_paths.h"

namespace rowchain::crypto {
namespace {

struct ScalarOps {
  using V = uint32_t;
  static constexpr int kLanes = 1;
  static ROWCHAIN_ALWAYS_INLINE V Set1(uint32_t x) { return x; }
  static ROWCHAIN_ALWAYS_INLINE V Add(V a, V b) { return a + b; }
  template <int N> static ROWCHAIN_ALWAYS_INLINE V Rotr(V x) { return std::rotr(x, N); }
  template <int N> static ROWCHAIN_ALWAYS_INLINE V Shr(V x) { return x >> N; }
  static ROWCHAIN_ALWAYS_INLINE V Xor3(V a, V b, V c) { return a ^ b ^ c; }
  static ROWCHAIN_ALWAYS_INLINE V Choose(V e, V f, V g) { return g ^ (e & (f ^ g)); }
  static ROWCHAIN_ALWAYS_INLINE V Majority(V a, V b, V c) { return (a & b) | (c & (a | b)); }
  static ROWCHAIN_ALWAYS_INLINE V ByteSwap(V x) { return __builtin_bswap32(x); }
  static ROWCHAIN_ALWAYS_INLINE uint32_t K(int t) { return sha256::kRoundConstants[t]; }
  static ROWCHAIN_ALWAYS_INLINE V LaneIndices() { return 0; }
  static ROWCHAIN_ALWAYS_INLINE uint32_t LanesAtMost(V x, uint32_t limit) { return x <= limit; }
};

}  // namespace

NonceScanResult ScanNoncesPortable(const NonceScanJob& job, uint32_t first_nonce,
                                   uint64_t count) {
  return Kernel<ScalarOps>::Scan(job, first_nonce, count);
}

}  // namespace rowchain::crypto
