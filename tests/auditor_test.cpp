// `rowchain verify` against tampered databases: each kind of damage is caught and named, through
// the library and through the real CLI (exit codes 0, 1, 2).
#include "store/auditor.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/chain_store.h"
#include "test_chain.h"
#include "test_mysql.h"
#include "test_vectors.h"

namespace rowchain::store {
namespace {

using testing::Batch;
using testing::TestChain;
using testing::TestDatabase;
using testing::UserInsert;
using testing::UserUpdate;

class AuditorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ChainStore::Open(db.uri(), chain.params());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    consensus::Block parent = chain.genesis();
    for (uint64_t h = 0; h < 5; ++h) {
      consensus::Block b = chain.Mine(parent, h, {UserInsert(Batch(h), 0, static_cast<int64_t>(10 * h), "u", 20),
                                                  UserInsert(Batch(h), 1, static_cast<int64_t>(10 * h + 1), "v", 21)});
      ASSERT_TRUE((*store)->AcceptBlock(b, 1763600000).ok());
      blocks.push_back(b);
      parent = b;
    }
    consensus::Block b6 = chain.Mine(parent, 5, {UserUpdate(Batch(99), 0, 10, "changed", 30)});
    ASSERT_TRUE((*store)->AcceptBlock(b6, 1763600000).ok());
    blocks.push_back(b6);
  }

  AuditReport Audit() {
    auto report = AuditDatabase(db.uri(), chain.params());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return *report;
  }
  void Exec(const std::string& sql) { ASSERT_TRUE(db.admin().Execute(sql).ok()) << sql; }
  std::string HashHex(int index) {
    consensus::Hash256 h = blocks[index].Hash();
    std::string out = "x'";
    for (uint8_t b : h) out += fmt::format("{:02x}", b);
    return out + "'";
  }

  TestDatabase db;
  TestChain chain{testing::RegtestParams()};
  std::vector<consensus::Block> blocks;  // heights 1..6
};

TEST_F(AuditorTest, ACleanDatabaseIsClean) {
  AuditReport report = Audit();
  EXPECT_TRUE(report.clean());
  EXPECT_EQ(report.blocks_checked, 7u);
  EXPECT_EQ(report.tip_height, 6u);
  EXPECT_EQ(report.operations_replayed, 11u);
  EXPECT_EQ(report.table_rows_checked, 10u);
}

TEST_F(AuditorTest, AChangedValue) {
  Exec("UPDATE users SET age = 99 WHERE id = 21");
  AuditReport report = Audit();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].reason, "changed-row");
  EXPECT_EQ(report.problems[0].table, "users");
  EXPECT_EQ(report.problems[0].key, "id=21");
}

TEST_F(AuditorTest, ADeletedRow) {
  Exec("DELETE FROM users WHERE id = 31");
  AuditReport report = Audit();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].reason, "missing-row");
  EXPECT_EQ(report.problems[0].key, "id=31");
}

TEST_F(AuditorTest, AStrayRow) {
  Exec("INSERT INTO users VALUES (777, 'intruder', 1)");
  AuditReport report = Audit();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].reason, "extra-row");
  EXPECT_EQ(report.problems[0].key, "id=777");
}

TEST_F(AuditorTest, AnAlteredLeaf) {
  // Flip the last byte of block 3's body (inside its last leaf).
  Exec("UPDATE rowchain_blocks SET body = CONCAT(LEFT(body, LENGTH(body) - 1), "
       "CHAR(ASCII(RIGHT(body, 1)) ^ 1)) WHERE hash = " + HashHex(2));
  AuditReport report = Audit();
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.problems[0].reason, "bad-merkle");
  EXPECT_EQ(report.problems[0].height, 3u);
  EXPECT_FALSE(report.tables_compared);
}

// The audit's first problem is a block problem with this reason, at this height.
void ExpectFirstProblem(const AuditReport& report, const std::string& reason, uint64_t height) {
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.problems[0].reason, reason);
  EXPECT_EQ(report.problems[0].height, height);
}

TEST_F(AuditorTest, AnAlteredHeader) {
  Exec("UPDATE rowchain_blocks SET header = CONCAT(LEFT(header, 68), 'XXXX', RIGHT(header, 8)) WHERE hash = " +
       HashHex(3));
  ExpectFirstProblem(Audit(), "bad-header", 4);
}

TEST_F(AuditorTest, ADroppedBlock) {
  Exec("DELETE FROM rowchain_blocks WHERE hash = " + HashHex(1));
  ExpectFirstProblem(Audit(), "missing-block", 2);
}

TEST_F(AuditorTest, ADroppedTipBlock) {
  // No gap in the heights: the block's sealed batches still name it.
  Exec("DELETE FROM rowchain_blocks WHERE hash = " + HashHex(5));
  AuditReport report = Audit();
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.problems[0].reason, "missing-block");
  ASSERT_TRUE(report.problems[0].hash.has_value());
  EXPECT_EQ(*report.problems[0].hash, blocks[5].Hash());
}

TEST_F(AuditorTest, AMissingBody) {
  Exec("UPDATE rowchain_blocks SET body = NULL WHERE hash = " + HashHex(2));
  ExpectFirstProblem(Audit(), "missing-body", 3);
}

TEST_F(AuditorTest, TheCliReportsAndExits) {
  auto clean = testing::RunCli("verify --mysql '" + db.text() + "' --json");
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  auto json = nlohmann::json::parse(clean.out);
  EXPECT_TRUE(json["clean"].get<bool>());
  EXPECT_EQ(json["tip_height"], 6);

  Exec("UPDATE users SET name = 'mallory' WHERE id = 40");
  auto dirty = testing::RunCli("verify --mysql '" + db.text() + "'");
  EXPECT_EQ(dirty.exit_code, 1);
  EXPECT_NE(dirty.out.find("table users, key id=40"), std::string::npos) << dirty.out;

  TestDatabase unused;
  store::MysqlUri unreachable = unused.uri();
  unreachable.socket = "/nonexistent/mysqld.sock";
  auto error = testing::RunCli("verify --mysql '" + testing::UriText(unreachable) + "'");
  EXPECT_EQ(error.exit_code, 2);
  EXPECT_EQ(error.err.find(unreachable.password), std::string::npos);
  EXPECT_EQ(testing::RunCli("verify --mysql not-a-uri").exit_code, 2);
}

}  // namespace
}  // namespace rowchain::store
