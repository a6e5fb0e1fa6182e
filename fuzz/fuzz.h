// What the fuzz targets share: the input as bytes or text, and a check that stops the run
// (libFuzzer records the input) when a property of the code under test does not hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

namespace rowchain::fuzz {

inline std::span<const uint8_t> Bytes(const uint8_t* data, size_t size) { return {data, size}; }
inline std::string Text(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// A property that must hold for every input: a failure is a finding, not a refusal.
inline void Require(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property failed: %s\n", what);
  std::abort();
}

}  // namespace rowchain::fuzz
