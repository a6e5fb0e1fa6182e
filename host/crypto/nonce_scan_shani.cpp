// SHA-NI path: the x86 SHA extensions (sha256rnds2 does two rounds), with several nonces in
// flight at once so that one stream's round latency hides behind the others'. Compiled with
// -msha -msse4.1 (CMakeLists.txt); only called after a CPUID check.
#include <immintrin.h>

#include <bit>

#include "crypto/nonce_scan_paths.h"
#include "crypto/sha256_constants.h"

#define ROWCHAIN_ALWAYS_INLINE inline __attribute__((always_inline))

namespace rowchain::crypto {
namespace {

using sha256::kInitialState;
using sha256::kRoundConstants;

constexpr int kStreams = 2;

// SHA-NI keeps the state as two vectors: ABEF = (F, E, B, A) and CDGH = (H, G, D, C), lane 0
// first.
struct NiState {
  __m128i abef, cdgh;
};

ROWCHAIN_ALWAYS_INLINE NiState ToNiState(const uint32_t s[8]) {
  auto i = [](uint32_t x) { return static_cast<int>(x); };
  return {_mm_setr_epi32(i(s[5]), i(s[4]), i(s[1]), i(s[0])),
          _mm_setr_epi32(i(s[7]), i(s[6]), i(s[3]), i(s[2]))};
}

// Compresses one block per stream. msg[i][0..3] hold the block's words W[0..15], lane 0 first.
// With kSkipLastRounds the final two rounds (62, 63) are left out: afterwards lane 0 of abef
// holds F after round 61, which is E after round 60, which is the final H before the feed-
// forward add.
template <bool kSkipLastRounds>
ROWCHAIN_ALWAYS_INLINE void Compress(NiState (&st)[kStreams], __m128i (&msg)[kStreams][4]) {
  NiState saved[kStreams];
#pragma GCC unroll 4
  for (int i = 0; i < kStreams; ++i) saved[i] = st[i];
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    const __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&kRoundConstants[4 * g]));
#pragma GCC unroll 4
    for (int i = 0; i < kStreams; ++i) {
      __m128i(&m)[4] = msg[i];
      if (g >= 4) {
        // W[4g..4g+3] from W[4g-16..4g-1], which sit in m[g%4], m[(g+1)%4], ..., m[(g+3)%4].
        __m128i w = _mm_sha256msg1_epu32(m[g % 4], m[(g + 1) % 4]);
        w = _mm_add_epi32(w, _mm_alignr_epi8(m[(g + 3) % 4], m[(g + 2) % 4], 4));
        m[g % 4] = _mm_sha256msg2_epu32(w, m[(g + 3) % 4]);
      }
      const __m128i kw = _mm_add_epi32(m[g % 4], k);
      st[i].cdgh = _mm_sha256rnds2_epu32(st[i].cdgh, st[i].abef, kw);
      if (kSkipLastRounds && g == 15) continue;
      st[i].abef = _mm_sha256rnds2_epu32(st[i].abef, st[i].cdgh, _mm_shuffle_epi32(kw, 0x0E));
    }
  }
  if constexpr (kSkipLastRounds) {
    // After rounds 0..61 the newest pair (A, B, E, F) is in cdgh, not abef.
#pragma GCC unroll 4
    for (int i = 0; i < kStreams; ++i) std::swap(st[i].abef, st[i].cdgh);
    return;
  }
#pragma GCC unroll 4
  for (int i = 0; i < kStreams; ++i) {
    st[i].abef = _mm_add_epi32(st[i].abef, saved[i].abef);
    st[i].cdgh = _mm_add_epi32(st[i].cdgh, saved[i].cdgh);
  }
}

}  // namespace

NonceScanResult ScanNoncesShaNi(const NonceScanJob& job, uint32_t first_nonce, uint64_t count) {
  const NiState mid = ToNiState(job.midstate);
  const NiState iv = ToNiState(kInitialState);
  const __m128i zero = _mm_setzero_si128();
  const __m128i pad_header = _mm_setr_epi32(static_cast<int>(0x80000000u), 0, 0, 0);
  const __m128i length_header = _mm_setr_epi32(0, 0, 0, 640);
  const __m128i length_digest = _mm_setr_epi32(0, 0, 0, 256);
  const __m128i tail = _mm_setr_epi32(static_cast<int>(job.tail[0]), static_cast<int>(job.tail[1]),
                                      static_cast<int>(job.tail[2]), 0);

  NonceScanResult result;
  for (uint64_t done = 0; done < count; done += kStreams) {
    const uint32_t base = first_nonce + static_cast<uint32_t>(done);
    NiState st[kStreams];
    __m128i msg[kStreams][4];
#pragma GCC unroll 4
    for (int i = 0; i < kStreams; ++i) {
      st[i] = mid;
      uint32_t w3 = __builtin_bswap32(base + static_cast<uint32_t>(i));
      msg[i][0] = _mm_insert_epi32(tail, static_cast<int>(w3), 3);
      msg[i][1] = pad_header;
      msg[i][2] = zero;
      msg[i][3] = length_header;
    }
    Compress</*kSkipLastRounds=*/false>(st, msg);
#pragma GCC unroll 4
    for (int i = 0; i < kStreams; ++i) {
      // (F, E, B, A) and (H, G, D, C) -> digest words (A, B, C, D) and (E, F, G, H).
      msg[i][0] = _mm_shuffle_epi32(_mm_unpackhi_epi64(st[i].abef, st[i].cdgh), 0xB1);
      msg[i][1] = _mm_shuffle_epi32(_mm_unpacklo_epi64(st[i].abef, st[i].cdgh), 0xB1);
      msg[i][2] = pad_header;
      msg[i][3] = length_digest;
      st[i] = iv;
    }
    Compress</*kSkipLastRounds=*/true>(st, msg);
    uint32_t hits = 0;
#pragma GCC unroll 4
    for (int i = 0; i < kStreams; ++i) {
      uint32_t h7 = static_cast<uint32_t>(_mm_cvtsi128_si32(st[i].abef)) + kInitialState[7];
      hits |= static_cast<uint32_t>(__builtin_bswap32(h7) <= job.target_top) << i;
    }
    const uint64_t left = count - done;
    if (left < kStreams) hits &= (1u << left) - 1;
    if (hits != 0) {
      result.candidate = base + static_cast<uint32_t>(std::countr_zero(hits));
      result.nonces_scanned = done + kStreams;
      return result;
    }
  }
  result.nonces_scanned = count;
  return result;
}

}  // namespace rowchain::crypto
