// Many messages at once (AVX-512 lanes where the CPU has them) against OpenSSL one at a time.
#include "crypto/sha256_many.h"

#include <gtest/gtest.h>

#include <random>

#include "crypto/cpu_features.h"

namespace rowchain::crypto {
namespace {

Digest Expected(uint8_t prefix, std::span<const uint8_t> message) {
  const std::span<const uint8_t> parts[] = {{&prefix, 1}, message};
  return Sha256Parts(parts);
}

std::vector<uint8_t> RandomBytes(std::mt19937& rng, size_t n) {
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

TEST(Sha256ManyTest, TheLanesAreUsedWhereTheCpuHasThem) {
  // Their self-test turns them off when they disagree with OpenSSL: on an AVX-512 CPU that is
  // a bug, not a fallback.
  EXPECT_EQ(Sha256ManyUsesLanes(), DetectCpuFeatures().avx512);
}

TEST(Sha256ManyTest, EveryLengthAndGroupSizeMatchesOneAtATime) {
  std::mt19937 rng(11);
  // Counts around the lane width and the lanes' minimum; lengths across the block boundaries
  // (55/56, 119/120, ...) and past the longest a lane takes, mixed in one call.
  for (size_t count : {0, 1, 5, 6, 15, 16, 17, 31, 33, 100}) {
    std::vector<std::vector<uint8_t>> messages;
    for (size_t i = 0; i < count; ++i) messages.push_back(RandomBytes(rng, (i * 37 + count) % 300));
    std::vector<Digest> out(count);
    Sha256ManyPrefixed(0x00, messages, out);
    for (size_t i = 0; i < count; ++i) {
      ASSERT_EQ(out[i], Expected(0x00, messages[i])) << "count " << count << ", message " << i << " of "
                                                     << messages[i].size() << " bytes";
    }
  }
  for (size_t length = 0; length <= 260; ++length) {
    std::vector<std::vector<uint8_t>> messages(16, RandomBytes(rng, length));
    messages[3] = RandomBytes(rng, length / 2);  // lanes of different lengths in one group
    std::vector<Digest> out(messages.size());
    Sha256ManyPrefixed(0x01, messages, out);
    for (size_t i = 0; i < messages.size(); ++i) ASSERT_EQ(out[i], Expected(0x01, messages[i])) << "length " << length;
  }
}

TEST(Sha256ManyTest, AMerkleLevelHashedInPlaceMatchesOneAtATime) {
  std::mt19937 rng(5);
  for (size_t nodes : {3, 6, 16, 17, 40, 500}) {
    std::vector<Digest> hashes(2 * nodes + 1);
    for (auto& h : hashes) {
      const std::vector<uint8_t> bytes = RandomBytes(rng, 32);
      std::copy(bytes.begin(), bytes.end(), h.begin());
    }
    std::vector<Digest> expected(nodes);
    const uint8_t* bytes = hashes[0].data();
    for (size_t k = 0; k < nodes; ++k) expected[k] = Expected(0x01, std::span(bytes + 64 * k, 64));
    Sha256ManyPrefixed(0x01, std::span(bytes, 64 * nodes), 64, std::span(hashes).first(nodes));
    for (size_t k = 0; k < nodes; ++k) ASSERT_EQ(hashes[k], expected[k]) << nodes << " nodes, node " << k;
  }
}

}  // namespace
}  // namespace rowchain::crypto
