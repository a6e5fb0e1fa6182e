// The chain store against the tests' private MariaDB: connecting blocks, invalid rows, a
// connection killed mid-block, restart, reorgs with undo, the tie-break, schema binding.
#include "store/chain_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "chain/chain_config.h"
#include "test_chain.h"
#include "test_mysql.h"

namespace rowchain::store {
namespace {

using consensus::Block;
using testing::Batch;
using testing::TestChain;
using testing::TestDatabase;
using testing::UserDelete;
using testing::UserInsert;
using testing::UserUpdate;

constexpr int64_t kNow = 1763600000;

std::unique_ptr<ChainStore> OpenStore(const TestDatabase& db, ChainStoreOptions options = {}) {
  auto store = ChainStore::Open(db.uri(), testing::RegtestParams(), std::move(options));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

// id -> "name/age" for every row of users.
std::map<int64_t, std::string> Users(TestDatabase& db) {
  std::map<int64_t, std::string> out;
  auto rows = db.admin().Query("SELECT id, name, age FROM users");
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  for (const auto& r : *rows) out[r[0].as_int()] = r[1].as_string() + "/" + std::to_string(r[2].as_int());
  return out;
}

void ExpectConnected(ChainStore& store, const Block& block) {
  auto result = store.AcceptBlock(block, kNow);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_TRUE(result->verdict.ok()) << result->verdict.reason() << ": " << result->verdict.detail();
  EXPECT_EQ(store.Tip().hash, block.Hash());
}

class ChainStoreTest : public ::testing::Test {
 protected:
  void CheckInvalidRowsAreRejected(TestDatabase& target, std::unique_ptr<ChainStore> store);

  TestDatabase db;
  TestChain chain{testing::RegtestParams()};
};

TEST_F(ChainStoreTest, ConnectsInsertsUpdatesAndDeletes) {
  auto store = OpenStore(db);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Tip().height, 0u);
  EXPECT_EQ(store->Tip().hash, chain.genesis().Hash());
  Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30), UserInsert(Batch(1), 1, 2, "bob", 40)});
  ExpectConnected(*store, b1);
  Block b2 = chain.Mine(b1, 1, {UserUpdate(Batch(2), 0, 1, "ann", 31), UserDelete(Batch(2), 1, 2),
                                UserInsert(Batch(2), 2, 3, "cy", 50)});
  ExpectConnected(*store, b2);
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "ann/31"}, {3, "cy/50"}}));
  EXPECT_EQ(store->Tip().height, 2u);
  auto batch = store->GetBatch(Batch(2));
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_EQ((*batch)->state, BatchState::kSealed);
  EXPECT_EQ((*batch)->block_hash, b2.Hash());
  // The same block again changes nothing.
  auto again = store->AcceptBlock(b2, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_known);
}

// Every way a block's writes can reach the server: rows first as an array and the rest with
// the COMMIT (the default), rows first as multi-row INSERTs (servers without array binding),
// and one statement at a time (servers without compound statements).
std::vector<ChainStoreOptions> WriteModes() {
  std::vector<ChainStoreOptions> modes(3);
  modes[1].array_binding = false;
  modes[2].compound_statements = false;
  return modes;
}

ChainStoreOptions WithKeyFilter(std::shared_ptr<KeyFilter> filter) {
  ChainStoreOptions options;
  options.ledger_keys = std::move(filter);
  return options;
}

std::string DescribeMode(const ChainStoreOptions& mode) {
  return fmt::format("compound statements {}, array binding {}", mode.compound_statements, mode.array_binding);
}

TEST_F(ChainStoreTest, InvalidRowsAreRejectedAndChangeNothing) {
  for (const ChainStoreOptions& mode : WriteModes()) {
    SCOPED_TRACE(DescribeMode(mode));
    TestDatabase fresh;
    CheckInvalidRowsAreRejected(fresh, OpenStore(fresh, mode));
  }
}

