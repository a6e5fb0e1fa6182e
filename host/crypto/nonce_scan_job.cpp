#include "crypto/nonce_scan.h"

#include "crypto/sha256_compress.h"

namespace rowchain::crypto {

using namespace sha256;  // NOLINT: the FIPS names read best unqualified here.

NonceScanJob PrepareNonceScan(std::span<const uint8_t, kHeaderSize> header,
                              uint32_t target_top_word) {
  NonceScanJob job{};
  uint32_t first_chunk[16];
  for (int t = 0; t < 16; ++t) first_chunk[t] = LoadBigEndian32(header.data() + 4 * t);
  for (int i = 0; i < 8; ++i) job.midstate[i] = kInitialState[i];
  Compress(job.midstate, first_chunk);

  const uint32_t* w = job.tail;
  for (int t = 0; t < 3; ++t) job.tail[t] = LoadBigEndian32(header.data() + 64 + 4 * t);

  uint32_t s[8];
  for (int i = 0; i < 8; ++i) s[i] = job.midstate[i];
  for (int t = 0; t < 3; ++t) Round(s, kRoundConstants[t] + w[t]);
  for (int i = 0; i < 8; ++i) job.state3[i] = s[i];

  // Round 3 with W[3] left out: t1 = base + W[3].
  uint32_t t1_base = s[7] + BigSigma1(s[4]) + Choose(s[4], s[5], s[6]) + kRoundConstants[3];
  job.e4_base = s[3] + t1_base;
  job.a4_base = t1_base + BigSigma0(s[0]) + Majority(s[0], s[1], s[2]);

  // Padding of an 80-byte message: W[4] = 0x80000000, W[5..14] = 0, W[15] = 640 (bits).
  constexpr uint32_t kPad = 0x80000000u, kLength = 640;
  job.w16 = SmallSigma0(w[1]) + w[0];
  job.w17 = SmallSigma1(kLength) + SmallSigma0(w[2]) + w[1];
  job.w18_base = SmallSigma1(job.w16) + w[2];
  job.w19_base = SmallSigma1(job.w17) + SmallSigma0(kPad);
  for (int t = 4; t < 16; ++t) {
    uint32_t wt = t == 4 ? kPad : t == 15 ? kLength : 0;
    job.k_plus_w[t] = kRoundConstants[t] + wt;
  }
  job.k_plus_w[16] = kRoundConstants[16] + job.w16;
  job.k_plus_w[17] = kRoundConstants[17] + job.w17;
  job.w30_add = SmallSigma0(kLength);
  job.w31_add = SmallSigma0(job.w16) + kLength;
  job.w32_add = SmallSigma0(job.w17) + job.w16;
  job.target_top = target_top_word;
  return job;
}

}  // namespace rowchain::crypto
