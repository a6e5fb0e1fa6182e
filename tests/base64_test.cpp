// Base64 as RFC 4648 section 10 defines it, both ways, and refusal of what is not base64.
#include "crypto/base64.h"

#include <gtest/gtest.h>

namespace rowchain {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
  const std::string binary("\x00\xff\x10", 3);
  EXPECT_EQ(*Base64Decode(Base64Encode(binary)), binary);
}

TEST(Base64, RefusesWhatIsNotBase64) {
  EXPECT_EQ(Base64Decode("Zm9").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Base64Decode("Zm9v!!!!").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rowchain
