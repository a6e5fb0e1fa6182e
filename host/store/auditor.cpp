#include "store/auditor.h"

#include <algorithm>
#include <limits>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "consensus/block.h"
#include "consensus/block_checks.h"
#include "consensus/row_operation.h"
#include "consensus/retarget.h"
#include "store/audit_partition.h"
#include "store/audit_spill.h"
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

struct MainBlock {
  Hash256 stored_hash{};
  uint64_t height = 0;
  std::string header;
};

// Checks every main-chain block in height order (header, body, rules) and stages its row
// operations, each with the undo image the node stored for it; then, knowing how much was
// staged, spreads them over enough partitions by key for one partition to fit the budget,
// spills the tables' rows the same way, and replays and compares partition by partition
// (store/audit_partition.h).
class ChainAudit {
 public:
  ChainAudit(MysqlConnection& db, const consensus::ChainParams& params, AuditReport& report,
             const AuditProgress& progress, SpillFile staging)
      : m_db(db), m_params(params), m_report(report), m_progress(progress), m_staging(std::move(staging)) {}

  Status CheckBlocks();
  Status Partition(const AuditLimits& limits);
  Status SpillTables();
  Status CheckPartitions();
  bool tables_spilled() const { return m_tables_spilled; }

 private:
  void BlockProblem(std::string reason, const MainBlock& b, std::string detail) {
    m_report.problems.push_back({.reason = std::move(reason), .height = b.height, .hash = b.stored_hash,
                                 .table = {}, .key = {}, .detail = std::move(detail)});
  }
  // False when the block is bad (a problem has been recorded).
  StatusOr<bool> CheckBlock(const MainBlock& b, std::vector<consensus::BlockHeader>& headers);
  // The stored undo image, one entry per UPDATE and DELETE of the body in order, each of the
  // right kind and table; nullopt (a problem recorded) when it is not that. Whether each entry
  // holds the row it replaced is known only at replay.
  std::optional<std::vector<consensus::RowOperation>> ReadUndo(const MainBlock& b, const Value& stored,
                                                               const consensus::DecodedBody& body);
  Status SpillBlock(const MainBlock& b, const consensus::DecodedBody& body,
                    const std::vector<consensus::RowOperation>& undo);
  Status CheckSealedBatchesHaveTheirBlocks();
  static uint64_t KeyHash(const std::string& key) { return std::hash<std::string>{}(key); }
  uint16_t TableIndex(const std::string& name) const {
    return static_cast<uint16_t>(m_params.schema.FindTable(name) - m_params.schema.tables.data());
  }
  void ReportReplayFault(const ReplayFault& fault);

  MysqlConnection& m_db;
  const consensus::ChainParams& m_params;
  AuditReport& m_report;
  const AuditProgress& m_progress;
  SpillFile m_staging;  // each record: its key's hash, then the operation's record
  uint64_t m_staged_bytes = 0;
  std::vector<SpillFile> m_partitions;
  std::vector<MainBlock> m_chain;
  bool m_tables_spilled = false;
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
  auto undo = ReadUndo(b, (*body_rows)[0][1], body);
  if (!undo) return false;
  ROWCHAIN_RETURN_IF_ERROR(SpillBlock(b, body, *undo));
  headers.push_back(header);
  return true;
}

std::optional<std::vector<consensus::RowOperation>> ChainAudit::ReadUndo(const MainBlock& b, const Value& stored,
                                                                         const consensus::DecodedBody& body) {
  if (stored.is_null()) {
    BlockProblem("bad-undo", b, "the block has no undo image: a reorg could not take it back");
    return std::nullopt;
  }
  auto leaves = UnpackLeaves(BytesOf(stored.as_string()));
  std::vector<consensus::RowOperation> undo;
  for (size_t i = 0; leaves.ok() && i < leaves->size(); ++i) {
    auto op = consensus::DecodeRowOperationLeaf((*leaves)[i]);
    if (!op.ok()) break;
    undo.push_back(std::move(*op));
  }
  // UPDATE is undone by the old row (an UPDATE), DELETE by re-inserting it (store/ledger_writer.h).
  size_t next = 0;
  bool matches = leaves.ok() && undo.size() == leaves->size();
  for (const consensus::RowOperation& row : body.rows) {
    if (!matches || row.op == consensus::RowOpKind::kInsert) continue;
    auto kind = row.op == consensus::RowOpKind::kUpdate ? consensus::RowOpKind::kUpdate : consensus::RowOpKind::kInsert;
    matches = next < undo.size() && undo[next].op == kind && undo[next].table == row.table &&
              undo[next].batch_id == consensus::BatchId{} && undo[next].row_index == 0;
    ++next;
  }
  if (!matches || next != undo.size()) {
    BlockProblem("bad-undo", b,
                 "the stored undo image does not restore the rows this block changed: a reorg past it would "
                 "corrupt the tables");
    return std::nullopt;
  }
  return undo;
}

