#include "api/auth.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace rowchain::api {

namespace {

std::array<uint8_t, 32> Digest(std::string_view token) {
  std::array<uint8_t, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), out.data());
  return out;
}

}  // namespace

StatusOr<AuthPolicy> AuthPolicy::FromGrants(const std::vector<TokenGrant>& grants) {
  AuthPolicy policy;
  for (size_t i = 0; i < grants.size(); ++i) {
    const TokenGrant& g = grants[i];
    std::string name = g.name.empty() ? fmt::format("#{}", i + 1) : g.name;
    if (g.token.size() < 16) return InvalidArgumentError(fmt::format("token {} is shorter than 16 characters", name));
    Grant grant{.digest = Digest(g.token), .name = name, .tables = {}};
    for (const Grant& other : policy.m_grants) {
      if (other.digest == grant.digest) return InvalidArgumentError(fmt::format("token {} is given twice", name));
    }
    grant.tables.insert(g.tables.begin(), g.tables.end());
    policy.m_grants.push_back(std::move(grant));
  }
  return policy;
}

StatusOr<std::string> AuthPolicy::Authenticate(std::optional<std::string_view> authorization) const {
  if (!enabled()) return std::string("anonymous");
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization || !authorization->starts_with(kBearer)) {
    return Status(StatusCode::kUnauthenticated, "missing bearer token (authorization: Bearer <token>)");
  }
  std::array<uint8_t, 32> digest = Digest(authorization->substr(kBearer.size()));
  const Grant* match = nullptr;
  for (const Grant& g : m_grants) {  // every grant is compared, so timing says nothing
    if (CRYPTO_memcmp(g.digest.data(), digest.data(), digest.size()) == 0) match = &g;
  }
  if (match == nullptr) return Status(StatusCode::kUnauthenticated, "unknown bearer token");
  return match->name;
}

Status AuthPolicy::AuthorizeTable(std::string_view grant_name, std::string_view table) const {
  if (!enabled()) return OkStatus();
  for (const Grant& g : m_grants) {
    if (g.name != grant_name) continue;
    if (g.tables.contains("*") || g.tables.contains(table)) return OkStatus();
    return Status(StatusCode::kPermissionDenied, fmt::format("token {} may not write table '{}'", g.name, table));
  }
  return Status(StatusCode::kUnauthenticated, "unknown bearer token");
}

}  // namespace rowchain::api
