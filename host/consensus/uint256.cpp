#include "consensus/uint256.h"

#include <cstdio>

namespace rowchain::consensus {

U256 U256::FromLittleEndianBytes(const std::array<uint8_t, 32>& bytes) {
  U256 r;
  for (int i = 0; i < 8; ++i) {
    r.m_limbs[i] = uint32_t{bytes[4 * i]} | uint32_t{bytes[4 * i + 1]} << 8 |
                   uint32_t{bytes[4 * i + 2]} << 16 | uint32_t{bytes[4 * i + 3]} << 24;
  }
  return r;
}

std::array<uint8_t, 32> U256::ToLittleEndianBytes() const {
  std::array<uint8_t, 32> out{};
  for (int i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(m_limbs[i / 4] >> (8 * (i % 4)));
  return out;
}

std::string U256::ToHex() const {
  std::string out;
  char buf[9];
  for (int i = 7; i >= 0; --i) {
    std::snprintf(buf, sizeof buf, "%08x", m_limbs[i]);
    out += buf;
  }
  return out;
}

std::optional<U256> U256::FromHex(std::string_view hex) {
  if (hex.empty() || hex.size() > 64) return std::nullopt;
  U256 r;
  for (char c : hex) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return std::nullopt;
    r <<= 4;
    r.m_limbs[0] |= static_cast<uint32_t>(v);
  }
  return r;
}

bool U256::IsZero() const {
  for (uint32_t l : m_limbs) if (l != 0) return false;
  return true;
}

unsigned U256::Bits() const {
  for (int i = 7; i >= 0; --i) {
    if (m_limbs[i] != 0) return 32 * i + (32 - __builtin_clz(m_limbs[i]));
  }
  return 0;
}

double U256::ToDouble() const {
  double r = 0, scale = 1;
  for (uint32_t l : m_limbs) {
    r += scale * l;
    scale *= 4294967296.0;
  }
  return r;
}

U256& U256::operator+=(const U256& b) {
  uint64_t carry = 0;
  for (int i = 0; i < 8; ++i) {
    uint64_t n = carry + m_limbs[i] + b.m_limbs[i];
    m_limbs[i] = static_cast<uint32_t>(n);
    carry = n >> 32;
  }
  return *this;
}

U256& U256::operator*=(uint32_t factor) {
  uint64_t carry = 0;
  for (int i = 0; i < 8; ++i) {
    uint64_t n = carry + uint64_t{m_limbs[i]} * factor;
    m_limbs[i] = static_cast<uint32_t>(n);
    carry = n >> 32;
  }
  return *this;
}

U256& U256::operator-=(const U256& b) { return *this += ~b + U256(1); }

U256 U256::operator~() const {
  U256 r;
  for (int i = 0; i < 8; ++i) r.m_limbs[i] = ~m_limbs[i];
  return r;
}

U256& U256::operator<<=(unsigned shift) {
  U256 a = *this;
  m_limbs = {};
  if (shift >= 256) return *this;
  unsigned k = shift / 32, s = shift % 32;
  for (unsigned i = 0; i + k < 8; ++i) {
    m_limbs[i + k] |= a.m_limbs[i] << s;
    if (s != 0 && i + k + 1 < 8) m_limbs[i + k + 1] |= a.m_limbs[i] >> (32 - s);
  }
  return *this;
}

U256& U256::operator>>=(unsigned shift) {
  U256 a = *this;
  m_limbs = {};
  if (shift >= 256) return *this;
  unsigned k = shift / 32, s = shift % 32;
  for (unsigned i = k; i < 8; ++i) {
    m_limbs[i - k] |= a.m_limbs[i] >> s;
    if (s != 0 && i >= k + 1) m_limbs[i - k - 1] |= a.m_limbs[i] << (32 - s);
  }
  return *this;
}

U256& U256::operator/=(const U256& divisor) {
  // Shift-subtract long division; 256 steps at most, fine for work and retarget arithmetic.
  U256 num = *this, div = divisor;
  m_limbs = {};
  unsigned num_bits = num.Bits(), div_bits = div.Bits();
  if (div_bits == 0 || div_bits > num_bits) return *this;
  unsigned shift = num_bits - div_bits;
  div <<= shift;
  for (int s = static_cast<int>(shift); s >= 0; --s) {
    if (num >= div) {
      num -= div;
      m_limbs[s / 32] |= 1u << (s % 32);
    }
    div >>= 1;
  }
  return *this;
}

std::strong_ordering operator<=>(const U256& a, const U256& b) {
  for (int i = 7; i >= 0; --i) {
    if (a.m_limbs[i] != b.m_limbs[i]) return a.m_limbs[i] <=> b.m_limbs[i];
  }
  return std::strong_ordering::equal;
}

}  // namespace rowchain::consensus
