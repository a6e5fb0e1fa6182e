// The peer protocol's limits and the conversions between its byte fields and consensus types,
// shared by the session's files (peer_session.cpp, peer_header_chain.cpp). Internal to the peer
// library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "consensus/block_header.h"
#include "consensus/hash.h"

namespace rowchain::peer::wire {

using consensus::Hash256;

inline constexpr size_t kMaxLocator = 64;
inline constexpr size_t kHeadersPerReply = 500;
inline constexpr size_t kMaxHeadersPerMessage = 2000;
inline constexpr size_t kMaxHashesPerRequest = 64;
inline constexpr size_t kBlocksPerRequest = 16;
inline constexpr size_t kMaxBlocksInFlight = 32;
inline constexpr size_t kMaxBlocksPerGroup = 32;
inline constexpr uint32_t kMaxMessagesPerSecond = 5000;

inline std::string Bytes(const Hash256& h) { return std::string(h.begin(), h.end()); }

inline std::optional<Hash256> HashFrom(const std::string& bytes) {
  if (bytes.size() != 32) return std::nullopt;
  Hash256 h{};
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

inline std::optional<consensus::BlockHeader> HeaderFrom(const std::string& bytes) {
  if (bytes.size() != consensus::kBlockHeaderSize) return std::nullopt;
  return consensus::ParseBlockHeader(
      std::span<const uint8_t, consensus::kBlockHeaderSize>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

inline std::string HeaderBytes(const consensus::BlockHeader& header) {
  consensus::HeaderBytes raw = header.Serialize();
  return std::string(raw.begin(), raw.end());
}

}  // namespace rowchain::peer::wire
