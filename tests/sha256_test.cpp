// The portable compression function (shared with the CUDA kernel) against OpenSSL.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "crypto/sha256.h"
#include "crypto/sha256_compress.h"
#include "util/hex.h"

namespace rowchain::crypto {
namespace {

// SHA-256 of a message of at most 55 bytes, using only the portable compression.
Digest PortableSha256Short(const std::vector<uint8_t>& msg) {
  uint8_t block[64] = {};
  std::copy(msg.begin(), msg.end(), block);
  block[msg.size()] = 0x80;
  uint64_t bits = msg.size() * 8;
  for (int i = 0; i < 8; ++i) block[63 - i] = static_cast<uint8_t>(bits >> (8 * i));
  uint32_t words[16];
  for (int t = 0; t < 16; ++t) words[t] = sha256::LoadBigEndian32(block + 4 * t);
  uint32_t state[8];
  for (int i = 0; i < 8; ++i) state[i] = sha256::kInitialState[i];
  sha256::Compress(state, words);
  Digest out;
  for (int i = 0; i < 8; ++i) {
    for (int b = 0; b < 4; ++b) out[4 * i + b] = static_cast<uint8_t>(state[i] >> (24 - 8 * b));
  }
  return out;
}

TEST(Sha256Test, OpenSslMatchesFipsVectors) {
  const std::string abc = "abc";
  EXPECT_EQ(HexEncode(Sha256({reinterpret_cast<const uint8_t*>(abc.data()), abc.size()})),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, PortableCompressionMatchesOpenSsl) {
  std::mt19937 rng(7);
  for (size_t len = 0; len <= 55; ++len) {
    std::vector<uint8_t> msg(len);
    for (auto& b : msg) b = static_cast<uint8_t>(rng());
    EXPECT_EQ(PortableSha256Short(msg), Sha256(msg)) << "length " << len;
  }
}

TEST(Sha256Test, PartsEqualsWholeAndDoubleIsHashOfHash) {
  std::vector<uint8_t> a = {1, 2, 3}, b = {4, 5};
  std::vector<uint8_t> ab = {1, 2, 3, 4, 5};
  const std::span<const uint8_t> parts[] = {a, b};
  EXPECT_EQ(Sha256Parts(parts), Sha256(ab));
  Digest once = Sha256(ab);
  EXPECT_EQ(Sha256d(ab), Sha256(once));
}

}  // namespace
}  // namespace rowchain::crypto
