// The SHA-256d nonce-search kernel, written once over a lane type and instantiated by the
// portable, AVX2 and AVX-512 paths (nonce_scan_<path>.cpp), each compiled with its own flags.
//
// Include only from those files. Everything here has internal linkage on purpose: an inline
// function with external linkage compiled once with AVX-512 flags could be picked by the
// linker for the portable path and fault on a CPU without AVX-512.
//
// An Ops type supplies the lane vector V and: Set1, Add, Rotr<N>, Shr<N>, Xor3, Choose,
// Majority, ByteSwap, K(t) (round constant t), LaneIndices, and LanesAtMost(V, limit) -> bit
// mask of lanes <= limit. Only HashTopWord is needed on the GPU.
#pragma once

#include <bit>
#include <cstdint>

#include "crypto/nonce_scan.h"
#include "crypto/sha256_constants.h"

// The same template runs on the GPU (kernels/cuda_nonce_search.cu): under nvcc its functions
// are __host__ __device__, and the unroll hints use nvcc's spelling.
#define ROWCHAIN_PRAGMA(x) _Pragma(#x)
#if defined(__CUDACC__)
#define ROWCHAIN_ALWAYS_INLINE __host__ __device__ __forceinline__
#define ROWCHAIN_UNROLL(n) ROWCHAIN_PRAGMA(unroll)
#else
#define ROWCHAIN_ALWAYS_INLINE inline __attribute__((always_inline))
#define ROWCHAIN_UNROLL(n) ROWCHAIN_PRAGMA(GCC unroll n)
#endif

namespace rowchain::crypto {
namespace {  // NOLINT: internal linkage per including file, see above.

namespace kernel_constants {
using namespace sha256;  // NOLINT
consteval uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
consteval uint32_t Sigma0(uint32_t x) { return Rotr(x, 7) ^ Rotr(x, 18) ^ (x >> 3); }
consteval uint32_t Sigma1(uint32_t x) { return Rotr(x, 17) ^ Rotr(x, 19) ^ (x >> 10); }
consteval uint32_t T1Round0() {
  uint32_t e = kInitialState[4], f = kInitialState[5], g = kInitialState[6];
  return kInitialState[7] + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + (g ^ (e & (f ^ g))) +
         kRoundConstants[0];
}
consteval uint32_t T2Round0() {
  uint32_t a = kInitialState[0], b = kInitialState[1], c = kInitialState[2];
  return (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) | (c & (a | b)));
}
// First hash, second chunk: padding of the 80-byte header, W[4] and W[15] (length in bits).
inline constexpr uint32_t kHeaderPad = 0x80000000u, kHeaderLength = 640;
// Second hash: the message is the 32-byte first hash, so W[8] = 0x80000000, W[9..14] = 0,
// W[15] = 256 (bits), and round 0 starts from the constant initial state.
inline constexpr uint32_t kPad = 0x80000000u, kLength = 256;
// Scalars rather than array reads, so that device code sees plain constants.
inline constexpr uint32_t kIv0 = kInitialState[0], kIv1 = kInitialState[1], kIv2 = kInitialState[2],
                          kIv4 = kInitialState[4], kIv5 = kInitialState[5], kIv6 = kInitialState[6],
                          kIv7 = kInitialState[7];
inline constexpr uint32_t kE1Base = kInitialState[3] + T1Round0();
inline constexpr uint32_t kA1Base = T1Round0() + T2Round0();
inline constexpr uint32_t kW17Add = Sigma1(kLength);
inline constexpr uint32_t kW23Add = Sigma0(kPad);
inline constexpr uint32_t kW30Add = Sigma0(kLength);
}  // namespace kernel_constants

template <class O>
struct Kernel {
  using V = typename O::V;

