#include "consensus/compact.h"

#include <fmt/format.h>

namespace rowchain::consensus {

CompactDecoding DecodeCompact(uint32_t bits) {
  CompactDecoding d;
  const unsigned size = bits >> 24;
  uint32_t word = bits & 0x007fffff;
  if (size <= 3) {
    word >>= 8 * (3 - size);
    d.target = U256(word);
  } else {
    d.target = U256(word) << (8 * (size - 3));
  }
  d.negative = word != 0 && (bits & 0x00800000) != 0;
  d.overflow = word != 0 && ((size > 34) || (word > 0xff && size > 33) ||
                             (word > 0xffff && size > 32));
  return d;
}

uint32_t EncodeCompact(const U256& target) {
  unsigned size = (target.Bits() + 7) / 8;
  uint32_t compact = size <= 3 ? static_cast<uint32_t>(target.Low64() << (8 * (3 - size)))
                               : static_cast<uint32_t>((target >> (8 * (size - 3))).Low64());
  // The mantissa's top bit is the sign: move a byte into the exponent instead.
  if (compact & 0x00800000) {
    compact >>= 8;
    ++size;
  }
  return compact | size << 24;
}

Verdict DecodeTarget(uint32_t bits, const U256& pow_limit, U256* target) {
  CompactDecoding d = DecodeCompact(bits);
  if (d.negative) return Verdict::Invalid("bad-diffbits", fmt::format("bits {:08x} are negative", bits));
  if (d.overflow) return Verdict::Invalid("bad-diffbits", fmt::format("bits {:08x} overflow 256 bits", bits));
  if (d.target.IsZero()) return Verdict::Invalid("bad-diffbits", fmt::format("bits {:08x} give a zero target", bits));
  if (d.target > pow_limit) {
    return Verdict::Invalid("bad-diffbits", fmt::format("bits {:08x} are easier than the proof-of-work limit", bits));
  }
  *target = d.target;
  return Verdict::Valid();
}

}  // namespace rowchain::consensus