TEST_F(ChainStoreTest, ABodyThatDoesNotHashToItsHeaderLeavesNothing) {
  // On the tip the root is checked last, while the server inserts the rows (and, for a large
  // body, the block's row): none of it may stay, and the right body must still connect.
  for (const ChainStoreOptions& mode : WriteModes()) {
    SCOPED_TRACE(DescribeMode(mode));
    TestDatabase fresh;
    auto store = OpenStore(fresh, mode);
    ASSERT_TRUE(store);
    Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30)});
    ExpectConnected(*store, b1);
    Block b2 = chain.Mine(b1, 1, {UserUpdate(Batch(2), 0, 1, "ann", 31), UserInsert(Batch(2), 1, 2, "bob", 40)});
    Block wrong_body = b2;
    wrong_body.leaves[2] = consensus::EncodeRowOperationLeaf(
        {.batch_id = Batch(2), .row_index = 1, .op = consensus::RowOpKind::kInsert, .table = "users",
         .values = {consensus::Value::Int(2), consensus::Value::Text("eve"), consensus::Value::Int(40)}});
    auto result = store->AcceptBlock(wrong_body, kNow);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->verdict.reason(), "bad-merkle");
    EXPECT_EQ(store->Tip().hash, b1.Hash());
    EXPECT_EQ(store->FindBlock(b2.Hash()), nullptr);
    EXPECT_EQ(Users(fresh), (std::map<int64_t, std::string>{{1, "ann/30"}}));
    auto stored = fresh.admin().Query("SELECT COUNT(*) FROM rowchain_blocks");
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ((*stored)[0][0].as_int(), 2);  // genesis and b1
    auto batch = store->GetBatch(Batch(2));
    ASSERT_TRUE(batch.ok());
    EXPECT_FALSE(batch->has_value());
    ExpectConnected(*store, b2);
    EXPECT_EQ(Users(fresh), (std::map<int64_t, std::string>{{1, "ann/31"}, {2, "bob/40"}}));
  }
}

void ChainStoreTest::CheckInvalidRowsAreRejected(TestDatabase& target, std::unique_ptr<ChainStore> store) {
  ASSERT_TRUE(store);
  Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30)});
  ExpectConnected(*store, b1);
  const std::vector<std::pair<std::vector<consensus::RowOperation>, std::string>> cases = {
      {{UserInsert(Batch(2), 0, 9, "new", 1), UserUpdate(Batch(2), 1, 7, "ghost", 1)}, "bad-row"},  // UPDATE of a missing key
      {{UserDelete(Batch(3), 0, 8)}, "bad-row"},                                                    // DELETE of a missing key
      {{UserInsert(Batch(4), 0, 5, "x", 1), UserInsert(Batch(4), 1, 1, "dup", 1)}, "bad-row"},      // INSERT of an existing key
      {{UserInsert(Batch(1), 0, 6, "replay", 1)}, "bad-batch"},                                     // batch already sealed
      {{UserInsert(Batch(5), 0, 7, "new", 1), UserInsert(Batch(1), 0, 6, "replay", 1)}, "bad-batch"}};
  for (const auto& [rows, reason] : cases) {
    Block bad = chain.Mine(b1, 1, rows);
    auto result = store->AcceptBlock(bad, kNow);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->verdict.reason(), reason) << result->verdict.detail();
    EXPECT_EQ(store->Tip().hash, b1.Hash());
    EXPECT_EQ(Users(target), (std::map<int64_t, std::string>{{1, "ann/30"}}));
    const BlockEntry* entry = store->FindBlock(bad.Hash());
    ASSERT_NE(entry, nullptr);
    EXPECT_TRUE(entry->invalid);
  }
  // The replayed batch is still the one sealed in b1; the rejected blocks' batches left no record.
  auto replayed = store->GetBatch(Batch(1));
  ASSERT_TRUE(replayed.ok() && replayed->has_value());
  EXPECT_EQ((*replayed)->block_hash, b1.Hash());
  auto rolled_back = store->GetBatch(Batch(5));
  ASSERT_TRUE(rolled_back.ok());
  EXPECT_FALSE(rolled_back->has_value());
  // A header-level failure is not even stored.
  Block orphan = chain.Mine(chain.genesis(), 5, {});
  auto result = store->AcceptBlock(orphan, kNow);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->verdict.reason(), "bad-height");
  EXPECT_EQ(store->FindBlock(orphan.Hash()), nullptr);
}

