// Sixteen SHA-256 messages in the lanes of AVX-512 registers: the message schedule is read
// with gathers (one word of every lane's block per instruction), the rounds use native rotates
// and vpternlogd for choose, majority and the three-way XORs, and a lane whose message has
// ended keeps its state through masked adds. Compiled with AVX-512 F/BW flags (CMakeLists.txt).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "crypto/sha256_constants.h"
#include "crypto/sha256_lanes.h"

namespace rowchain::crypto {
namespace {

using V = __m512i;

inline V Add(V a, V b) { return _mm512_add_epi32(a, b); }
inline V Xor3(V a, V b, V c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
inline V BigSigma0(V x) { return Xor3(_mm512_ror_epi32(x, 2), _mm512_ror_epi32(x, 13), _mm512_ror_epi32(x, 22)); }
inline V BigSigma1(V x) { return Xor3(_mm512_ror_epi32(x, 6), _mm512_ror_epi32(x, 11), _mm512_ror_epi32(x, 25)); }
inline V SmallSigma0(V x) { return Xor3(_mm512_ror_epi32(x, 7), _mm512_ror_epi32(x, 18), _mm512_srli_epi32(x, 3)); }
inline V SmallSigma1(V x) { return Xor3(_mm512_ror_epi32(x, 17), _mm512_ror_epi32(x, 19), _mm512_srli_epi32(x, 10)); }
inline V ByteSwap(V x) {
  const V mask = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
  return _mm512_shuffle_epi8(x, mask);
}

}  // namespace

void Sha256LanesAvx512(const uint8_t* padded, uint32_t lane_stride, const uint32_t block_count[kShaLanes],
                       uint8_t* digests) {
  const V counts = _mm512_loadu_si512(block_count);
  const V lane_offsets = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            _mm512_set1_epi32(static_cast<int>(lane_stride)));
  V state[8];
  for (int i = 0; i < 8; ++i) state[i] = _mm512_set1_epi32(static_cast<int>(sha256::kInitialState[i]));
  const uint32_t blocks = *std::max_element(block_count, block_count + kShaLanes);
  for (uint32_t j = 0; j < blocks; ++j) {
    const __mmask16 active = _mm512_cmpgt_epu32_mask(counts, _mm512_set1_epi32(static_cast<int>(j)));
    V w[16];
    const V block_offsets = Add(lane_offsets, _mm512_set1_epi32(static_cast<int>(j * 64)));
    for (int t = 0; t < 16; ++t) {
      // An idle lane reads its own region too (its stride is allocated), so every gather stays
      // inside the buffer; its words are simply not used.
      w[t] = ByteSwap(_mm512_i32gather_epi32(Add(block_offsets, _mm512_set1_epi32(4 * t)), padded, 1));
    }
    V a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
#pragma GCC unroll 64
    for (int t = 0; t < 64; ++t) {
      if (t >= 16) {
        w[t & 15] = Add(Add(w[t & 15], SmallSigma1(w[(t - 2) & 15])), Add(w[(t - 7) & 15], SmallSigma0(w[(t - 15) & 15])));
      }
      const V t1 = Add(Add(h, BigSigma1(e)), Add(_mm512_ternarylogic_epi32(e, f, g, 0xCA),
                                                 Add(_mm512_set1_epi32(static_cast<int>(sha256::kRoundConstants[t])),
                                                     w[t & 15])));
      const V t2 = Add(BigSigma0(a), _mm512_ternarylogic_epi32(a, b, c, 0xE8));
      h = g;
      g = f;
      f = e;
      e = Add(d, t1);
      d = c;
      c = b;
      b = a;
      a = Add(t1, t2);
    }
    const V rounds[8] = {a, b, c, d, e, f, g, h};
    for (int i = 0; i < 8; ++i) state[i] = _mm512_mask_add_epi32(state[i], active, state[i], rounds[i]);
  }
  alignas(64) uint32_t words[8][kShaLanes];
  for (int i = 0; i < 8; ++i) _mm512_store_si512(words[i], ByteSwap(state[i]));
  for (int lane = 0; lane < kShaLanes; ++lane) {
    for (int i = 0; i < 8; ++i) std::memcpy(digests + 32 * lane + 4 * i, &words[i][lane], 4);
  }
}

}  // namespace rowchain::crypto
