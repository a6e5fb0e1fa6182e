// Writers' rows to row operations: every error names the row and column, and nothing passes
// that the chain's rules would refuse.
#include <gtest/gtest.h>

#include "node/batch_input.h"
#include "test_chain.h"

namespace rowchain::node {
namespace {

using consensus::RowOpKind;
using consensus::Value;

InputRow User(int64_t id, std::string name, int64_t age) {
  return {.op = RowOpKind::kInsert,
          .columns = {{"name", Value::Text(std::move(name))}, {"id", Value::Int(id)}, {"age", Value::Int(age)}}};
}

Status Check(std::string_view table, const std::vector<InputRow>& rows) {
  return PrepareBatch(testing::RegtestParams(), table, rows, testing::Batch(1)).status();
}

TEST(BatchInput, BuildsRowsInColumnOrderWithIndexes) {
  auto batch = PrepareBatch(testing::RegtestParams(), "users", std::vector{User(1, "ada", 36), User(2, "alan", 41)},
                            testing::Batch(9));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->rows.size(), 2u);
  EXPECT_EQ(batch->rows[1], testing::UserInsert(testing::Batch(9), 1, 2, "alan", 41));
}

TEST(BatchInput, ARepeatedKeyIsNamedAtItsFirstRepeatInRowOrder) {
  Status s = Check("users", {User(1, "a", 1), User(2, "b", 2), User(3, "c", 3), User(2, "d", 4), User(1, "e", 5)});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "row 3: key id=2 occurs earlier in the batch");
  EXPECT_TRUE(Check("users", {User(1, "a", 1), User(2, "b", 2), User(3, "c", 3)}).ok());
}

TEST(BatchInput, KeysAndLeavesAreThoseOfTheRows) {
  const auto& params = testing::RegtestParams();
  auto batch = PrepareBatch(params, "users", std::vector{User(1, "ada", 36), User(2, "alan", 41)}, testing::Batch(9));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const consensus::TableSchema& users = *params.schema.FindTable("users");
  ASSERT_EQ(batch->keys.size(), 2u);
  ASSERT_EQ(batch->leaves.size(), 2u);
  uint64_t bytes = 0;
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(batch->keys[i], consensus::RowKeyOf(batch->rows[i], users));
    EXPECT_EQ(batch->leaves[i], consensus::EncodeRowOperationLeaf(batch->rows[i]));
    bytes += batch->leaves[i].size();
  }
  EXPECT_EQ(batch->leaf_bytes, bytes);
  EXPECT_EQ(batch->table, "users");

  // Read back from its stored leaves, the batch is the same batch.
  auto stored = PrepareStoredBatch(params.schema, batch->id, "users", batch->leaves);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->rows, batch->rows);
  EXPECT_EQ(stored->keys, batch->keys);
  EXPECT_EQ(stored->leaf_bytes, batch->leaf_bytes);
}

TEST(BatchInput, AStoredLeafThatIsNoRowOfTheSchemaIsDamage) {
  const auto& params = testing::RegtestParams();
  std::vector<consensus::Leaf> leaves = {consensus::Leaf{1, 2, 3}};
  EXPECT_EQ(PrepareStoredBatch(params.schema, testing::Batch(1), "users", leaves).status().code(),
            StatusCode::kInternal);
  consensus::RowOperation elsewhere = testing::UserInsert(testing::Batch(1), 0, 1, "a", 1);
  elsewhere.table = "orders";  // no such table in regtest
  leaves = {consensus::EncodeRowOperationLeaf(elsewhere)};
  EXPECT_EQ(PrepareStoredBatch(params.schema, testing::Batch(1), "orders", leaves).status().code(),
            StatusCode::kInternal);
}

TEST(BatchInput, DeleteTakesTheKeyOnly) {
  InputRow del{.op = RowOpKind::kDelete, .columns = {{"id", Value::Int(4)}}};
  auto batch = PrepareBatch(testing::RegtestParams(), "users", std::vector{del}, testing::Batch(2));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->rows[0], testing::UserDelete(testing::Batch(2), 0, 4));
  del.columns.emplace_back("age", Value::Int(3));
  Status s = Check("users", {del});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("only the primary key"), std::string::npos) << s.message();
}

TEST(BatchInput, EveryBadInputNamesRowAndColumn) {
  struct Case {
    std::string table;
    std::vector<InputRow> rows;
    std::string expected;
  };
  InputRow wrong_type = User(2, "b", 1);
  wrong_type.columns[2].second = Value::Text("old");
  InputRow missing = User(2, "b", 1);
  missing.columns.pop_back();
  InputRow unknown = User(2, "b", 1);
  unknown.columns.emplace_back("email", Value::Text("x"));
  InputRow twice = User(2, "b", 1);
  twice.columns.emplace_back("age", Value::Int(5));
  InputRow null_name = User(2, "b", 1);
  null_name.columns[0].second = Value::Null();
  InputRow too_big = User(2, "b", 1);
  too_big.columns[2].second = Value::Int(int64_t{1} << 40);
  InputRow long_name = User(2, std::string(256, 'x'), 1);
  std::vector<Case> cases = {
      {"orders", {User(1, "a", 1)}, "no table 'orders'"},
      {"users", {}, "no rows"},
      {"users", {User(1, "a", 1), wrong_type}, "row 1, column 'age'"},
      {"users", {User(1, "a", 1), missing}, "row 1: column 'age' is missing"},
      {"users", {User(1, "a", 1), unknown}, "row 1: table users has no column 'email'"},
      {"users", {User(1, "a", 1), twice}, "row 1: column 'age' given twice"},
      {"users", {User(1, "a", 1), null_name}, "row 1, column 'name'"},
      {"users", {User(1, "a", 1), too_big}, "row 1, column 'age'"},
      {"users", {User(1, "a", 1), long_name}, "row 1, column 'name'"},
      {"users", {User(1, "a", 1), User(1, "b", 2)}, "row 1: key id=1 occurs earlier"},
  };
  for (const Case& c : cases) {
    Status s = Check(c.table, c.rows);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.expected;
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
  }
}

TEST(BatchInput, ABatchMustFitOneBlock) {
  consensus::ChainParams params = testing::RegtestParams();
  params.max_block_rows = 3;
  std::vector<InputRow> rows = {User(1, "a", 1), User(2, "b", 1), User(3, "c", 1), User(4, "d", 1)};
  Status s = PrepareBatch(params, "users", rows, testing::Batch(1)).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("at most 3"), std::string::npos) << s.message();
  rows.pop_back();
  EXPECT_TRUE(PrepareBatch(params, "users", rows, testing::Batch(1)).ok());

  params.max_block_bytes = 1024;
  std::vector<InputRow> wide;
  for (int i = 0; i < 3; ++i) wide.push_back(User(i, std::string(200, 'n'), 1));
  s = PrepareBatch(params, "users", wide, testing::Batch(1)).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("bytes encoded"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rowchain::node