// Kills the store's connection from another connection at a named point inside the connect
// transaction: the block must leave no trace in the ledger, and a restart resumes cleanly.
void CrashMidBlock(const std::string& stage) {
  TestDatabase db;
  TestChain chain(testing::RegtestParams());
  uint64_t victim = 0;
  bool armed = false;
  ChainStoreOptions options;
  options.stage_hook = [&](std::string_view at) {
    if (!armed || at != stage) return;
    armed = false;
    ASSERT_TRUE(db.admin().Execute("KILL " + std::to_string(victim)).ok());
  };
  auto store = OpenStore(db, options);
  Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30)});
  ExpectConnected(*store, b1);
  Block b2 = chain.Mine(b1, 1, {UserUpdate(Batch(2), 0, 1, "ann", 99), UserInsert(Batch(2), 1, 2, "bob", 40)});
  victim = store->ConnectionId();
  armed = true;
  auto result = store->AcceptBlock(b2, kNow);
  EXPECT_FALSE(result.ok()) << "the commit should have failed";
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "ann/30"}}));
  // The main chain's tip is the highest block marked in_main: still block 1, and block 2 left
  // no row.
  auto main_chain = db.admin().Query("SELECT hash FROM rowchain_blocks WHERE in_main = 1 ORDER BY height DESC");
  ASSERT_TRUE(main_chain.ok());
  const consensus::Hash256 b1_hash = b1.Hash();
  ASSERT_EQ(main_chain->size(), 2u);
  EXPECT_EQ((*main_chain)[0][0].as_string(), std::string(b1_hash.begin(), b1_hash.end()));
  auto stored = db.admin().Query("SELECT COUNT(*) FROM rowchain_blocks");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)[0][0].as_int(), 2);

  // The same store recovers on its next call; a restarted one resumes from block 1.
  store.reset();
  auto reopened = OpenStore(db);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->Tip().hash, b1.Hash());
  ExpectConnected(*reopened, b2);
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "ann/99"}, {2, "bob/40"}}));
}

TEST(ChainStoreCrashTest, KilledAfterTheLedgerRowsWereWritten) { CrashMidBlock("ledger-applied"); }
TEST(ChainStoreCrashTest, KilledJustBeforeCommit) { CrashMidBlock("before-commit"); }
TEST(ChainStoreCrashTest, KilledWhileTheRowsAreBeingInserted) {
  CrashMidBlock("rows-sent");  // the INSERT is on its way while the body is hashed
}

TEST_F(ChainStoreTest, RestartResumesFromTheLastBlock) {
  Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30)});
  Block b2 = chain.Mine(b1, 1, {UserInsert(Batch(2), 0, 2, "bob", 40)});
  {
    auto store = OpenStore(db);
    ExpectConnected(*store, b1);
    ExpectConnected(*store, b2);
  }
  auto store = OpenStore(db);
  EXPECT_EQ(store->Tip().height, 2u);
  EXPECT_EQ(store->Tip().hash, b2.Hash());
  Block b3 = chain.Mine(b2, 2, {UserDelete(Batch(3), 0, 1)});
  ExpectConnected(*store, b3);
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{2, "bob/40"}}));
}

// x'…': a hash as an SQL literal, for tests that reach into the node tables.
std::string SqlHex(const consensus::Hash256& hash) {
  std::string hex;
  for (uint8_t byte : hash) hex += fmt::format("{:02x}", byte);
  return "x'" + hex + "'";
}

// Connects the blocks in order through a store that is closed again afterwards.
void ConnectAndClose(const TestDatabase& db, std::initializer_list<const Block*> blocks) {
  auto store = OpenStore(db);
  ASSERT_TRUE(store);
  for (const Block* block : blocks) ExpectConnected(*store, *block);
}

