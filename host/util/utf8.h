// UTF-8 as MySQL's utf8mb4 and JSON take it: no overlong forms, no surrogates, nothing past
// U+10FFFF. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rowchain {

// The length of the valid UTF-8 sequence that starts at text[i], or 0 when none does.
size_t Utf8SequenceAt(std::string_view text, size_t i);

bool IsValidUtf8(std::string_view text);

// At most `max_bytes` of `text`, cut at a character boundary, with every byte that does not
// start a valid sequence replaced by '?': always valid UTF-8, for a column or a JSON string.
std::string Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace rowchain
