// SHA-256d nonce search over an 80-byte block header: the hot path of mining.
//
// A header's first 64 bytes do not depend on the nonce, so their compression (the midstate)
// and everything else that does not depend on the nonce is computed once per header in a
// NonceScanJob. Each scan path (portable, AVX2, AVX-512, SHA-NI) then searches a nonce range
// for the first nonce whose hash has a top 32-bit word at or below the target's top word; the
// caller confirms such a candidate with a full hash (crypto/sha256.h) and the full target.
//
// Every path lives in its own source file compiled with its own instruction-set flags and is
// only called when the CPU supports it and it has passed its self-test. Thread-safe: jobs are
// immutable values and scans keep no state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rowchain::crypto {

inline constexpr size_t kHeaderSize = 80;

// Everything about one header that does not depend on its nonce (header bytes 76..79).
// Word names follow FIPS 180-4: W[t] is message word t of the header's second 64-byte chunk.
struct NonceScanJob {
  uint32_t midstate[8];   // state after compressing header bytes 0..63
  uint32_t tail[3];       // W[0..2]: header bytes 64..75 (end of Merkle root, time, bits)
  uint32_t state3[8];     // state after rounds 0..2 of the second chunk
  uint32_t e4_base;       // e after round 3 is e4_base + W[3]
  uint32_t a4_base;       // a after round 3 is a4_base + W[3]
  uint32_t k_plus_w[18];  // K[t] + W[t] for t = 4..17, where W[t] is nonce-independent
  uint32_t w16, w17;      // nonce-independent schedule words
  uint32_t w18_base;      // W[18] = w18_base + sigma0(W[3])
  uint32_t w19_base;      // W[19] = w19_base + W[3]
  uint32_t w30_add, w31_add, w32_add;  // folded constant terms of W[30..32]
  uint32_t target_top;    // a candidate's hash has top word (bytes 28..31, LE) <= target_top
};

// Builds the job for `header` (exactly 80 bytes) and a target whose most significant 32-bit
// word is `target_top_word`.
NonceScanJob PrepareNonceScan(std::span<const uint8_t, kHeaderSize> header,
                              uint32_t target_top_word);

struct NonceScanResult {
  std::optional<uint32_t> candidate;  // lowest nonce in range meeting the top-word test
  uint64_t nonces_scanned = 0;        // nonces hashed, including those past the candidate's lane group
};

enum class ScanPath { kPortable, kAvx2, kAvx512, kShaNi };

std::string_view ScanPathName(ScanPath path);
std::optional<ScanPath> ScanPathFromName(std::string_view name);
// All paths, best first on today's CPUs.
std::span<const ScanPath> AllScanPaths();

// Compiled into this binary (x86-64 paths are absent on other architectures).
bool ScanPathCompiled(ScanPath path);
// Compiled, supported by this CPU and passing its self-test; otherwise the reason.
Status ScanPathUsable(ScanPath path);

// Scans nonces [first_nonce, first_nonce + count); first_nonce + count <= 2^32.
// Precondition: ScanPathUsable(path).ok().
NonceScanResult ScanNonces(ScanPath path, const NonceScanJob& job, uint32_t first_nonce,
                           uint64_t count);

// The fastest usable path on this CPU, measured once per process (a few milliseconds).
ScanPath FastestScanPath();

}  // namespace rowchain::crypto