TEST_F(ChainStoreTest, AVersionTwoDatabaseIsMigrated) {
  Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30)});
  Block b2 = chain.Mine(b1, 1, {UserUpdate(Batch(2), 0, 1, "ann", 31), UserInsert(Batch(2), 1, 2, "bob", 40)});
  ConnectAndClose(db, {&b1, &b2});
  // Back to version 2's layout: bodies and undo images in a table of their own, the tip in
  // rowchain_meta.
  for (const std::string& sql : {
           std::string("CREATE TABLE rowchain_block_bodies (hash BINARY(32) NOT NULL PRIMARY KEY, body LONGBLOB NOT "
                       "NULL, undo_ops LONGBLOB NULL) ENGINE=InnoDB"),
           std::string("INSERT INTO rowchain_block_bodies SELECT hash, body, undo_ops FROM rowchain_blocks"),
           std::string("ALTER TABLE rowchain_blocks DROP COLUMN body, DROP COLUMN undo_ops"),
           "INSERT INTO rowchain_meta (k, v) VALUES ('tip_hash', " + SqlHex(b2.Hash()) + ")",
           std::string("UPDATE rowchain_meta SET v = '2' WHERE k = 'schema_version'")}) {
    ASSERT_TRUE(db.admin().Execute(sql).ok()) << sql;
  }
  auto store = OpenStore(db);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Tip().hash, b2.Hash());
  auto read = store->ReadBlock(b2.Hash());
  ASSERT_TRUE(read.ok() && *read) << read.status().ToString();
  EXPECT_EQ(**read, b2);
  auto tables = db.admin().Query(
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
      "'rowchain_block_bodies'");
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ((*tables)[0][0].as_int(), 0);
  // The undo image came along: a heavier branch from block 1 disconnects block 2.
  Block c2 = chain.Mine(b1, 1, {UserInsert(Batch(3), 0, 3, "cy", 50)}, /*extra_nonce=*/7);
  Block c3 = chain.Mine(c2, 2, {UserInsert(Batch(4), 0, 4, "di", 60)});
  ASSERT_TRUE(store->AcceptBlock(c2, kNow).ok());
  auto reorg = store->AcceptBlock(c3, kNow);
  ASSERT_TRUE(reorg.ok()) << reorg.status().ToString();
  EXPECT_EQ(store->Tip().hash, c3.Hash());
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "ann/30"}, {3, "cy/50"}, {4, "di/60"}}));
}

TEST_F(ChainStoreTest, MainChainMarksThatAreNotOneChainAreDataLoss) {
  Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30)});
  Block b2 = chain.Mine(b1, 1, {UserInsert(Batch(2), 0, 2, "bob", 40)});
  ConnectAndClose(db, {&b1, &b2});
  ASSERT_TRUE(db.admin().Execute("UPDATE rowchain_blocks SET in_main = 0 WHERE hash = " + SqlHex(b1.Hash())).ok());
  auto store = ChainStore::Open(db.uri(), testing::RegtestParams(), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("not one chain"), std::string::npos) << store.status().message();
}

TEST_F(ChainStoreTest, HeavierBranchReorgsWithUndoAndReturnsBatchesToThePool) {
  auto store = OpenStore(db);
  Block a1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30), UserInsert(Batch(1), 1, 2, "bob", 40)});
  Block a2 = chain.Mine(a1, 1, {UserUpdate(Batch(2), 0, 1, "ann", 31), UserDelete(Batch(2), 1, 2)});
  ExpectConnected(*store, a1);
  ExpectConnected(*store, a2);
  // A side branch from a1 that drops batch 2 and carries batch 3: longer, so heavier.
  Block b2 = chain.Mine(a1, 1, {UserInsert(Batch(3), 0, 3, "cy", 50)}, /*extra_nonce=*/7);
  auto side = store->AcceptBlock(b2, kNow);
  ASSERT_TRUE(side.ok());
  EXPECT_TRUE(side->verdict.ok());
  // b2 and a2 have equal work: the tip is whichever hash is lower.
  bool b2_lower = consensus::U256::FromLittleEndianBytes(b2.Hash()) < consensus::U256::FromLittleEndianBytes(a2.Hash());
  EXPECT_EQ(store->Tip().hash, b2_lower ? b2.Hash() : a2.Hash());
  Block b3 = chain.Mine(b2, 2, {UserUpdate(Batch(4), 0, 2, "bob", 41)});
  auto reorg = store->AcceptBlock(b3, kNow);
  ASSERT_TRUE(reorg.ok()) << reorg.status().ToString();
  EXPECT_EQ(store->Tip().hash, b3.Hash());
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "ann/30"}, {2, "bob/41"}, {3, "cy/50"}}));
  auto pending = store->PendingBatches(1000, 1'000'000);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, Batch(2));
  EXPECT_EQ((*pending)[0].leaves.size(), 2u);
  EXPECT_EQ((*store->GetBatch(Batch(1)))->state, BatchState::kSealed);

  // And back: the a-branch grows heavier again, batch 2 is sealed again, 3 and 4 pending.
  Block a3 = chain.Mine(a2, 2, {UserInsert(Batch(5), 0, 4, "dee", 60)});
  Block a4 = chain.Mine(a3, 3, {});
  ASSERT_TRUE(store->AcceptBlock(a3, kNow).ok());
  ExpectConnected(*store, a4);
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "ann/31"}, {4, "dee/60"}}));
  EXPECT_EQ((*store->GetBatch(Batch(2)))->state, BatchState::kSealed);
  EXPECT_EQ((*store->GetBatch(Batch(3)))->state, BatchState::kPending);
  EXPECT_EQ((*store->GetBatch(Batch(4)))->state, BatchState::kPending);
}

