// The outcome of a consensus check: valid, or a short machine-readable reason code in Bitcoin
// Core's style ("high-hash", "bad-diffbits", ...) plus a human detail. Value type.
#pragma once

#include <string>
#include <string_view>

namespace rowchain::consensus {

class [[nodiscard]] Verdict {
 public:
  static Verdict Valid() { return {}; }
  // `reason` must be a string literal (reason codes are a fixed vocabulary).
  static Verdict Invalid(std::string_view reason, std::string detail = {}) {
    Verdict v;
    v.m_reason = reason;
    v.m_detail = std::move(detail);
    return v;
  }

  bool ok() const { return m_reason.empty(); }
  std::string_view reason() const { return m_reason; }
  const std::string& detail() const { return m_detail; }

 private:
  std::string_view m_reason;
  std::string m_detail;
};

}  // namespace rowchain::consensus
