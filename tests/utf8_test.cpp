#include "util/utf8.h"

#include <gtest/gtest.h>

#include "consensus/value.h"

namespace rowchain {
namespace {

TEST(Utf8Test, APrefixNeverEndsInsideACharacter) {
  const std::string text = std::string(39, 'a') + "é" + "😀";  // é: 2 bytes, 😀: 4 bytes
  EXPECT_EQ(Utf8Prefix(text, 40), std::string(39, 'a'));
  EXPECT_EQ(Utf8Prefix(text, 41), std::string(39, 'a') + "é");
  EXPECT_EQ(Utf8Prefix(text, 44), std::string(39, 'a') + "é");
  EXPECT_EQ(Utf8Prefix(text, 45), text);
  for (size_t n = 0; n <= text.size(); ++n) EXPECT_TRUE(IsValidUtf8(Utf8Prefix(text, n))) << n;
}

TEST(Utf8Test, InvalidBytesBecomeQuestionMarks) {
  EXPECT_EQ(Utf8Prefix("a\xff" "b", 10), "a?b");
  EXPECT_EQ(Utf8Prefix("\xc0\xaf", 10), "??");         // overlong '/'
  EXPECT_EQ(Utf8Prefix("\xed\xa0\x80", 10), "???");    // a surrogate
  EXPECT_EQ(Utf8Prefix("x\xe2\x82", 10), "x??");       // cut sequence
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));       // past U+10FFFF
}

TEST(Utf8Test, ALongTextValueIsShownCutAtACharacter) {
  std::string shown = consensus::Value::Text(std::string(39, 'a') + "éééé").ToDisplay();
  EXPECT_TRUE(IsValidUtf8(shown)) << shown;
  EXPECT_EQ(shown, "'" + std::string(39, 'a') + "...'");
}

}  // namespace
}  // namespace rowchain