TEST_F(ChainStoreTest, TheKeyFilterHearsOfEveryKeyTheTablesComeToHold) {
  const consensus::TableSchema& users = *chain.params().schema.FindTable("users");
  auto user_key = [&](int64_t id) { return consensus::RowKey("users", std::vector{consensus::Value::Int(id)}); };
  Block a1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30), UserInsert(Batch(1), 1, 2, "bob", 40)});
  Block a2 = chain.Mine(a1, 1, {UserDelete(Batch(2), 0, 2)});
  {
    auto filter = std::make_shared<KeyFilter>();
    auto store = OpenStore(db, WithKeyFilter(filter));
    ExpectConnected(*store, a1);
    EXPECT_TRUE(filter->MayContain(user_key(1)));
    EXPECT_TRUE(filter->MayContain(user_key(2)));
    ExpectConnected(*store, a2);
  }
  // A restart: the new filter starts empty (the node scans the tables into it). A reorg that
  // disconnects a2 brings bob back, and the filter hears of it before the row is written.
  auto filter = std::make_shared<KeyFilter>();
  auto store = OpenStore(db, WithKeyFilter(filter));
  ASSERT_TRUE(store);
  EXPECT_FALSE(filter->MayContain(user_key(2)));
  Block b2 = chain.Mine(a1, 1, {}, /*extra_nonce=*/7);
  Block b3 = chain.Mine(b2, 2, {UserInsert(Batch(3), 0, 3, "cy", 50)});
  ASSERT_TRUE(store->AcceptBlock(b2, kNow).ok());
  ExpectConnected(*store, b3);
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "ann/30"}, {2, "bob/40"}, {3, "cy/50"}}));
  EXPECT_TRUE(filter->MayContain(user_key(2)));
  EXPECT_TRUE(filter->MayContain(user_key(3)));
  EXPECT_EQ(consensus::RowKeyOf(UserInsert(Batch(3), 0, 3, "cy", 50), users), user_key(3));

  // What the tables held before: AddAllKeys scans them.
  KeyFilter scanned;
  ASSERT_TRUE(LedgerWriter(db.admin(), chain.params()).AddAllKeys(scanned).ok());
  for (int64_t id : {1, 2, 3}) EXPECT_TRUE(scanned.MayContain(user_key(id))) << id;
  EXPECT_FALSE(scanned.MayContain(user_key(4)));
}

TEST_F(ChainStoreTest, EqualWorkTieGoesToTheLowerHashInEitherOrder) {
  Block x = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "x", 1)});
  Block y = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(2), 0, 1, "y", 2)});
  const Block& lower =
      consensus::U256::FromLittleEndianBytes(x.Hash()) < consensus::U256::FromLittleEndianBytes(y.Hash()) ? x : y;
  for (bool x_first : {true, false}) {
    TestDatabase fresh;
    auto store = OpenStore(fresh);
    ASSERT_TRUE(store->AcceptBlock(x_first ? x : y, kNow).ok());
    ASSERT_TRUE(store->AcceptBlock(x_first ? y : x, kNow).ok());
    EXPECT_EQ(store->Tip().hash, lower.Hash());
    EXPECT_EQ(Users(fresh).at(1), &lower == &x ? "x/1" : "y/2");
  }
}

