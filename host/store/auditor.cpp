#include "store/auditor.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "consensus/block.h"
#include "consensus/block_checks.h"
#include "consensus/row_operation.h"
#include "consensus/retarget.h"
#include "store/ledger_sql.h"
#include "store/ledger_tables.h"
#include "store/mysql_connection.h"
#include "store/node_tables.h"
#include "store/packed_leaves.h"
#include "store/sql_bytes.h"
#include "util/hex.h"

namespace rowchain::store {
namespace {

using consensus::Hash256;

constexpr size_t kMaxTableProblems = 100;

struct MainBlock {
  Hash256 stored_hash{};
  uint64_t height = 0;
  std::string header;
};

// The ledger as the replay of the main chain says it must be: per table, key -> row.
using ExpectedTable = std::unordered_map<std::string, std::vector<consensus::Value>>;

class ChainAudit {
 public:
  ChainAudit(MysqlConnection& db, const consensus::ChainParams& params, AuditReport& report,
             const AuditProgress& progress)
      : m_db(db), m_params(params), m_report(report), m_progress(progress) {}

  Status CheckBlocks();
  Status CompareTables();

 private:
  void BlockProblem(std::string reason, const MainBlock& b, std::string detail) {
    m_report.problems.push_back({.reason = std::move(reason), .height = b.height, .hash = b.stored_hash,
                                 .table = {}, .key = {}, .detail = std::move(detail)});
  }
  // False when the block is bad (a problem has been recorded).
  StatusOr<bool> CheckBlock(const MainBlock& b, std::vector<consensus::BlockHeader>& headers);
  // Applies the block's rows to the expected tables; false for a row the state refuses. Its
  // undo image (what the node must have stored to reverse it) goes to `undo`.
  bool Replay(const consensus::DecodedBody& body, const MainBlock& b, std::vector<consensus::RowOperation>* undo);
  // False (a problem recorded) when the stored undo image is not `expected`.
  bool CheckUndo(const MainBlock& b, const Value& stored, const std::vector<consensus::RowOperation>& expected);

