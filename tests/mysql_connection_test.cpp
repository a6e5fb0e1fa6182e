// store/mysql_connection: a statement started without waiting for its result (StartUpdate),
// against the private MariaDB.
#include "store/mysql_connection.h"

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

TEST_F(StartedStatementTest, IsRefusedOutsideATransactionOrOnABlockingConnection) {
  EXPECT_EQ(m_connection->StartUpdate("DO 1", {}).code(), StatusCode::kInternal);
  auto blocking = MysqlConnection::Connect(m_db.uri());
  ASSERT_TRUE(blocking.ok());
  ASSERT_TRUE((*blocking)->Begin().ok());
  EXPECT_EQ((*blocking)->StartUpdate("DO 1", {}).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace rowchain::store