TEST_F(ChainStoreTest, ReorgOfMoreThanAHundredBlocks) {
  auto store = OpenStore(db);
  std::vector<Block> main = {chain.genesis()}, side = {chain.genesis()};
  for (uint64_t h = 0; h < 110; ++h) {
    main.push_back(chain.Mine(main.back(), h, {UserInsert(Batch(1000 + h), 0, static_cast<int64_t>(h), "main", 1)}));
    ExpectConnected(*store, main.back());
  }
  for (uint64_t h = 0; h < 111; ++h) {
    side.push_back(chain.Mine(side.back(), h, {UserInsert(Batch(5000 + h), 0, static_cast<int64_t>(h), "side", 2)}, 1));
    ASSERT_TRUE(store->AcceptBlock(side.back(), kNow).ok());
  }
  EXPECT_EQ(store->Tip().hash, side.back().Hash());
  EXPECT_EQ(store->Tip().height, 111u);
  auto users = Users(db);
  EXPECT_EQ(users.size(), 111u);
  for (const auto& [id, row] : users) EXPECT_EQ(row, "side/2") << id;
  EXPECT_EQ(store->PendingTotals()->batches, 110u);  // every main-branch batch is back in the pool
}

TEST_F(ChainStoreTest, AReorgOntoAnInvalidBranchFallsBack) {
  auto store = OpenStore(db);
  Block a1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "ann", 30)});
  ExpectConnected(*store, a1);
  Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(2), 0, 2, "bob", 40)}, 3);
  Block b2 = chain.Mine(b1, 1, {UserUpdate(Batch(3), 0, 1, "ghost", 1)});  // id 1 does not exist on b
  ASSERT_TRUE(store->AcceptBlock(b1, kNow).ok());
  auto result = store->AcceptBlock(b2, kNow);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->verdict.reason(), "bad-row");
  // b1 alone ties with a1; whichever the tie-break picks, the ledger matches that branch.
  bool b1_lower = consensus::U256::FromLittleEndianBytes(b1.Hash()) < consensus::U256::FromLittleEndianBytes(a1.Hash());
  EXPECT_EQ(store->Tip().hash, b1_lower ? b1.Hash() : a1.Hash());
  EXPECT_EQ(Users(db), b1_lower ? (std::map<int64_t, std::string>{{2, "bob/40"}})
                                : (std::map<int64_t, std::string>{{1, "ann/30"}}));
}

TEST_F(ChainStoreTest, ADatabaseBelongsToOneChain) {
  ASSERT_TRUE(OpenStore(db));
  auto dev = chain::LoadChain("dev");
  auto other = ChainStore::Open(db.uri(), *dev);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("regtest"), std::string::npos);
}

TEST_F(ChainStoreTest, AnExistingTableOfAnotherShapeIsRefused) {
  ASSERT_TRUE(db.admin().Execute("CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL) ENGINE=InnoDB").ok());
  auto store = ChainStore::Open(db.uri(), testing::RegtestParams());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("users"), std::string::npos);
}

TEST_F(ChainStoreTest, MyIsamIsRefused) {
  ASSERT_TRUE(OpenStore(db));
  ASSERT_TRUE(db.admin().Execute("ALTER TABLE users ENGINE=MyISAM").ok());
  auto store = ChainStore::Open(db.uri(), testing::RegtestParams());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("InnoDB"), std::string::npos);
}

TEST(MysqlConnectionTest, TcpSocketAndBadCredentials) {
  std::ifstream in(testing::TestServerDir() + "/tcp-uri");
  std::string text;
  std::getline(in, text);
  auto tcp = ParseMysqlUri(text);
  ASSERT_TRUE(tcp.ok());
  auto connected = MysqlConnection::Connect(*tcp, {.create_database = true});
  ASSERT_TRUE(connected.ok()) << connected.status().ToString();
  auto one = (*connected)->Query("SELECT 1");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)[0][0].as_int(), 1);

  MysqlUri wrong = *tcp;
  wrong.password = "not-the-password";
  auto refused = MysqlConnection::Connect(wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.status().message().find("not-the-password"), std::string::npos);

  MysqlUri closed = *tcp;
  closed.port = 1;
  EXPECT_EQ(MysqlConnection::Connect(closed).status().code(), StatusCode::kUnavailable);
}


class AcceptBlocksTest : public ::testing::Test {
 protected:
  TestDatabase db;
  TestChain chain{testing::RegtestParams()};
};

