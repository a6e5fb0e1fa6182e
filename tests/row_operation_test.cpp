#include "consensus/row_operation.h"

#include <gtest/gtest.h>

#include "util/hex.h"

namespace rowchain::consensus {
namespace {

RowOperation Sample() {
  BatchId id{};
  id[0] = 0xab;
  return {.batch_id = id, .row_index = 7, .op = RowOpKind::kUpdate, .table = "t",
          .values = {Value::Int(-2), Value::Text("hi"), Value::Null(), Value::Bytes(std::string("\x00\xff", 2))}};
}

TEST(RowOperationTest, EncodesTheDocumentedBytes) {
  // docs/format.md spells out this example byte by byte.
  std::vector<uint8_t> leaf = EncodeRowOperationLeaf(Sample());
  EXPECT_EQ(HexEncode(leaf),
            "0101"                              // kind, version
            "ab000000000000000000000000000000"  // batch id
            "07000000"                          // row index
            "02"                                // UPDATE
            "0174"                              // table "t"
            "0400"                              // 4 values
            "01feffffffffffffff"                // int -2
            "02020000006869"                    // text "hi"
            "00"                                // NULL
            "0302000000" "00ff");               // bytes 00 ff
}

TEST(RowOperationTest, PeeksBatchAndRowIndexWithoutDecoding) {
  RowOperation row = Sample();
  row.row_index = 0x01020304;
  std::vector<uint8_t> leaf = EncodeRowOperationLeaf(row);
  auto peeked = PeekBatchOfLeaf(leaf);
  ASSERT_TRUE(peeked.has_value());
  EXPECT_EQ(peeked->first, row.batch_id);
  EXPECT_EQ(peeked->second, 0x01020304u);
  leaf[0] = 0x00;  // a block-info leaf's kind
  EXPECT_FALSE(PeekBatchOfLeaf(leaf).has_value());
  EXPECT_FALSE(PeekBatchOfLeaf(std::span(leaf).first(21)).has_value());
}

TEST(RowOperationTest, RoundTripsAndRejectsNonCanonicalBytes) {
  std::vector<uint8_t> leaf = EncodeRowOperationLeaf(Sample());
  auto back = DecodeRowOperationLeaf(leaf);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Sample());
  for (size_t cut = 0; cut < leaf.size(); ++cut) {
    EXPECT_FALSE(DecodeRowOperationLeaf(std::span(leaf).first(cut)).ok()) << cut;
  }
  auto trailing = leaf;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeRowOperationLeaf(trailing).ok());
  auto bad_tag = leaf;
  bad_tag[bad_tag.size() - 7] = 0x09;  // the last value's tag
  EXPECT_FALSE(DecodeRowOperationLeaf(bad_tag).ok());
  auto bad_op = leaf;
  bad_op[22] = 4;
  EXPECT_FALSE(DecodeRowOperationLeaf(bad_op).ok());
  auto bad_kind = leaf;
  bad_kind[0] = 0;
  EXPECT_FALSE(DecodeRowOperationLeaf(bad_kind).ok());
}

TEST(RowOperationTest, SchemaChecksNameTheProblem) {
  LedgerSchema schema{{{.name = "users",
                        .columns = {{"id", ColumnType::kBigInt, 0, false}, {"name", ColumnType::kVarchar, 10, false}},
                        .primary_key = {0}}}};
  RowOperation row{.batch_id = {}, .row_index = 0, .op = RowOpKind::kInsert, .table = "users",
                   .values = {Value::Int(1), Value::Text("ann")}};
  EXPECT_FALSE(CheckRowAgainstSchema(row, schema));
  RowOperation unknown = row;
  unknown.table = "nope";
  EXPECT_NE(CheckRowAgainstSchema(unknown, schema)->find("unknown table"), std::string::npos);
  RowOperation short_row = row;
  short_row.values.pop_back();
  EXPECT_TRUE(CheckRowAgainstSchema(short_row, schema));
  RowOperation wrong = row;
  wrong.values[1] = Value::Int(3);
  EXPECT_NE(CheckRowAgainstSchema(wrong, schema)->find("column 'name'"), std::string::npos);
  RowOperation del{.batch_id = {}, .row_index = 0, .op = RowOpKind::kDelete, .table = "users", .values = {Value::Int(1)}};
  EXPECT_FALSE(CheckRowAgainstSchema(del, schema));
  del.values.clear();  // a DELETE without its primary key
  EXPECT_TRUE(CheckRowAgainstSchema(del, schema));
  EXPECT_EQ(RowKey("users", PrimaryKeyValues(row, schema.tables[0])),
            RowKey("users", std::vector<Value>{Value::Int(1)}));
  EXPECT_NE(RowKey("users", std::vector<Value>{Value::Int(1)}), RowKey("users", std::vector<Value>{Value::Int(2)}));
  EXPECT_EQ(DescribeKey(schema.tables[0], std::vector<Value>{Value::Int(5)}), "id=5");
}

// RowKeyOf is RowKey over the primary key, byte for byte, for every op and for a composite key
// in an order other than the columns'.
TEST(RowOperationTest, RowKeyOfIsTheKeyOfThePrimaryKeyValues) {
  const TableSchema pairs{.name = "pairs",
                          .columns = {{"a", ColumnType::kVarchar, 40, false},
                                      {"note", ColumnType::kText, 0, true},
                                      {"b", ColumnType::kBigInt, 0, false}},
                          .primary_key = {2, 0}};
  const std::vector<Value> full = {Value::Text(std::string(30, 'x')), Value::Null(), Value::Int(-7)};
  for (RowOpKind op : {RowOpKind::kInsert, RowOpKind::kUpdate}) {
    RowOperation row{.batch_id = {}, .row_index = 0, .op = op, .table = "pairs", .values = full};
    EXPECT_EQ(RowKeyOf(row, pairs), RowKey("pairs", PrimaryKeyValues(row, pairs)));
    EXPECT_EQ(RowKeyOf(row, pairs), RowKey("pairs", std::vector<Value>{Value::Int(-7), full[0]}));
  }
  RowOperation del{.batch_id = {}, .row_index = 0, .op = RowOpKind::kDelete, .table = "pairs",
                   .values = {Value::Int(-7), full[0]}};
  EXPECT_EQ(RowKeyOf(del, pairs), RowKey("pairs", del.values));
  RowOperation other = del;
  other.values[0] = Value::Int(7);
  EXPECT_NE(RowKeyOf(other, pairs), RowKeyOf(del, pairs));
  // The table name is part of the key.
  EXPECT_NE(RowKey("pairs", del.values), RowKey("pair", del.values));
}

}  // namespace
}  // namespace rowchain::consensus
