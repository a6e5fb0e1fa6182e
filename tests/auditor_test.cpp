// `rowchain verify` against tampered databases: each kind of damage is caught and named, through
// the library and through the real CLI (exit codes 0, 1, 2).
#include "store/auditor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>
#include <set>
#include <nlohmann/json.hpp>

#include "store/audit_spill.h"
#include "store/chain_store.h"
#include "store/packed_leaves.h"
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

  // Audits twice: in memory, and spread over the most partitions a tiny memory budget gives.
  // Both must find the same problems.
  AuditReport Audit(const ExpectedTip& expected = {}) {
    auto report = AuditDatabase(db.uri(), chain.params(), {}, expected);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    auto partitioned = AuditDatabase(db.uri(), chain.params(), {}, expected, {.memory_budget_bytes = 1});
    EXPECT_TRUE(partitioned.ok()) << partitioned.status().ToString();
    EXPECT_EQ(report->partitions, 1u);
    if (report->operations_replayed > 0) {
      EXPECT_EQ(partitioned->partitions, kMaxAuditPartitions);
    }
    EXPECT_EQ(Findings(*partitioned), Findings(*report));
    EXPECT_EQ(partitioned->tables_compared, report->tables_compared);
    EXPECT_EQ(partitioned->blocks_checked, report->blocks_checked);
    return *report;
  }
  static std::vector<std::string> Findings(const AuditReport& report) {
    std::vector<std::string> out;
    for (const AuditProblem& p : report.problems) {
      out.push_back(fmt::format("{} {} {} {}", p.reason, p.height ? std::to_string(*p.height) : "-", p.table, p.key));
    }
    return out;
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

// A stored undo image that would not restore what its block changed corrupts the tables at the
// next reorg past it; an absent one makes the reorg impossible.
TEST_F(AuditorTest, ATamperedOrMissingUndoImage) {
  Exec("UPDATE rowchain_blocks SET undo_ops = (SELECT u FROM (SELECT undo_ops AS u FROM rowchain_blocks WHERE hash = " +
       HashHex(2) + ") t) WHERE hash = " + HashHex(5));
  ExpectFirstProblem(Audit(), "bad-undo", 6);
  Exec("UPDATE rowchain_blocks SET undo_ops = NULL WHERE hash = " + HashHex(5));
  ExpectFirstProblem(Audit(), "bad-undo", 6);
}

// An undo image of the right shape whose row is not the one the UPDATE replaced: only replaying
// the chain shows it.
TEST_F(AuditorTest, AnUndoImageHoldingAnotherRow) {
  consensus::RowOperation wrong = UserUpdate(consensus::BatchId{}, 0, 10, "forged", 77);
  wrong.op = consensus::RowOpKind::kUpdate;
  std::vector<uint8_t> leaf = consensus::EncodeRowOperationLeaf(wrong);
  std::vector<consensus::Leaf> leaves = {consensus::Leaf(leaf.begin(), leaf.end())};
  std::string hex;
  for (uint8_t b : PackLeaves(leaves)) hex += fmt::format("{:02x}", b);
  Exec("UPDATE rowchain_blocks SET undo_ops = x'" + hex + "' WHERE hash = " + HashHex(5));
  AuditReport report = Audit();
  ExpectFirstProblem(report, "bad-undo", 6);
  EXPECT_EQ(report.tip_height, 5u);
  EXPECT_FALSE(report.tables_compared);
}

// Cut back to an earlier block, with the top's batches and rows taken away too, a database is
// self-consistent: only the tip expected from outside shows it.
TEST_F(AuditorTest, AChainCutBackIsCaughtOnlyAgainstTheExpectedTip) {
  Exec("DELETE FROM rowchain_blocks WHERE hash = " + HashHex(5));
  Exec("DELETE FROM rowchain_batches WHERE block_hash = " + HashHex(5));
  Exec("UPDATE users SET name = 'u', age = 20 WHERE id = 10");
  EXPECT_TRUE(Audit().clean());
  AuditReport by_height = Audit({.height = 6, .hash = {}});
  ASSERT_FALSE(by_height.clean());
  EXPECT_EQ(by_height.problems[0].reason, "truncated-chain");
  AuditReport by_hash = Audit({.height = {}, .hash = blocks[5].Hash()});
  ASSERT_FALSE(by_hash.clean());
  EXPECT_EQ(by_hash.problems[0].reason, "unexpected-tip");
  EXPECT_TRUE(Audit({.height = 5, .hash = blocks[4].Hash()}).clean());
}

// The shape of a ledger table is part of what every node agrees on: a column added, a column's
// type or collation changed, a trigger that rewrites rows.
TEST_F(AuditorTest, ATableWhoseShapeDrifted) {
  for (const std::string& change :
       {std::string("ALTER TABLE users ADD COLUMN note INT NULL"),
        std::string("ALTER TABLE users MODIFY age BIGINT NOT NULL"),
        std::string("ALTER TABLE users MODIFY name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL"),
        std::string("CREATE TRIGGER users_audit BEFORE UPDATE ON users FOR EACH ROW SET NEW.age = NEW.age")}) {
    TestDatabase fresh;
    {
      auto store = ChainStore::Open(fresh.uri(), chain.params());
      ASSERT_TRUE(store.ok()) << store.status().ToString();
    }
    ASSERT_TRUE(fresh.admin().Execute(change).ok()) << change;
    auto report = AuditDatabase(fresh.uri(), chain.params());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_FALSE(report->clean()) << change;
    EXPECT_EQ(report->problems[0].reason, "schema-drift") << change;
  }
}

TEST_F(AuditorTest, AChangedPrimaryKey) {
  Exec("UPDATE users SET id = 12345 WHERE id = 41");
  AuditReport report = Audit();
  ASSERT_EQ(report.problems.size(), 2u);
  std::set<std::string> reasons = {report.problems[0].reason, report.problems[1].reason};
  EXPECT_EQ(reasons, (std::set<std::string>{"extra-row", "missing-row"}));
}

TEST_F(AuditorTest, AMainChainMarkTakenOffABlock) {
  Exec("UPDATE rowchain_blocks SET in_main = 0 WHERE hash = " + HashHex(2));
  ExpectFirstProblem(Audit(), "missing-block", 3);
}

TEST_F(AuditorTest, AnotherGenesisRecorded) {
  Exec("UPDATE rowchain_meta SET v = REPEAT('x', 32) WHERE k = 'genesis_hash'");
  ExpectFirstProblem(Audit(), "genesis-mismatch", 0);
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
  EXPECT_EQ(testing::RunCli("verify --mysql '" + db.text() + "' --expect-tip six").exit_code, 2);
  auto expected = testing::RunCli(fmt::format("verify --mysql '{}' --expect-tip 7 --json", db.text()));
  EXPECT_EQ(expected.exit_code, 1);
  EXPECT_NE(expected.out.find("truncated-chain"), std::string::npos) << expected.out;
}

// A digest signed while the chain was whole (`rowchain digest`, kept away from the node) shows a
// chain cut back later; an altered digest or one signed with another key is refused (exit 2).
TEST_F(AuditorTest, ASignedDigestCatchesAChainCutBackAndRefusesForgeries) {
  std::string dir = ::testing::TempDir() + "/digest-" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  for (const char* who : {"auditor", "mallory"}) {
    ASSERT_EQ(std::system(fmt::format("openssl genpkey -algorithm ed25519 -out {0}/{1}.pem && openssl pkey -in "
                                      "{0}/{1}.pem -pubout -out {0}/{1}.pub.pem", dir, who).c_str()), 0);
  }
  auto signed_now = testing::RunCli(fmt::format("digest --mysql '{}' --key {}/auditor.pem --out {}/tip.json",
                                                db.text(), dir, dir));
  ASSERT_EQ(signed_now.exit_code, 0) << signed_now.err;
  EXPECT_NE(signed_now.out.find("height 6"), std::string::npos) << signed_now.out;
  std::string verify = fmt::format("verify --mysql '{}' --digest {}/tip.json --digest-key {}/", db.text(), dir, dir);
  EXPECT_EQ(testing::RunCli(verify + "auditor.pub.pem").exit_code, 0);

  auto other_key = testing::RunCli(verify + "mallory.pub.pem");
  EXPECT_EQ(other_key.exit_code, 2);
  EXPECT_NE(other_key.err.find("signed with another key"), std::string::npos) << other_key.err;
  ASSERT_EQ(std::system(fmt::format("sed 's/\"height\": 6/\"height\": 5/' {0}/tip.json > {0}/altered.json", dir)
                            .c_str()), 0);
  auto altered = testing::RunCli(fmt::format("verify --mysql '{}' --digest {}/altered.json --digest-key {}/auditor.pub.pem",
                                             db.text(), dir, dir));
  EXPECT_EQ(altered.exit_code, 2);
  EXPECT_NE(altered.err.find("was altered"), std::string::npos) << altered.err;
  EXPECT_EQ(testing::RunCli(fmt::format("verify --mysql '{}' --digest {}/tip.json", db.text(), dir)).exit_code, 2);

  Exec("DELETE FROM rowchain_blocks WHERE hash = " + HashHex(5));
  Exec("DELETE FROM rowchain_batches WHERE block_hash = " + HashHex(5));
  Exec("UPDATE users SET name = 'u', age = 20 WHERE id = 10");
  ASSERT_TRUE(Audit().clean());
  auto cut = testing::RunCli(verify + "auditor.pub.pem --json");
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_NE(cut.out.find("truncated-chain"), std::string::npos) << cut.out;
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace rowchain::store