TEST_F(AcceptBlocksTest, ARunOnTheTipConnectsInOneTransaction) {
  int commits_seen = 0;
  ChainStoreOptions options;
  options.stage_hook = [&](std::string_view stage) { commits_seen += stage == "before-commit"; };
  auto store = OpenStore(db, options);
  ASSERT_TRUE(store);
  std::vector<Block> run;
  const Block* parent = &chain.genesis();
  for (int i = 0; i < 5; ++i) {
    // Each block updates the row the one before inserted: later blocks read earlier ones'
    // uncommitted rows inside the same transaction.
    std::vector<consensus::RowOperation> rows = {UserInsert(Batch(10 + i), 0, 100 + i, "n", i)};
    if (i > 0) rows.push_back(UserUpdate(Batch(10 + i), 1, 100 + i - 1, "updated", i));
    run.push_back(chain.Mine(*parent, static_cast<uint64_t>(i), rows));
    parent = &run.back();
  }
  auto results = store->AcceptBlocks(run, kNow);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 5u);
  for (const AcceptResult& r : *results) {
    EXPECT_TRUE(r.verdict.ok());
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].kind, ChainEvent::Kind::kConnected);
  }
  EXPECT_EQ(commits_seen, 1);
  EXPECT_EQ(store->Tip().hash, run.back().Hash());
  EXPECT_EQ(Users(db).size(), 5u);
  EXPECT_EQ(Users(db)[103], "updated/4");
  // The state survives a restart: it was committed, not only held in memory.
  store.reset();
  auto reopened = OpenStore(db);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->Tip().height, 5u);
}

TEST_F(AcceptBlocksTest, AnInvalidBlockInARunKeepsTheValidPrefixAndNamesTheCulprit) {
  auto store = OpenStore(db);
  ASSERT_TRUE(store);
  Block b1 = chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "a", 1)});
  Block b2 = chain.Mine(b1, 1, {UserInsert(Batch(2), 0, 2, "b", 2)});
  Block b3 = chain.Mine(b2, 2, {UserInsert(Batch(3), 0, 1, "dup", 3)});  // key 1 exists: bad-row
  Block b4 = chain.Mine(b3, 3, {UserInsert(Batch(4), 0, 4, "d", 4)});
  std::vector<Block> run = {b1, b2, b3, b4};
  auto results = store->AcceptBlocks(run, kNow);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 4u);
  EXPECT_TRUE((*results)[0].verdict.ok());
  EXPECT_TRUE((*results)[1].verdict.ok());
  EXPECT_EQ((*results)[2].verdict.reason(), "bad-row");
  EXPECT_FALSE((*results)[3].verdict.ok());  // its parent is invalid
  EXPECT_EQ(store->Tip().hash, b2.Hash());
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "a/1"}, {2, "b/2"}}));
}


// A chain with a nine-column table: 9,000 rows are 81,000 values, more than one prepared
// statement takes. Such a block used to fail with MariaDB error 1390 on every node, forever.
consensus::ChainParams WideParams() {
  consensus::ChainParams params = testing::RegtestParams();
  consensus::TableSchema wide;
  wide.name = "wide";
  for (int c = 0; c < 9; ++c) wide.columns.push_back({c == 0 ? "id" : "c" + std::to_string(c), consensus::ColumnType::kBigInt});
  wide.primary_key = {0};
  params.schema.tables.push_back(wide);
  return params;
}

consensus::RowOperation WideRow(const consensus::BatchId& batch, uint32_t index, int64_t id) {
  consensus::RowOperation row{.batch_id = batch, .row_index = index, .op = consensus::RowOpKind::kInsert, .table = "wide",
                              .values = {}};
  for (int c = 0; c < 9; ++c) row.values.push_back(consensus::Value::Int(id * 10 + c));
  return row;
}

