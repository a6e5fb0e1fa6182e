// Conversions between hashes, byte strings and the BINARY/BLOB values MySQL returns. Pure.
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "consensus/hash.h"
#include "consensus/value.h"

namespace rowchain::store {

inline consensus::Value HashValue(const consensus::Hash256& h) {
  return consensus::Value::Bytes(std::string(h.begin(), h.end()));
}
// The first 32 bytes of a BINARY(32) column (zero-padded if shorter).
inline consensus::Hash256 HashFromBytes(const std::string& s) {
  consensus::Hash256 h{};
  std::copy_n(s.begin(), std::min(s.size(), h.size()), h.begin());
  return h;
}
inline std::string Blob(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }
inline std::span<const uint8_t> BytesOf(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace rowchain::store