  MysqlConnection& m_db;
  const consensus::ChainParams& m_params;
  AuditReport& m_report;
  const AuditProgress& m_progress;
  std::map<std::string, ExpectedTable> m_expected;
};

StatusOr<bool> ChainAudit::CheckBlock(const MainBlock& b, std::vector<consensus::BlockHeader>& headers) {
  if (b.header.size() != consensus::kBlockHeaderSize) {
    BlockProblem("bad-header", b, "the stored header is not 80 bytes");
    return false;
  }
  consensus::BlockHeader header =
      consensus::ParseBlockHeader(BytesOf(b.header).first<consensus::kBlockHeaderSize>());
  if (header.Hash() != b.stored_hash) {
    BlockProblem("bad-header", b, fmt::format("the stored header hashes to {}, not to the block's hash",
                                              consensus::ToDisplayHex(header.Hash())));
    return false;
  }
  Value key = Value::Bytes(std::string(b.stored_hash.begin(), b.stored_hash.end()));
  auto body_rows = m_db.Query("SELECT body, undo_ops FROM rowchain_blocks WHERE hash = ?", std::span(&key, 1));
  if (!body_rows.ok()) return body_rows.status();
  if (body_rows->empty() || (*body_rows)[0][0].is_null()) {
    BlockProblem("missing-body", b, "the block's body is not stored");
    return false;
  }
  auto leaves = UnpackLeaves(BytesOf((*body_rows)[0][0].as_string()));
  if (!leaves.ok()) {
    BlockProblem("bad-body", b, leaves.status().message());
    return false;
  }
  consensus::Block block{.header = header, .leaves = std::move(*leaves)};
  if (b.height == 0) {
    if (block != consensus::MakeGenesisBlock(m_params)) {
      BlockProblem("genesis-mismatch", b, "the stored genesis block differs from the chain's");
      return false;
    }
    headers.push_back(header);
    return true;
  }
  consensus::ParentContext parent = consensus::MakeParentContext(
      headers.back().Hash(), b.height - 1, m_params, [&](uint64_t height) -> const consensus::BlockHeader& {
        return headers[height];
      });
  // "time-too-new" depends on the clock when the block arrived; an audit cannot judge it.
  constexpr int64_t kNoClock = std::numeric_limits<int32_t>::max() * int64_t{4};
  consensus::DecodedBody body;
  if (consensus::Verdict v = consensus::CheckBlockInContext(block, parent, m_params, kNoClock, &body); !v.ok()) {
    BlockProblem(std::string(v.reason()), b, v.detail());
    return false;
  }
  std::vector<consensus::RowOperation> undo;
  if (!Replay(body, b, &undo) || !CheckUndo(b, (*body_rows)[0][1], undo)) return false;
  headers.push_back(header);
  return true;
}

bool ChainAudit::CheckUndo(const MainBlock& b, const Value& stored, const std::vector<consensus::RowOperation>& expected) {
  if (stored.is_null()) {
    BlockProblem("bad-undo", b, "the block has no undo image: a reorg could not take it back");
    return false;
  }
  auto leaves = UnpackLeaves(BytesOf(stored.as_string()));
  std::vector<consensus::RowOperation> undo;
  for (size_t i = 0; leaves.ok() && i < leaves->size(); ++i) {
    auto op = consensus::DecodeRowOperationLeaf((*leaves)[i]);
    if (!op.ok()) break;
    undo.push_back(std::move(*op));
  }
  if (!leaves.ok() || undo.size() != (leaves.ok() ? leaves->size() : 0) || undo != expected) {
    BlockProblem("bad-undo", b,
                 "the stored undo image does not restore the rows this block changed: a reorg past it would "
                 "corrupt the tables");
    return false;
  }
  return true;
}

bool ChainAudit::Replay(const consensus::DecodedBody& body, const MainBlock& b,
                        std::vector<consensus::RowOperation>* undo) {
  for (const consensus::RowOperation& row : body.rows) {
    const consensus::TableSchema& table = *m_params.schema.FindTable(row.table);
    std::string key = consensus::RowKeyOf(row, table);
    ExpectedTable& expected = m_expected[row.table];
    bool exists = expected.contains(key);
    if ((row.op == consensus::RowOpKind::kInsert) == exists) {
      BlockProblem("bad-row", b, fmt::format("{} on '{}' of {} key {}", consensus::RowOpKindName(row.op), row.table,
                                             exists ? "existing" : "missing",
                                             consensus::DescribeKey(table, consensus::PrimaryKeyValues(row, table))));
      return false;
    }
    // The undo image holds the row before each UPDATE and DELETE (store/ledger_writer.h).
    if (row.op == consensus::RowOpKind::kUpdate) {
      undo->push_back({.op = consensus::RowOpKind::kUpdate, .table = row.table, .values = expected[key]});
    } else if (row.op == consensus::RowOpKind::kDelete) {
      undo->push_back({.op = consensus::RowOpKind::kInsert, .table = row.table, .values = expected[key]});
    }
    if (row.op == consensus::RowOpKind::kDelete) {
      expected.erase(key);
    } else {
      expected[key] = row.values;
    }
    ++m_report.operations_replayed;
  }
  return true;
}

Status ChainAudit::CheckBlocks() {
  std::vector<MainBlock> chain;
  ROWCHAIN_RETURN_IF_ERROR(m_db.QueryEach(
      "SELECT hash, height, header FROM rowchain_blocks WHERE in_main = 1 ORDER BY height", {},
      [&](std::span<const Value> r) {
        chain.push_back({HashFromBytes(r[0].as_string()), static_cast<uint64_t>(r[1].as_int()), r[2].as_string()});
        return OkStatus();
      }));
  std::vector<consensus::BlockHeader> headers;
  for (size_t i = 0; i < chain.size(); ++i) {
    const MainBlock& b = chain[i];
    if (b.height != i) {
      MainBlock missing{.stored_hash = {}, .height = i, .header = {}};
      BlockProblem("missing-block", missing,
                   fmt::format("no main-chain block at height {} (the next stored one is at {})", i, b.height));
      m_report.problems.back().hash.reset();
      return OkStatus();
    }
    if (i > 0 && b.header.size() == consensus::kBlockHeaderSize) {
      consensus::BlockHeader header = consensus::ParseBlockHeader(BytesOf(b.header).first<consensus::kBlockHeaderSize>());
      if (header.prev_hash != chain[i - 1].stored_hash) {
        BlockProblem("bad-prevblk", b, "the header's previous hash is not the block below it");
        return OkStatus();
      }
    }
    auto good = CheckBlock(b, headers);
    if (!good.ok()) return good.status();
    if (!*good) return OkStatus();
    ++m_report.blocks_checked;
    m_report.tip_height = b.height;
    m_report.tip_hash = b.stored_hash;
    if (m_progress && (i % 64 == 0 || i + 1 == chain.size())) m_progress("blocks", i + 1, chain.size());
  }
  if (chain.empty()) {
    m_report.problems.push_back({.reason = "missing-block", .height = 0, .hash = {}, .table = {}, .key = {},
                                 .detail = "no block is stored as on the main chain"});
    return OkStatus();
  }
  // Every sealed batch names its block. A block removed from the top of the chain leaves no gap
  // in the heights, but its batches still point at it.
  std::optional<AuditProblem> orphan;
  ROWCHAIN_RETURN_IF_ERROR(m_db.QueryEach(
      "SELECT b.batch_id, b.block_hash FROM rowchain_batches b LEFT JOIN rowchain_blocks k "
      "ON k.hash = b.block_hash AND k.in_main = 1 WHERE b.state = 1 AND k.hash IS NULL LIMIT 1",
      {}, [&](std::span<const Value> r) {
        AuditProblem p{.reason = "missing-block", .height = {}, .hash = {}, .table = {}, .key = {},
                       .detail = fmt::format("batch {} is recorded as sealed in this block, which is not on the "
                                             "stored main chain (a block was removed?)",
                                             HexEncode(BytesOf(r[0].as_string())))};
        if (!r[1].is_null() && r[1].as_string().size() == 32) p.hash = HashFromBytes(r[1].as_string());
        orphan = std::move(p);
        return OkStatus();
      }));
  if (orphan) m_report.problems.push_back(std::move(*orphan));
  return OkStatus();
}

Status ChainAudit::CompareTables() {
  m_report.tables_compared = true;
  uint64_t total = 0, done = 0;
  for (const auto& [name, rows] : m_expected) total += rows.size();
  for (const consensus::TableSchema& table : m_params.schema.tables) {
    ExpectedTable& expected = m_expected[table.name];
    size_t problems = 0;
    auto add = [&](std::string reason, const std::vector<consensus::Value>& key_values, std::string detail) {
      if (problems++ >= kMaxTableProblems) return;
      m_report.problems.push_back({.reason = std::move(reason), .height = {}, .hash = {}, .table = table.name,
                                   .key = consensus::DescribeKey(table, key_values), .detail = std::move(detail)});
    };
    ROWCHAIN_RETURN_IF_ERROR(m_db.QueryEach(SelectAllRowsSql(table), {}, [&](std::span<const Value> row) {
      ++m_report.table_rows_checked;
      std::vector<consensus::Value> key_values;
      for (uint16_t k : table.primary_key) key_values.push_back(row[k]);
      auto it = expected.find(consensus::RowKey(table.name, key_values));
      if (it == expected.end()) {
        add("extra-row", key_values, "the table holds a row no block wrote");
        return OkStatus();
      }
      for (size_t c = 0; c < table.columns.size(); ++c) {
        if (!(row[c] == it->second[c])) {
          add("changed-row", key_values,
              fmt::format("column {} is {}, the chain says {}", table.columns[c].name, row[c].ToDisplay(),
                          it->second[c].ToDisplay()));
          break;
        }
      }
      expected.erase(it);
      if (m_progress && ++done % 4096 == 0) m_progress("tables", done, total);
      return OkStatus();
    }));
    for (const auto& [key, values] : expected) {
      add("missing-row", consensus::PrimaryKeyValues({.op = consensus::RowOpKind::kInsert, .table = table.name,
                                                      .values = values},
                                                     table),
          "the chain wrote this row but the table lacks it");
    }
  }
  if (m_progress) m_progress("tables", total, total);
  return OkStatus();
}

// A chain cut back to an earlier block, or whose top was mined again, is self-consistent: only
// what is expected of it from outside shows it.
Status CheckExpectedTip(MysqlConnection& db, const ExpectedTip& expected, AuditReport& report) {
  if (expected.height && report.tip_height < *expected.height) {
    report.problems.push_back({.reason = "truncated-chain", .height = report.tip_height, .hash = report.tip_hash,
                               .table = {}, .key = {},
                               .detail = fmt::format("the main chain ends at height {}, below the expected {}",
                                                     report.tip_height, *expected.height)});
  }
  if (!expected.hash) return OkStatus();
  Value key = Value::Bytes(std::string(expected.hash->begin(), expected.hash->end()));
  auto found = db.Query("SELECT height FROM rowchain_blocks WHERE hash = ? AND in_main = 1", std::span(&key, 1));
  if (!found.ok()) return found.status();
  if (found->empty()) {
    report.problems.push_back({.reason = "unexpected-tip", .height = {}, .hash = *expected.hash, .table = {},
                               .key = {},
                               .detail = "the expected block is not on the stored main chain (cut back, or its "
                                         "top mined again)"});
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::string> ReadChainName(const MysqlUri& uri) {
  auto db = MysqlConnection::Connect(uri);
  if (!db.ok()) return db.status();
  auto tables = (*db)->Query(
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
      "'rowchain_meta'");
  if (!tables.ok()) return tables.status();
  if ((*tables)[0][0].as_int() == 0) {
    return FailedPreconditionError(fmt::format("{} is not a rowchain database (no rowchain_meta)", uri.Redacted()));
  }
  auto name = ReadMeta(**db, "chain_name");
  if (!name.ok()) return name.status();
  if (!*name) return FailedPreconditionError("rowchain_meta records no chain name");
  return **name;
}

StatusOr<AuditReport> AuditDatabase(const MysqlUri& uri, const consensus::ChainParams& params,
                                    const AuditProgress& progress, const ExpectedTip& expected) {
  auto db = MysqlConnection::Connect(uri);
  if (!db.ok()) return db.status();
  auto name = ReadChainName(uri);
  if (!name.ok()) return name.status();
  // One snapshot for every read: a live node's commits meanwhile are not seen half-done.
  ROWCHAIN_RETURN_IF_ERROR((*db)->Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  ROWCHAIN_RETURN_IF_ERROR((*db)->Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
  AuditReport report;
  report.chain_name = *name;
  auto genesis = ReadMeta(**db, "genesis_hash");
  if (!genesis.ok()) return genesis.status();
  Hash256 expected_genesis = consensus::MakeGenesisBlock(params).Hash();
  if (!*genesis || HashFromBytes(**genesis) != expected_genesis) {
    report.problems.push_back({.reason = "genesis-mismatch", .height = 0, .hash = {}, .table = {}, .key = {},
                               .detail = fmt::format("the database holds chain '{}' with another genesis than {}",
                                                     *name, consensus::ToDisplayHex(expected_genesis))});
    return report;
  }
  if (Status shape = CheckLedgerTables(**db, params.schema); !shape.ok()) {
    report.problems.push_back({.reason = "schema-drift", .height = {}, .hash = {}, .table = {}, .key = {},
                               .detail = shape.message()});
  }
  ChainAudit audit(**db, params, report, progress);
  ROWCHAIN_RETURN_IF_ERROR(audit.CheckBlocks());
  if (report.clean()) ROWCHAIN_RETURN_IF_ERROR(CheckExpectedTip(**db, expected, report));
  if (report.clean()) ROWCHAIN_RETURN_IF_ERROR(audit.CompareTables());
  (*db)->Rollback();
  return report;
}

}  // namespace rowchain::store