TEST(ChainStoreWideTest, ABlockOfMoreValuesThanOneStatementTakesConnectsInEveryWriteMode) {
  for (const ChainStoreOptions& mode : WriteModes()) {
    SCOPED_TRACE(DescribeMode(mode));
    TestDatabase db;
    TestChain chain(WideParams());
    auto store = ChainStore::Open(db.uri(), WideParams(), mode);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<consensus::RowOperation> rows;
    for (uint32_t i = 0; i < 9000; ++i) rows.push_back(WideRow(Batch(1), i, i));
    Block b1 = chain.Mine(chain.genesis(), 0, rows);
    ExpectConnected(**store, b1);
    auto count = db.admin().Query("SELECT COUNT(*), SUM(c8) FROM wide");
    ASSERT_TRUE(count.ok());
    EXPECT_EQ((*count)[0][0].as_int(), 9000);
    // A block of updates of every row: each its own statement, many in one transaction.
    std::vector<consensus::RowOperation> updates;
    for (uint32_t i = 0; i < 9000; ++i) {
      updates.push_back(WideRow(Batch(2), i, i));
      updates.back().op = consensus::RowOpKind::kUpdate;
      updates.back().values[8] = consensus::Value::Int(-1);
    }
    Block b2 = chain.Mine(b1, 1, updates);
    ExpectConnected(**store, b2);
    auto sum = db.admin().Query("SELECT SUM(c8) FROM wide");
    ASSERT_TRUE(sum.ok());
    EXPECT_EQ((*sum)[0][0].as_string(), "-9000");
  }
}


// A case-insensitive or PAD SPACE table used to turn chain-valid rows ('a' then 'A') into
// database errors on one node only, which then wedged or diverged.
TEST(LedgerTablesTest, APreExistingTableWithAnotherCollationOrATriggerIsRefusedNamingIt) {
  {
    TestDatabase db;
    ASSERT_TRUE(db.admin()
                    .Execute("CREATE TABLE users (id BIGINT NOT NULL, name VARCHAR(255) NOT NULL, age INT NOT NULL, "
                             "PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci")
                    .ok());
    auto store = ChainStore::Open(db.uri(), testing::RegtestParams());
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(store.status().message().find("collation utf8mb4_general_ci"), std::string::npos)
        << store.status().message();
  }
  {
    TestDatabase db;
    ASSERT_TRUE(OpenStore(db));
    ASSERT_TRUE(db.admin().Execute("CREATE TRIGGER sneaky BEFORE INSERT ON users FOR EACH ROW SET NEW.age = 0").ok());
    auto store = ChainStore::Open(db.uri(), testing::RegtestParams());
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find("trigger sneaky"), std::string::npos) << store.status().message();
  }
}


TEST(ChainStoreReorgTest, AHeavierBranchForkingDeeperThanTheLimitIsRefusedAndAShallowOneTaken) {
  TestDatabase db;
  TestChain chain(testing::RegtestParams());
  ChainStoreOptions options;
  options.max_reorg_depth = 2;
  auto opened = ChainStore::Open(db.uri(), testing::RegtestParams(), options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ChainStore& store = **opened;
  // The main chain: three blocks on genesis.
  std::vector<Block> main = {chain.Mine(chain.genesis(), 0, {UserInsert(Batch(1), 0, 1, "a", 1)})};
  for (uint64_t h = 1; h < 3; ++h) main.push_back(chain.Mine(main.back(), h, {}, h));
  for (const Block& b : main) ExpectConnected(store, b);
  // A heavier branch from genesis: switching would disconnect 3 blocks, more than 2.
  std::vector<Block> deep = {chain.Mine(chain.genesis(), 0, {}, 100)};
  for (uint64_t h = 1; h < 4; ++h) deep.push_back(chain.Mine(deep.back(), h, {}, 100 + h));
  for (const Block& b : deep) ASSERT_TRUE(store.AcceptBlock(b, kNow).ok());
  EXPECT_EQ(store.Tip().hash, main.back().Hash());
  ASSERT_TRUE(store.refused_reorg().has_value());
  EXPECT_EQ(store.refused_reorg()->depth, 3u);
  EXPECT_EQ(store.refused_reorg()->best, deep.back().Hash());
  EXPECT_EQ(Users(db), (std::map<int64_t, std::string>{{1, "a/1"}}));
  // A heavier branch forking one block below the tip is taken.
  Block side = chain.Mine(main[1], 2, {}, 200);
  Block side2 = chain.Mine(side, 3, {}, 201);
  Block side3 = chain.Mine(side2, 4, {}, 202);
  for (const Block& b : {side, side2, side3}) ASSERT_TRUE(store.AcceptBlock(b, kNow).ok());
  EXPECT_EQ(store.Tip().hash, side3.Hash());
  EXPECT_FALSE(store.refused_reorg().has_value());
}

}  // namespace
}  // namespace rowchain::store
