// Portable SHA-256 compression function, written once for the host and the CUDA kernel
// (ROWCHAIN_HD expands to __host__ __device__ under nvcc), so CI tests on the CPU the same
// round code the GPU runs. Pure; thread-safe.
#pragma once

#include <cstdint>

#include "crypto/sha256_constants.h"

#if defined(__CUDACC__)
#define ROWCHAIN_HD __host__ __device__ __forceinline__
#else
#define ROWCHAIN_HD inline
#endif

namespace rowchain::crypto::sha256 {

ROWCHAIN_HD constexpr uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
ROWCHAIN_HD constexpr uint32_t BigSigma0(uint32_t x) { return Rotr(x, 2) ^ Rotr(x, 13) ^ Rotr(x, 22); }
ROWCHAIN_HD constexpr uint32_t BigSigma1(uint32_t x) { return Rotr(x, 6) ^ Rotr(x, 11) ^ Rotr(x, 25); }
ROWCHAIN_HD constexpr uint32_t SmallSigma0(uint32_t x) { return Rotr(x, 7) ^ Rotr(x, 18) ^ (x >> 3); }
ROWCHAIN_HD constexpr uint32_t SmallSigma1(uint32_t x) { return Rotr(x, 17) ^ Rotr(x, 19) ^ (x >> 10); }
ROWCHAIN_HD constexpr uint32_t Choose(uint32_t e, uint32_t f, uint32_t g) { return g ^ (e & (f ^ g)); }
ROWCHAIN_HD constexpr uint32_t Majority(uint32_t a, uint32_t b, uint32_t c) {
  return (a & b) | (c & (a | b));
}

// One round on state s[0..7] = a..h with k_plus_w = K[t] + W[t].
ROWCHAIN_HD constexpr void Round(uint32_t s[8], uint32_t k_plus_w) {
  uint32_t t1 = s[7] + BigSigma1(s[4]) + Choose(s[4], s[5], s[6]) + k_plus_w;
  uint32_t t2 = BigSigma0(s[0]) + Majority(s[0], s[1], s[2]);
  s[7] = s[6]; s[6] = s[5]; s[5] = s[4]; s[4] = s[3] + t1;
  s[3] = s[2]; s[2] = s[1]; s[1] = s[0]; s[0] = t1 + t2;
}

// Big-endian 32-bit load, the way SHA-256 reads its message.
ROWCHAIN_HD constexpr uint32_t LoadBigEndian32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

ROWCHAIN_HD constexpr uint32_t ByteSwap32(uint32_t x) {
  return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
}

// Expands the 16 message words of one block into all 64.
ROWCHAIN_HD constexpr void ExpandMessage(uint32_t w[64]) {
  for (int t = 16; t < 64; ++t) {
    w[t] = SmallSigma1(w[t - 2]) + w[t - 7] + SmallSigma0(w[t - 15]) + w[t - 16];
  }
}

// state += compression of one 64-byte block given as 16 big-endian message words.
ROWCHAIN_HD constexpr void Compress(uint32_t state[8], const uint32_t block_words[16]) {
  uint32_t w[64] = {};
  for (int t = 0; t < 16; ++t) w[t] = block_words[t];
  ExpandMessage(w);
  uint32_t s[8] = {};
  for (int i = 0; i < 8; ++i) s[i] = state[i];
  for (int t = 0; t < 64; ++t) Round(s, kRoundConstants[t] + w[t]);
  for (int i = 0; i < 8; ++i) state[i] += s[i];
}

}  // namespace rowchain::crypto::sha256
