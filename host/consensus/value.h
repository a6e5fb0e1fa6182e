// One typed cell of a ledger row: NULL, a 64-bit integer, UTF-8 text or raw bytes. The kinds
// are the tags of the canonical row encoding (docs/format.md). Value type; not synchronized.
#pragma once

#include <cstdint>
#include <string>

namespace rowchain::consensus {

class Value {
 public:
  enum class Kind : uint8_t { kNull = 0, kInt = 1, kText = 2, kBytes = 3 };

  Value() = default;  // NULL
  static Value Null() { return {}; }
  static Value Int(int64_t v) { return Value(Kind::kInt, v, {}); }
  static Value Text(std::string v) { return Value(Kind::kText, 0, std::move(v)); }
  static Value Bytes(std::string v) { return Value(Kind::kBytes, 0, std::move(v)); }

  Kind kind() const { return m_kind; }
  bool is_null() const { return m_kind == Kind::kNull; }
  // Preconditions: kind() is kInt, respectively kText or kBytes.
  int64_t as_int() const { return m_int; }
  const std::string& as_string() const { return m_string; }

  // For messages: 42, 'text', x'00ff', NULL (text longer than 40 bytes is cut).
  std::string ToDisplay() const;

  friend bool operator==(const Value&, const Value&) = default;

 private:
  Value(Kind kind, int64_t i, std::string s) : m_kind(kind), m_int(i), m_string(std::move(s)) {}
  Kind m_kind = Kind::kNull;
  int64_t m_int = 0;
  std::string m_string;
};

std::string_view ValueKindName(Value::Kind kind);

}  // namespace rowchain::consensus
