#include "api/auth.h"

#include <gtest/gtest.h>

namespace rowchain::api {
namespace {

TEST(AuthTest, WithoutTokensTheNodeIsOpen) {
  AuthPolicy open;
  EXPECT_FALSE(open.enabled());
}

TEST(AuthTest, TokensMustBeLongAndDistinct) {
  EXPECT_EQ(AuthPolicy::FromGrants({{"a", "", {"*"}}}).status().code(), StatusCode::kInvalidArgument);
  auto short_token = AuthPolicy::FromGrants({{"a", "fifteen-chars-x", {"*"}}});
  EXPECT_EQ(short_token.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(short_token.status().message().find("fifteen"), std::string::npos) << "a token must never be echoed";
  auto repeated = AuthPolicy::FromGrants({{"a", "secret-secret-secret", {"*"}}, {"b", "secret-secret-secret", {"users"}}});
  EXPECT_EQ(repeated.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(repeated.status().message().find("secret"), std::string::npos) << "a token must never be echoed";
}

TEST(AuthTest, ABearerTokenNamesItsGrantAndAnythingElseIsUnauthenticated) {
  auto policy = AuthPolicy::FromGrants({{"loader", "loader-token-0123", {"users"}}, {"admin", "admin-token-0123456", {"*"}}});
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_TRUE(policy->enabled());
  auto loader = policy->Authenticate("Bearer loader-token-0123");
  ASSERT_TRUE(loader.ok());
  EXPECT_EQ(*loader, "loader");
  for (std::optional<std::string_view> bad :
       {std::optional<std::string_view>(), std::optional<std::string_view>("Bearer loader-token-012"),
        std::optional<std::string_view>("Bearer loader-token-01234"), std::optional<std::string_view>("loader-token-0123"),
        std::optional<std::string_view>("Basic loader-token-0123"), std::optional<std::string_view>("Bearer ")}) {
    auto result = policy->Authenticate(bad);
    EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated) << (bad ? *bad : "(none)");
  }
}

TEST(AuthTest, AGrantWritesOnlyItsTablesAndTheWildcardWritesAll) {
  auto policy = AuthPolicy::FromGrants({{"loader", "loader-token-0123", {"users"}}, {"admin", "admin-token-0123456", {"*"}}});
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(policy->AuthorizeTable("loader", "users").ok());
  EXPECT_EQ(policy->AuthorizeTable("loader", "orders").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(policy->AuthorizeTable("admin", "orders").ok());
  EXPECT_EQ(policy->AuthorizeTable("nobody", "users").code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace rowchain::api
