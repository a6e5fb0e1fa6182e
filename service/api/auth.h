// Writer bearer tokens: each token may submit to a set of tables ("*": every table). With no
// tokens configured the node is open. Tokens are kept only as SHA-256 digests and compared in
// constant time, and never logged. Thread-safe after construction.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rowchain::api {

struct TokenGrant {
  std::string name;  // for logs ("token 'loader'"), never the secret
  std::string token;
  std::vector<std::string> tables;
};

class AuthPolicy {
 public:
  AuthPolicy() = default;
  // INVALID_ARGUMENT for an empty or repeated token.
  static StatusOr<AuthPolicy> FromGrants(const std::vector<TokenGrant>& grants);

  bool enabled() const { return !m_grants.empty(); }
  // `authorization` is the request's metadata value ("Bearer <token>"), if any. Returns the
  // grant's name. UNAUTHENTICATED when the token is missing or unknown.
  StatusOr<std::string> Authenticate(std::optional<std::string_view> authorization) const;
  // PERMISSION_DENIED when the authenticated token may not write `table`.
  Status AuthorizeTable(std::string_view grant_name, std::string_view table) const;

 private:
  struct Grant {
    std::array<uint8_t, 32> digest{};
    std::string name;
    std::set<std::string, std::less<>> tables;
  };
  std::vector<Grant> m_grants;
};

}  // namespace rowchain::api
