#include "crypto/sha256_many.h"

#include <array>
#include <cstring>

#include "crypto/cpu_features.h"
#include "crypto/sha256_lanes.h"

namespace rowchain::crypto {
namespace {

Digest HashOne(uint8_t prefix, std::span<const uint8_t> message) {
  const std::span<const uint8_t> parts[] = {{&prefix, 1}, message};
  return Sha256Parts(parts);
}

// Message i of a call, whichever way the caller holds them.
template <class Messages>
void HashOneByOne(uint8_t prefix, const Messages& messages, size_t first, std::span<Digest> out) {
  for (size_t i = first; i < out.size(); ++i) out[i] = HashOne(prefix, messages(i));
}

struct VectorMessages {
  std::span<const std::vector<uint8_t>> vectors;
  std::span<const uint8_t> operator()(size_t i) const { return vectors[i]; }
};

struct PackedMessages {
  std::span<const uint8_t> bytes;
  size_t size;
  std::span<const uint8_t> operator()(size_t i) const { return bytes.subspan(i * size, size); }
};

#if defined(ROWCHAIN_X86_64)
// Longer messages go one at a time: in a group, every lane runs as many blocks as the longest.
constexpr uint32_t kMaxLaneBlocks = 4;
constexpr uint32_t kLaneStride = kMaxLaneBlocks * 64;
// Below this many messages, a group costs more in lanes than one by one (SHA-NI through OpenSSL).
constexpr size_t kMinLanesUsed = 6;

// Messages padded into lanes, hashed sixteen at a time.
class LaneBatch {
 public:
  LaneBatch() { m_padded.fill(0); }

  static bool Fits(size_t message_size) { return BlocksFor(message_size) <= kMaxLaneBlocks; }

  // Adds prefix || message as the next lane; its digest goes to *target when the batch is run.
  void Add(uint8_t prefix, std::span<const uint8_t> message, Digest* target) {
    const size_t total = 1 + message.size();
    const uint32_t blocks = BlocksFor(message.size());
    uint8_t* lane = m_padded.data() + m_used * kLaneStride;
    lane[0] = prefix;
    if (!message.empty()) std::memcpy(lane + 1, message.data(), message.size());
    lane[total] = 0x80;
    const size_t end = blocks * 64;
    std::memset(lane + total + 1, 0, end - 8 - (total + 1));
    const uint64_t bits = uint64_t{total} * 8;
    for (int i = 0; i < 8; ++i) lane[end - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
    m_blocks[m_used] = blocks;
    m_targets[m_used] = target;
    ++m_used;
  }
  bool full() const { return m_used == kShaLanes; }
  size_t used() const { return m_used; }

  void Run() {
    for (size_t lane = m_used; lane < kShaLanes; ++lane) m_blocks[lane] = 0;
    alignas(64) uint8_t digests[kShaLanes * 32];
    Sha256LanesAvx512(m_padded.data(), kLaneStride, m_blocks.data(), digests);
    for (size_t lane = 0; lane < m_used; ++lane) std::memcpy(m_targets[lane]->data(), digests + 32 * lane, 32);
    m_used = 0;
  }

 private:
  // Prefix, message, the 0x80 byte and the 8-byte length, rounded up to whole blocks.
  static uint32_t BlocksFor(size_t message_size) { return static_cast<uint32_t>((1 + message_size + 9 + 63) / 64); }

  alignas(64) std::array<uint8_t, kShaLanes * kLaneStride> m_padded;
  std::array<uint32_t, kShaLanes> m_blocks{};
  std::array<Digest*, kShaLanes> m_targets{};
  size_t m_used = 0;
};

// The lanes against OpenSSL on messages of every length a lane takes, once per process: a
// wrong digest here would be a consensus failure, so a path that disagrees is never used.
bool LanesAgreeWithOpenSsl() {
  std::array<uint8_t, kLaneStride> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 131 + 7);
  for (size_t start = 0; start < kLaneStride; start += kShaLanes) {
    LaneBatch batch;
    std::array<Digest, kShaLanes> got{};
    size_t lengths[kShaLanes];
    for (size_t lane = 0; lane < kShaLanes; ++lane) {
      lengths[lane] = start + lane;
      if (!LaneBatch::Fits(lengths[lane])) return true;  // every length that fits was checked
      batch.Add(0x01, std::span(bytes).first(lengths[lane]), &got[lane]);
    }
    batch.Run();
    for (size_t lane = 0; lane < kShaLanes; ++lane) {
      if (got[lane] != HashOne(0x01, std::span(bytes).first(lengths[lane]))) return false;
    }
  }
  return true;
}

bool LanesUsable() {
  static const bool usable = DetectCpuFeatures().avx512 && LanesAgreeWithOpenSsl();
  return usable;
}
#endif

template <class Messages>
void HashAll(uint8_t prefix, const Messages& messages, std::span<Digest> out) {
#if defined(ROWCHAIN_X86_64)
  if (out.size() >= kMinLanesUsed && LanesUsable()) {
    LaneBatch batch;
    size_t first_in_batch = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      const std::span<const uint8_t> message = messages(i);
      if (!LaneBatch::Fits(message.size())) {
        // Digests are written in message order (see the header on hashing in place).
        if (batch.used() > 0) batch.Run();
        out[i] = HashOne(prefix, message);
        continue;
      }
      if (batch.used() == 0) first_in_batch = i;
      batch.Add(prefix, message, &out[i]);
      if (batch.full()) batch.Run();
    }
    if (batch.used() >= kMinLanesUsed) {
      batch.Run();
    } else if (batch.used() > 0) {  // a few left over: cheaper one by one
      HashOneByOne(prefix, messages, first_in_batch, out);
    }
    return;
  }
#endif
  HashOneByOne(prefix, messages, 0, out);
}

}  // namespace

bool Sha256ManyUsesLanes() {
#if defined(ROWCHAIN_X86_64)
  return LanesUsable();
#else
  return false;
#endif
}

void Sha256ManyPrefixed(uint8_t prefix, std::span<const std::vector<uint8_t>> messages, std::span<Digest> out) {
  HashAll(prefix, VectorMessages{messages}, out);
}

void Sha256ManyPrefixed(uint8_t prefix, std::span<const uint8_t> bytes, size_t message_size, std::span<Digest> out) {
  HashAll(prefix, PackedMessages{bytes, message_size}, out);
}

}  // namespace rowchain::crypto
