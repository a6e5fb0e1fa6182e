// Little-endian byte writing and bounds-checked reading for the canonical encodings that are
// hashed (docs/format.md). Reader never reads past its span; every Get reports failure instead.
// Value types; not synchronized.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rowchain::consensus {

class ByteWriter {
 public:
  void U8(uint8_t v) { m_out.push_back(v); }
  void U16(uint16_t v) { PutLe(v, 2); }
  void U32(uint32_t v) { PutLe(v, 4); }
  void U64(uint64_t v) { PutLe(v, 8); }
  void Raw(std::span<const uint8_t> bytes) { m_out.insert(m_out.end(), bytes.begin(), bytes.end()); }
  void Raw(std::string_view bytes) { m_out.insert(m_out.end(), bytes.begin(), bytes.end()); }
  std::vector<uint8_t> Take() { return std::move(m_out); }

 private:
  void PutLe(uint64_t v, int size) {
    for (int i = 0; i < size; ++i) m_out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> m_out;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes) : m_bytes(bytes) {}

  std::optional<uint8_t> U8() { return GetLe<uint8_t>(1); }
  std::optional<uint16_t> U16() { return GetLe<uint16_t>(2); }
  std::optional<uint32_t> U32() { return GetLe<uint32_t>(4); }
  std::optional<uint64_t> U64() { return GetLe<uint64_t>(8); }
  std::optional<std::string> String(size_t size) {
    if (Remaining() < size) return std::nullopt;
    std::string out(reinterpret_cast<const char*>(m_bytes.data() + m_pos), size);
    m_pos += size;
    return out;
  }
  template <size_t N>
  bool Fixed(std::array<uint8_t, N>* out) {
    if (Remaining() < N) return false;
    for (size_t i = 0; i < N; ++i) (*out)[i] = m_bytes[m_pos + i];
    m_pos += N;
    return true;
  }
  size_t Remaining() const { return m_bytes.size() - m_pos; }
  size_t Position() const { return m_pos; }

 private:
  template <class T>
  std::optional<T> GetLe(size_t size) {
    if (Remaining() < size) return std::nullopt;
    uint64_t v = 0;
    for (size_t i = 0; i < size; ++i) v |= uint64_t{m_bytes[m_pos + i]} << (8 * i);
    m_pos += size;
    return static_cast<T>(v);
  }
  std::span<const uint8_t> m_bytes;
  size_t m_pos = 0;
};

}  // namespace rowchain::consensus
