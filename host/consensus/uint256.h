// Unsigned 256-bit arithmetic for targets and chain work (after Bitcoin Core's
// arith_uint256). Little-endian 32-bit limbs. Value type; not synchronized.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>

namespace rowchain::consensus {

class U256 {
 public:
  constexpr U256() = default;
  constexpr explicit U256(uint64_t v) : m_limbs{static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)} {}

  // A hash's 32 bytes read as a little-endian number (Bitcoin's convention).
  static U256 FromLittleEndianBytes(const std::array<uint8_t, 32>& bytes);
  std::array<uint8_t, 32> ToLittleEndianBytes() const;
  // 64 hex digits, most significant first.
  std::string ToHex() const;
  // From 1..64 hex digits; nullopt for anything else.
  static std::optional<U256> FromHex(std::string_view hex);

  bool IsZero() const;
  // Index of the highest set bit plus one; 0 for zero.
  unsigned Bits() const;
  uint32_t Limb(int i) const { return m_limbs[i]; }
  uint64_t Low64() const { return m_limbs[0] | uint64_t{m_limbs[1]} << 32; }
  double ToDouble() const;

  U256& operator+=(const U256& b);
  U256& operator-=(const U256& b);
  U256& operator<<=(unsigned shift);
  U256& operator>>=(unsigned shift);
  // Division by zero yields zero; callers never divide by a value they have not checked.
  U256& operator/=(const U256& divisor);
  // Multiplication modulo 2^256 (callers keep products in range, as retargeting does).
  U256& operator*=(uint32_t factor);
  U256 operator~() const;

  friend U256 operator+(U256 a, const U256& b) { return a += b; }
  friend U256 operator-(U256 a, const U256& b) { return a -= b; }
  friend U256 operator/(U256 a, const U256& b) { return a /= b; }
  friend U256 operator*(U256 a, uint32_t b) { return a *= b; }
  friend U256 operator<<(U256 a, unsigned s) { return a <<= s; }
  friend U256 operator>>(U256 a, unsigned s) { return a >>= s; }
  friend std::strong_ordering operator<=>(const U256& a, const U256& b);
  friend bool operator==(const U256& a, const U256& b) = default;

 private:
  std::array<uint32_t, 8> m_limbs{};
};

}  // namespace rowchain::consensus
