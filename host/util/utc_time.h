// Unix seconds as ISO 8601 UTC text ("2026-12-02T10:00:00Z"), for output people and tools read
// beside the raw seconds. Pure.
#pragma once

#include <cstdint>
#include <string>

namespace rowchain {

std::string IsoUtc(int64_t unix_seconds);

}  // namespace rowchain