Status ChainAudit::SpillBlock(const MainBlock& b, const consensus::DecodedBody& body,
                              const std::vector<consensus::RowOperation>& undo) {
  size_t next_undo = 0;
  for (const consensus::RowOperation& row : body.rows) {
    const consensus::TableSchema& table = *m_params.schema.FindTable(row.table);
    const consensus::RowOperation* stored = row.op == consensus::RowOpKind::kInsert ? nullptr : &undo[next_undo++];
    std::vector<uint8_t> record;
    AppendU64(record, KeyHash(consensus::RowKeyOf(row, table)));
    std::vector<uint8_t> op = OperationRecord(b.height, TableIndex(row.table), row, stored);
    record.insert(record.end(), op.begin(), op.end());
    ROWCHAIN_RETURN_IF_ERROR(m_staging.Append(record));
    m_staged_bytes += record.size();
  }
  return OkStatus();
}

// Enough partitions that one partition's expected rows fit the budget: the staged operations
// bound what the replay can hold, and held in memory as keys and typed values a row takes a few
// times its spilled bytes.
Status ChainAudit::Partition(const AuditLimits& limits) {
  constexpr uint64_t kMemoryPerSpilledByte = 4;
  uint64_t budget = std::max<uint64_t>(limits.memory_budget_bytes, 1);
  uint64_t need = m_staged_bytes * kMemoryPerSpilledByte;
  size_t count = static_cast<size_t>(std::clamp<uint64_t>((need + budget - 1) / budget, 1, kMaxAuditPartitions));
  for (size_t i = 0; i < count; ++i) {
    auto file = SpillFile::Create();
    if (!file.ok()) return file.status();
    m_partitions.push_back(std::move(*file));
  }
  m_report.partitions = count;
  ROWCHAIN_RETURN_IF_ERROR(m_staging.Rewind());
  std::vector<uint8_t> record;
  while (true) {
    auto more = m_staging.Next(record);
    if (!more.ok()) return more.status();
    if (!*more) break;
    size_t offset = 0;
    auto hash = ReadU64(record, offset);
    if (!hash) return InternalError("a damaged record in the audit's scratch file");
    ROWCHAIN_RETURN_IF_ERROR(m_partitions[*hash % count].Append(std::span(record).subspan(offset)));
  }
  m_staging.Close();  // its space is freed now
  return OkStatus();
}

