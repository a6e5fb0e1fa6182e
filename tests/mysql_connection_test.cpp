// store/mysql_connection: a statement started without waiting for its result (StartUpdate),
// also over an array of rows, against the private MariaDB.
#include "store/mysql_connection.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/statement_list.h"
#include "test_mysql.h"

namespace rowchain::store {
namespace {

class StartedStatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(m_db.admin().Execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(20) NOT NULL)").ok());
    auto connection = MysqlConnection::Connect(m_db.uri(), {.deferred_begin = true, .nonblocking = true});
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    m_connection = std::move(*connection);
  }
  int64_t Count() {
    auto rows = m_db.admin().Query("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? (*rows)[0][0].as_int() : -1;
  }

  testing::TestDatabase m_db;
  std::unique_ptr<MysqlConnection> m_connection;
};

TEST_F(StartedStatementTest, FinishGivesTheRowsAndTheConnectionTakesNothingElseMeanwhile) {
  MysqlConnection& db = *m_connection;
  ASSERT_TRUE(db.Begin().ok());
  ASSERT_TRUE(db.StartUpdate("INSERT INTO t VALUES (?, ?), (?, ?)",
                             {Value::Int(1), Value::Text("a"), Value::Int(2), Value::Text("b")})
                  .ok());
  EXPECT_TRUE(db.HasPendingUpdate());
  EXPECT_EQ(db.Query("SELECT 1").status().code(), StatusCode::kInternal);
  EXPECT_EQ(db.Execute("DO 1").code(), StatusCode::kInternal);
  EXPECT_EQ(db.StartUpdate("DO 1", {}).code(), StatusCode::kInternal);
  auto inserted = db.FinishUpdate();
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_EQ(*inserted, 2u);
  EXPECT_FALSE(db.HasPendingUpdate());
  EXPECT_EQ(db.FinishUpdate().status().code(), StatusCode::kInternal);  // nothing pending
  ASSERT_TRUE(db.Commit().ok());
  EXPECT_EQ(Count(), 2);
}

TEST_F(StartedStatementTest, AServerErrorComesFromFinishAndRollbackDiscardsAPendingStatement) {
  MysqlConnection& db = *m_connection;
  ASSERT_TRUE(db.Begin().ok());
  ASSERT_TRUE(db.Update("INSERT INTO t VALUES (?, ?)", {{Value::Int(1), Value::Text("a")}}).ok());
  ASSERT_TRUE(db.StartUpdate("INSERT INTO t VALUES (?, ?)", {Value::Int(1), Value::Text("again")}).ok());
  EXPECT_EQ(db.FinishUpdate().status().code(), StatusCode::kAlreadyExists);
  db.Rollback();

  ASSERT_TRUE(db.Begin().ok());
  ASSERT_TRUE(db.StartUpdate("INSERT INTO t VALUES (?, ?)", {Value::Int(3), Value::Text("c")}).ok());
  db.Rollback();  // waits for the INSERT, then rolls it back
  EXPECT_FALSE(db.HasPendingUpdate());
  EXPECT_EQ(Count(), 0);
  ASSERT_TRUE(db.Query("SELECT 1").ok());  // the connection is still usable
}

TEST_F(StartedStatementTest, AStatementListStartsAsOneCompoundStatementOrOneByOne) {
  for (bool compound : {true, false}) {
    SCOPED_TRACE(compound ? "compound" : "one by one");
    auto connection = MysqlConnection::Connect(m_db.uri(), {.deferred_begin = true, .nonblocking = true});
    ASSERT_TRUE(connection.ok());
    MysqlConnection& db = **connection;
    if (!compound) db.DisableCompoundStatements();
    ASSERT_TRUE(db.Begin().ok());
    StatementList list;
    list.Add("INSERT INTO t VALUES (?, ?)", {Value::Int(10), Value::Text("x")});
    list.Add("UPDATE t SET v = ? WHERE id = ?", {Value::Text("y"), Value::Int(10)});
    ASSERT_TRUE(list.Start(db).ok());
    ASSERT_TRUE(db.FinishUpdate().ok());
    ASSERT_TRUE(db.Commit().ok());
    auto rows = m_db.admin().Query("SELECT v FROM t WHERE id = 10");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0][0].as_string(), "y");
    ASSERT_TRUE(m_db.admin().Execute("DELETE FROM t").ok());
  }
}

