#include "crypto/nonce_scan_selftest.h"

#include <array>
#include <cstring>

#include <fmt/format.h>
#include "crypto/sha256.h"

namespace rowchain::crypto {
namespace {

// Bitcoin's genesis block header; its nonce is 2083236893 and its hash's top word is 0.
constexpr std::array<uint8_t, kHeaderSize> kGenesisHeader = {
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x3b, 0xa3, 0xed, 0xfd, 0x7a, 0x7b, 0x12, 0xb2, 0x7a, 0xc7, 0x2c, 0x3e,
    0x67, 0x76, 0x8f, 0x61, 0x7f, 0xc8, 0x1b, 0xc3, 0x88, 0x8a, 0x51, 0x32, 0x3a, 0x9f, 0xb8, 0xaa,
    0x4b, 0x1e, 0x5e, 0x4a, 0x29, 0xab, 0x5f, 0x49, 0xff, 0xff, 0x00, 0x1d, 0x1d, 0xac, 0x2b, 0x7c};
constexpr uint32_t kGenesisNonce = 2083236893;

// The hash's top word as the scan paths define it: bytes 28..31 read little-endian.
uint32_t TopWordWithOpenSsl(std::array<uint8_t, kHeaderSize> header, uint32_t nonce) {
  for (int i = 0; i < 4; ++i) header[76 + i] = static_cast<uint8_t>(nonce >> (8 * i));
  Digest d = Sha256d(header);
  return uint32_t{d[28]} | uint32_t{d[29]} << 8 | uint32_t{d[30]} << 16 | uint32_t{d[31]} << 24;
}

Status Fail(std::string_view path_name, std::string_view what) {
  return InternalError(fmt::format("self-test of the {} path failed: {}", path_name, what));
}

}  // namespace

Status SelfTestScanPath(NonceScanResult (*scan)(const NonceScanJob&, uint32_t, uint64_t),
                              std::string_view path_name) {
  // Known answer: the genesis nonce, from a range that starts and ends off lane boundaries.
  NonceScanJob genesis = PrepareNonceScan(kGenesisHeader, /*target_top_word=*/0);
  NonceScanResult found = scan(genesis, kGenesisNonce - 37, 50);
  if (found.candidate != kGenesisNonce) return Fail(path_name, "genesis nonce not found");
  NonceScanResult missed = scan(genesis, kGenesisNonce + 1, 45);
  if (missed.candidate.has_value()) return Fail(path_name, "false candidate after genesis nonce");

  // Easy targets: every reported candidate must be the first nonce OpenSSL agrees on.
  std::array<uint8_t, kHeaderSize> header = kGenesisHeader;
  header[40] ^= 0x5a;  // some other Merkle root
  constexpr uint32_t kEasyTop = 0x0fffffff;
  NonceScanJob easy = PrepareNonceScan(header, kEasyTop);
  for (uint32_t start : {0u, 1u, 13u, 1000003u, 0xffffffc0u}) {
    NonceScanResult r = scan(easy, start, 64);
    uint32_t expected_first = 0;
    bool any = false;
    for (uint32_t n = start; n - start < 64; ++n) {
      if (TopWordWithOpenSsl(header, n) <= kEasyTop) {
        expected_first = n;
        any = true;
        break;
      }
    }
    if (r.candidate.has_value() != any || (any && *r.candidate != expected_first)) {
      return Fail(path_name, fmt::format("disagrees with OpenSSL from nonce {}", start));
    }
  }
  return OkStatus();
}

NonceScanJob SelfTestBenchJob() { return PrepareNonceScan(kGenesisHeader, /*target_top_word=*/0); }

}  // namespace rowchain::crypto
