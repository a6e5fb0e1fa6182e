#include "consensus/value.h"

#include <fmt/format.h>

#include "util/hex.h"
#include "util/utf8.h"

namespace rowchain::consensus {

std::string Value::ToDisplay() const {
  constexpr size_t kMaxShown = 40;
  switch (m_kind) {
    case Kind::kNull:
      return "NULL";
    case Kind::kInt:
      return std::to_string(m_int);
    case Kind::kText:
      // Cut at a character boundary: the text goes into reasons, logs and utf8mb4 columns.
      if (m_string.size() > kMaxShown) return fmt::format("'{}...'", Utf8Prefix(m_string, kMaxShown));
      return fmt::format("'{}'", m_string);
    case Kind::kBytes: {
      std::string_view shown(m_string.data(), std::min(m_string.size(), kMaxShown));
      return fmt::format("x'{}{}'", HexEncode(std::span(reinterpret_cast<const uint8_t*>(shown.data()), shown.size())),
                         m_string.size() > kMaxShown ? "..." : "");
    }
  }
  return "?";
}

std::string_view ValueKindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull: return "NULL";
    case Value::Kind::kInt: return "integer";
    case Value::Kind::kText: return "text";
    case Value::Kind::kBytes: return "bytes";
  }
  return "?";
}

}  // namespace rowchain::consensus