TEST_F(StartedStatementTest, AnArrayOfRowsInsertsEveryRowWithItsKindsAndNulls) {
  MysqlConnection& db = *m_connection;
  ASSERT_TRUE(db.SupportsArrayBinding());  // MariaDB 10.2 and later
  ASSERT_TRUE(m_db.admin().Execute("CREATE TABLE a (id BIGINT PRIMARY KEY, name VARCHAR(20) NULL, "
                                   "raw VARBINARY(8) NOT NULL, n INT NULL)").ok());
  const std::string sql = "INSERT INTO a (id, name, raw, n) VALUES (?, ?, ?, ?)";
  const std::vector<Value> rows = {
      Value::Int(1), Value::Text("ann"),   Value::Bytes(std::string("\0\x01", 2)), Value::Int(-7),
      Value::Int(2), Value::Null(),        Value::Bytes(""),                      Value::Null(),
      Value::Int(3), Value::Text("ŝarlo"), Value::Bytes("\xff"),                  Value::Int(1LL << 30),
  };
  ASSERT_TRUE(db.Begin().ok());
  ASSERT_TRUE(db.StartUpdate(sql, rows, 3).ok());
  auto inserted = db.FinishUpdate();
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_EQ(*inserted, 3u);
  // The same cached statement runs for one row again afterwards.
  ASSERT_TRUE(db.Update(sql, {{Value::Int(4), Value::Text("dan"), Value::Bytes("d"), Value::Int(4)}}).ok());
  ASSERT_TRUE(db.Commit().ok());
  auto stored = m_db.admin().Query("SELECT id, name, raw, n FROM a ORDER BY id");
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 4u);
  for (size_t r = 0; r < 3; ++r) {
    for (size_t c = 0; c < 4; ++c) {
      const Value& want = rows[r * 4 + c];
      const Value& got = (*stored)[r][c];
      SCOPED_TRACE(fmt::format("row {} column {}", r, c));
      ASSERT_EQ(got.is_null(), want.is_null());
      if (want.is_null()) continue;
      if (want.kind() == Value::Kind::kInt) {
        EXPECT_EQ(got.as_int(), want.as_int());
      } else {
        EXPECT_EQ(got.as_string(), want.as_string());
      }
    }
  }
  EXPECT_EQ((*stored)[3][1].as_string(), "dan");
}

TEST_F(StartedStatementTest, AnArrayWithARepeatedKeyIsAlreadyExistsAndMixedKindsAreRefused) {
  MysqlConnection& db = *m_connection;
  const std::string sql = "INSERT INTO t VALUES (?, ?)";
  ASSERT_TRUE(db.Begin().ok());
  ASSERT_TRUE(db.StartUpdate(sql, {Value::Int(1), Value::Text("a"), Value::Int(1), Value::Text("b")}, 2).ok());
  EXPECT_EQ(db.FinishUpdate().status().code(), StatusCode::kAlreadyExists);
  db.Rollback();
  EXPECT_EQ(Count(), 0);

  // A column of integers and text, or values that are not whole rows: refused before sending.
  EXPECT_FALSE(ArrayBindable(std::vector{Value::Int(1), Value::Text("a"), Value::Text("2"), Value::Text("b")}, 2));
  EXPECT_TRUE(ArrayBindable(std::vector{Value::Int(1), Value::Null(), Value::Null(), Value::Text("b")}, 2));
  ASSERT_TRUE(db.Begin().ok());
  EXPECT_EQ(db.StartUpdate(sql, {Value::Int(1), Value::Text("a"), Value::Text("2"), Value::Text("b")}, 2).code(),
            StatusCode::kInternal);
  EXPECT_EQ(db.StartUpdate(sql, {Value::Int(1), Value::Text("a"), Value::Int(2)}, 2).code(), StatusCode::kInternal);
  EXPECT_FALSE(db.HasPendingUpdate());
  db.Rollback();

  // Without array binding (other servers), an AddRows list goes as its multi-row statement.
  db.DisableArrayBinding();
  EXPECT_EQ(db.StartUpdate(sql, {Value::Int(1), Value::Text("a")}, 1).code(), StatusCode::kInternal);
  ASSERT_TRUE(db.Begin().ok());
  StatementList list;
  list.AddRows("INSERT INTO t VALUES (?, ?), (?, ?)", sql, 2,
               {Value::Int(5), Value::Text("e"), Value::Int(6), Value::Text("f")});
  ASSERT_TRUE(list.Start(db).ok());
  auto inserted = db.FinishUpdate();
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_EQ(*inserted, 2u);
  ASSERT_TRUE(db.Commit().ok());
  EXPECT_EQ(Count(), 2);
}

TEST_F(StartedStatementTest, IsRefusedOutsideATransactionOrOnABlockingConnection) {
  EXPECT_EQ(m_connection->StartUpdate("DO 1", {}).code(), StatusCode::kInternal);
  auto blocking = MysqlConnection::Connect(m_db.uri());
  ASSERT_TRUE(blocking.ok());
  ASSERT_TRUE((*blocking)->Begin().ok());
  EXPECT_EQ((*blocking)->StartUpdate("DO 1", {}).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace rowchain::store