  static ROWCHAIN_ALWAYS_INLINE V Add(V a, V b) { return O::Add(a, b); }
  static ROWCHAIN_ALWAYS_INLINE V Add(V a, V b, V c) { return O::Add(O::Add(a, b), c); }
  static ROWCHAIN_ALWAYS_INLINE V S(uint32_t x) { return O::Set1(x); }
  static ROWCHAIN_ALWAYS_INLINE V BigSigma0(V x) {
    return O::Xor3(O::template Rotr<2>(x), O::template Rotr<13>(x), O::template Rotr<22>(x));
  }
  static ROWCHAIN_ALWAYS_INLINE V BigSigma1(V x) {
    return O::Xor3(O::template Rotr<6>(x), O::template Rotr<11>(x), O::template Rotr<25>(x));
  }
  static ROWCHAIN_ALWAYS_INLINE V Sigma0(V x) {
    return O::Xor3(O::template Rotr<7>(x), O::template Rotr<18>(x), O::template Shr<3>(x));
  }
  static ROWCHAIN_ALWAYS_INLINE V Sigma1(V x) {
    return O::Xor3(O::template Rotr<17>(x), O::template Rotr<19>(x), O::template Shr<10>(x));
  }

  struct State {
    V a, b, c, d, e, f, g, h;

    // One full round; the renaming below is free once the compiler is in SSA form.
    ROWCHAIN_ALWAYS_INLINE void Round(V k_plus_w) {
      V t1 = Add(Add(h, k_plus_w), O::Choose(e, f, g), BigSigma1(e));
      V t2 = Add(BigSigma0(a), O::Majority(a, b, c));
      h = g; g = f; f = e; e = Add(d, t1);
      d = c; c = b; b = a; a = Add(t1, t2);
    }
    // A round whose `a` is never read again: only e is carried forward.
    ROWCHAIN_ALWAYS_INLINE void RoundEOnly(V k_plus_w) {
      V t1 = Add(Add(h, k_plus_w), O::Choose(e, f, g), BigSigma1(e));
      h = g; g = f; f = e; e = Add(d, t1);
      d = c; c = b; b = a;
    }
  };

  // A sliding window over the last 16 message words, oldest first.
  struct Window {
    V w[16];
    ROWCHAIN_ALWAYS_INLINE V Next() {
      V next = Add(Add(Sigma1(w[14]), w[9]), Add(Sigma0(w[1]), w[0]));
ROWCHAIN_UNROLL(16)
      for (int i = 0; i < 15; ++i) w[i] = w[i + 1];
      w[15] = next;
      return next;
    }
  };

