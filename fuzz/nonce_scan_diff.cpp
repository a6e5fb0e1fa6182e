// Differential: every CPU nonce-scan path this machine can run against OpenSSL's SHA-256d on
// fuzzed headers, ranges and targets. The lowest nonce whose hash's top word meets the target
// must be the same, or none for every path.
#include <algorithm>
#include <array>
#include <optional>

#include "crypto/nonce_scan.h"
#include "crypto/sha256.h"
#include "fuzz.h"

namespace {

using rowchain::crypto::kHeaderSize;

uint32_t ReadLe32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t{p[3]} << 24); }

// The reference: hash each nonce with OpenSSL.
std::optional<uint32_t> Reference(std::array<uint8_t, kHeaderSize> header, uint32_t first, uint64_t count,
                                  uint32_t target_top) {
  for (uint64_t i = 0; i < count; ++i) {
    const uint32_t nonce = static_cast<uint32_t>(first + i);
    for (int b = 0; b < 4; ++b) header[76 + b] = static_cast<uint8_t>(nonce >> (8 * b));
    const rowchain::crypto::Digest hash = rowchain::crypto::Sha256d(header);
    if (ReadLe32(hash.data() + 28) <= target_top) return nonce;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  if (size < kHeaderSize + 8) return 0;
  std::array<uint8_t, kHeaderSize> header;
  std::copy(data, data + kHeaderSize, header.begin());
  const uint32_t first = ReadLe32(data + kHeaderSize);
  const uint64_t count = std::min<uint64_t>(1 + data[kHeaderSize + 4] * 8, (uint64_t{1} << 32) - first);
  // Targets that some nonce in a short range meets: the top word's high bits only.
  const uint32_t target_top = 0xffffffffu >> (data[kHeaderSize + 5] % 12);
  const std::optional<uint32_t> expected = Reference(header, first, count, target_top);
  const crypto::NonceScanJob job = crypto::PrepareNonceScan(header, target_top);
  for (crypto::ScanPath path : crypto::AllScanPaths()) {
    if (!crypto::ScanPathUsable(path).ok()) continue;
    const crypto::NonceScanResult result = crypto::ScanNonces(path, job, first, count);
    fuzz::Require(result.candidate == expected, "a nonce-scan path agrees with OpenSSL");
  }
  return 0;
}
