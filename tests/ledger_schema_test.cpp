#include "consensus/ledger_schema.h"

#include <gtest/gtest.h>

namespace rowchain::consensus {
namespace {

TableSchema Users() {
  return {.name = "users",
          .columns = {{"id", ColumnType::kBigInt, 0, false}, {"name", ColumnType::kVarchar, 5, false},
                      {"age", ColumnType::kInt, 0, true}},
          .primary_key = {0}};
}

TEST(LedgerSchemaTest, ParsesEveryColumnTypeAndRejectsOthers) {
  for (const char* t : {"BIGINT", "int", "SMALLINT", "BOOLEAN", "VARCHAR(255)", "TEXT", "VARBINARY(32)", "BLOB"}) {
    auto c = ParseColumnType(t);
    ASSERT_TRUE(c.ok()) << t;
    auto again = ParseColumnType(ColumnTypeName(*c));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->type, c->type);
    EXPECT_EQ(again->length, c->length);
  }
  EXPECT_EQ(ParseColumnType("VARCHAR(255)")->length, 255u);
  for (const char* t : {"DOUBLE", "VARCHAR", "VARCHAR(0)", "VARCHAR(x)", "VARCHAR(99999)", "VARBINARY()", ""}) {
    EXPECT_FALSE(ParseColumnType(t).ok()) << t;
  }
}

TEST(LedgerSchemaTest, IdentifiersAreLowercaseWordsOnly) {
  EXPECT_TRUE(IsValidIdentifier("users"));
  EXPECT_TRUE(IsValidIdentifier("_a1"));
  const std::string too_long(65, 'a');
  for (std::string_view bad : {std::string_view(""), std::string_view("Users"), std::string_view("1a"),
                               std::string_view("a-b"), std::string_view("a b"), std::string_view("a`b"),
                               std::string_view("a;drop"), std::string_view(too_long)}) {
    EXPECT_FALSE(IsValidIdentifier(bad)) << bad;
  }
}

TEST(LedgerSchemaTest, ValidatesTablesColumnsAndKeys) {
  LedgerSchema ok{{Users()}};
  EXPECT_TRUE(ValidateLedgerSchema(ok).ok());
  auto broken = [&](auto change) {
    LedgerSchema s{{Users()}};
    change(s.tables[0]);
    return ValidateLedgerSchema(s);
  };
  EXPECT_FALSE(broken([](TableSchema& t) { t.name = "rowchain_users"; }).ok());
  EXPECT_FALSE(broken([](TableSchema& t) { t.name = "Users"; }).ok());
  EXPECT_FALSE(broken([](TableSchema& t) { t.primary_key = {}; }).ok());
  EXPECT_FALSE(broken([](TableSchema& t) { t.primary_key = {2}; }).ok());  // nullable key column
  EXPECT_FALSE(broken([](TableSchema& t) { t.primary_key = {0, 0}; }).ok());
  EXPECT_FALSE(broken([](TableSchema& t) { t.primary_key = {7}; }).ok());
  EXPECT_FALSE(broken([](TableSchema& t) { t.columns[1].name = "id"; }).ok());
  EXPECT_FALSE(broken([](TableSchema& t) { t.columns[0].type = ColumnType::kText; }).ok());
  LedgerSchema twice{{Users(), Users()}};
  EXPECT_FALSE(ValidateLedgerSchema(twice).ok());
  EXPECT_FALSE(ValidateLedgerSchema(LedgerSchema{}).ok());
}

TEST(LedgerSchemaTest, ChecksValuesAgainstColumns) {
  TableSchema t = Users();
  EXPECT_FALSE(CheckValueForColumn(Value::Int(1), t.columns[0]));
  EXPECT_TRUE(CheckValueForColumn(Value::Text("1"), t.columns[0]));       // wrong type
  EXPECT_TRUE(CheckValueForColumn(Value::Null(), t.columns[0]));          // NULL in NOT NULL
  EXPECT_FALSE(CheckValueForColumn(Value::Null(), t.columns[2]));         // nullable
  EXPECT_TRUE(CheckValueForColumn(Value::Int(int64_t{1} << 31), t.columns[2]));  // beyond INT
  EXPECT_FALSE(CheckValueForColumn(Value::Int(-(int64_t{1} << 31)), t.columns[2]));
  EXPECT_FALSE(CheckValueForColumn(Value::Text("héllo"), t.columns[1]));  // 5 characters, 6 bytes
  EXPECT_TRUE(CheckValueForColumn(Value::Text("héllo!"), t.columns[1]));  // 6 characters
  EXPECT_TRUE(CheckValueForColumn(Value::Text("\xff"), t.columns[1]));    // not UTF-8
  EXPECT_TRUE(CheckValueForColumn(Value::Text(std::string("a\0b", 3)), t.columns[1]));
  Column flag{"f", ColumnType::kBoolean, 0, false};
  EXPECT_FALSE(CheckValueForColumn(Value::Int(1), flag));
  EXPECT_TRUE(CheckValueForColumn(Value::Int(2), flag));
  Column bin{"b", ColumnType::kVarbinary, 2, false};
  EXPECT_FALSE(CheckValueForColumn(Value::Bytes("\x00\x01"), bin));
  EXPECT_TRUE(CheckValueForColumn(Value::Bytes("abc"), bin));
  EXPECT_TRUE(CheckValueForColumn(Value::Text("ab"), bin));
}

TEST(LedgerSchemaTest, Utf8RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));      // euro sign
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));  // emoji
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));         // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));     // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));         // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80")); // beyond U+10FFFF
  EXPECT_EQ(Utf8Length("h\xc3\xa9llo"), 5u);
}

}  // namespace
}  // namespace rowchain::consensus