  // Top word (H[7]) of SHA-256d(header with nonce), for every lane's nonce.
  static ROWCHAIN_ALWAYS_INLINE V HashTopWord(const NonceScanJob& job, V nonce) {
    using namespace kernel_constants;  // NOLINT

    // First hash, second chunk. Rounds 0..2 are in the job; W[3] is the byte-swapped nonce.
    V w3 = O::ByteSwap(nonce);
    State s{Add(w3, S(job.a4_base)), S(job.state3[0]), S(job.state3[1]), S(job.state3[2]),
            Add(w3, S(job.e4_base)), S(job.state3[4]), S(job.state3[5]), S(job.state3[6])};
ROWCHAIN_UNROLL(14)
    for (int t = 4; t < 18; ++t) s.Round(S(job.k_plus_w[t]));

    Window win;
    V* w = win.w;  // w[i] holds W[18 + i] until the general schedule starts.
    w[0] = Add(S(job.w18_base), Sigma0(w3));
    w[1] = Add(S(job.w19_base), w3);
    w[2] = Add(Sigma1(w[0]), S(kHeaderPad));
    w[3] = Sigma1(w[1]);
    w[4] = Add(Sigma1(w[2]), S(kHeaderLength));
    w[5] = Add(Sigma1(w[3]), S(job.w16));
    w[6] = Add(Sigma1(w[4]), S(job.w17));
ROWCHAIN_UNROLL(5)
    for (int i = 7; i < 12; ++i) w[i] = Add(Sigma1(w[i - 2]), w[i - 7]);
    w[12] = Add(Sigma1(w[10]), w[5], S(job.w30_add));
    w[13] = Add(Sigma1(w[11]), w[6], S(job.w31_add));
    w[14] = Add(Sigma1(w[12]), w[7], S(job.w32_add));
    w[15] = Add(Add(Sigma1(w[13]), w[8]), Add(Sigma0(w[0]), S(job.w17)));
ROWCHAIN_UNROLL(16)
    for (int t = 18; t < 34; ++t) s.Round(Add(S(O::K(t)), w[t - 18]));
ROWCHAIN_UNROLL(30)
    for (int t = 34; t < 64; ++t) s.Round(Add(S(O::K(t)), win.Next()));

    // First hash = midstate + state: the second hash's message words W[0..7].
    V m[8] = {Add(s.a, S(job.midstate[0])), Add(s.b, S(job.midstate[1])),
              Add(s.c, S(job.midstate[2])), Add(s.d, S(job.midstate[3])),
              Add(s.e, S(job.midstate[4])), Add(s.f, S(job.midstate[5])),
              Add(s.g, S(job.midstate[6])), Add(s.h, S(job.midstate[7]))};

    // Second hash. Round 0 runs from the constant initial state.
    State r{Add(m[0], S(kA1Base)), S(kIv0), S(kIv1), S(kIv2), Add(m[0], S(kE1Base)), S(kIv4),
            S(kIv5), S(kIv6)};
ROWCHAIN_UNROLL(7)
    for (int t = 1; t < 8; ++t) r.Round(Add(S(O::K(t)), m[t]));
ROWCHAIN_UNROLL(8)
    for (int t = 8; t < 16; ++t) {
      uint32_t wt = t == 8 ? kPad : t == 15 ? kLength : 0;
      r.Round(S(O::K(t) + wt));
    }
    V* x = win.w;  // x[i] holds W[16 + i] of the second hash.
    x[0] = Add(Sigma0(m[1]), m[0]);
    x[1] = Add(Sigma0(m[2]), m[1], S(kW17Add));
ROWCHAIN_UNROLL(4)
    for (int i = 2; i < 6; ++i) x[i] = Add(Sigma1(x[i - 2]), Sigma0(m[i + 1]), m[i]);
    x[6] = Add(Add(Sigma1(x[4]), Sigma0(m[7])), Add(m[6], S(kLength)));
    x[7] = Add(Add(Sigma1(x[5]), x[0]), Add(m[7], S(kW23Add)));
    x[8] = Add(Sigma1(x[6]), x[1], S(kPad));
ROWCHAIN_UNROLL(5)
    for (int i = 9; i < 14; ++i) x[i] = Add(Sigma1(x[i - 2]), x[i - 7]);
    x[14] = Add(Sigma1(x[12]), x[7], S(kW30Add));
    x[15] = Add(Add(Sigma1(x[13]), x[8]), Add(Sigma0(x[0]), S(kLength)));
ROWCHAIN_UNROLL(16)
    for (int t = 16; t < 32; ++t) r.Round(Add(S(O::K(t)), x[t - 16]));
ROWCHAIN_UNROLL(25)
    for (int t = 32; t < 57; ++t) r.Round(Add(S(O::K(t)), win.Next()));
    // H[7] = IV[7] + h after round 63 = IV[7] + e after round 60: rounds 61..63 are skipped
    // and rounds 57..60 only need e (a after round 56 is the last one read).
ROWCHAIN_UNROLL(4)
    for (int t = 57; t < 61; ++t) r.RoundEOnly(Add(S(O::K(t)), win.Next()));
    return Add(r.e, S(kIv7));
  }

  static NonceScanResult Scan(const NonceScanJob& job, uint32_t first_nonce, uint64_t count) {
    NonceScanResult result;
    const V lane_indices = O::LaneIndices();
    for (uint64_t done = 0; done < count; done += O::kLanes) {
      const uint32_t base = first_nonce + static_cast<uint32_t>(done);
      V top = O::ByteSwap(HashTopWord(job, Add(S(base), lane_indices)));
      uint32_t hits = O::LanesAtMost(top, job.target_top);
      const uint64_t left = count - done;
      if (left < O::kLanes) hits &= (1u << left) - 1;  // lanes past the range's end
      if (hits != 0) {
        result.candidate = base + static_cast<uint32_t>(std::countr_zero(hits));
        result.nonces_scanned = done + O::kLanes;
        return result;
      }
    }
    result.nonces_scanned = count;
    return result;
  }
};

}  // namespace
}  // namespace rowchain::crypto