Status ChainAudit::CheckBlocks() {
  ROWCHAIN_RETURN_IF_ERROR(m_db.QueryEach(
      "SELECT hash, height, header FROM rowchain_blocks WHERE in_main = 1 ORDER BY height", {},
      [&](std::span<const Value> r) {
        m_chain.push_back({HashFromBytes(r[0].as_string()), static_cast<uint64_t>(r[1].as_int()), r[2].as_string()});
        return OkStatus();
      }));
  std::vector<consensus::BlockHeader> headers;
  for (size_t i = 0; i < m_chain.size(); ++i) {
    const MainBlock& b = m_chain[i];
    if (b.height != i) {
      MainBlock missing{.stored_hash = {}, .height = i, .header = {}};
      BlockProblem("missing-block", missing,
                   fmt::format("no main-chain block at height {} (the next stored one is at {})", i, b.height));
      m_report.problems.back().hash.reset();
      return OkStatus();
    }
    if (i > 0 && b.header.size() == consensus::kBlockHeaderSize) {
      consensus::BlockHeader header = consensus::ParseBlockHeader(BytesOf(b.header).first<consensus::kBlockHeaderSize>());
      if (header.prev_hash != m_chain[i - 1].stored_hash) {
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
    if (m_progress && (i % 64 == 0 || i + 1 == m_chain.size())) m_progress("blocks", i + 1, m_chain.size());
  }
  if (m_chain.empty()) {
    m_report.problems.push_back({.reason = "missing-block", .height = 0, .hash = {}, .table = {}, .key = {},
                                 .detail = "no block is stored as on the main chain"});
    return OkStatus();
  }
  return CheckSealedBatchesHaveTheirBlocks();
}

// Every sealed batch names its block. A block removed from the top of the chain leaves no gap
// in the heights, but its batches still point at it.
Status ChainAudit::CheckSealedBatchesHaveTheirBlocks() {
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

Status ChainAudit::SpillTables() {
  for (const consensus::TableSchema& table : m_params.schema.tables) {
    uint16_t index = TableIndex(table.name);
    ROWCHAIN_RETURN_IF_ERROR(m_db.QueryEach(SelectAllRowsSql(table), {}, [&](std::span<const Value> row) {
      std::vector<consensus::Value> key_values;
      for (uint16_t k : table.primary_key) key_values.push_back(row[k]);
      uint64_t hash = KeyHash(consensus::RowKey(table.name, key_values));
      return m_partitions[hash % m_partitions.size()].Append(TableRowRecord(index, row));
    }));
  }
  m_tables_spilled = true;
  return OkStatus();
}

// A row the replay refuses, or an undo image that does not hold the row it replaced, makes its
// block the first bad one: blocks above it were checked only on their own.
void ChainAudit::ReportReplayFault(const ReplayFault& fault) {
  std::erase_if(m_report.problems, [](const AuditProblem& p) { return p.reason != "schema-drift"; });
  const MainBlock& b = m_chain[fault.height];
  BlockProblem(fault.reason, b, fault.detail);
  m_report.blocks_checked = fault.height;
  m_report.tip_height = fault.height - 1;
  m_report.tip_hash = m_chain[fault.height - 1].stored_hash;
}

Status ChainAudit::CheckPartitions() {
  std::vector<size_t> problems_per_table(m_params.schema.tables.size(), 0);
  std::optional<ReplayFault> first_fault;
  std::vector<AuditProblem> table_problems;
  for (size_t i = 0; i < m_partitions.size(); ++i) {
    auto outcome = CheckPartition(m_partitions[i], m_params.schema, problems_per_table);
    if (!outcome.ok()) return outcome.status();
    m_report.operations_replayed += outcome->operations_replayed;
    m_report.table_rows_checked += outcome->table_rows_checked;
    if (outcome->fault && (!first_fault || outcome->fault->height < first_fault->height)) first_fault = outcome->fault;
    std::move(outcome->table_problems.begin(), outcome->table_problems.end(), std::back_inserter(table_problems));
    if (m_progress && m_tables_spilled) m_progress("tables", i + 1, m_partitions.size());
  }
  if (first_fault) {
    ReportReplayFault(*first_fault);
    return OkStatus();
  }
  if (!m_tables_spilled) return OkStatus();
  m_report.tables_compared = true;
  std::sort(table_problems.begin(), table_problems.end(), [&](const AuditProblem& a, const AuditProblem& b) {
    return std::pair(TableIndex(a.table), a.key) < std::pair(TableIndex(b.table), b.key);
  });
  std::move(table_problems.begin(), table_problems.end(), std::back_inserter(m_report.problems));
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

StatusOr<StoredTip> ReadStoredTip(const MysqlUri& uri) {
  auto name = ReadChainName(uri);
  if (!name.ok()) return name.status();
  auto db = MysqlConnection::Connect(uri);
  if (!db.ok()) return db.status();
  StoredTip tip{.chain_name = *name};
  auto genesis = ReadMeta(**db, "genesis_hash");
  if (!genesis.ok()) return genesis.status();
  if (!*genesis) return FailedPreconditionError("rowchain_meta records no genesis hash");
  tip.genesis = HashFromBytes(**genesis);
  auto top = (*db)->Query("SELECT hash, height, header FROM rowchain_blocks WHERE in_main = 1 ORDER BY height DESC LIMIT 1");
  if (!top.ok()) return top.status();
  if (top->empty() || (*top)[0][2].as_string().size() != consensus::kBlockHeaderSize) {
    return FailedPreconditionError("the database holds no main-chain block");
  }
  tip.hash = HashFromBytes((*top)[0][0].as_string());
  tip.height = static_cast<uint64_t>((*top)[0][1].as_int());
  tip.block_time = consensus::ParseBlockHeader(BytesOf((*top)[0][2].as_string()).first<consensus::kBlockHeaderSize>()).time;
  return tip;
}

StatusOr<AuditReport> AuditDatabase(const MysqlUri& uri, const consensus::ChainParams& params,
                                    const AuditProgress& progress, const ExpectedTip& expected,
                                    const AuditLimits& limits) {
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
  auto staging = SpillFile::Create();
  if (!staging.ok()) return staging.status();
  ChainAudit audit(**db, params, report, progress, std::move(*staging));
  ROWCHAIN_RETURN_IF_ERROR(audit.CheckBlocks());
  ROWCHAIN_RETURN_IF_ERROR(audit.Partition(limits));
  if (report.clean()) ROWCHAIN_RETURN_IF_ERROR(CheckExpectedTip(**db, expected, report));
  if (report.clean()) ROWCHAIN_RETURN_IF_ERROR(audit.SpillTables());
  ROWCHAIN_RETURN_IF_ERROR(audit.CheckPartitions());
  (*db)->Rollback();
  return report;
}

}  // namespace rowchain::store
