// The offline audit of one node's database (`rowchain verify`), in the manner of Azure SQL's
// sp_verify_database_ledger: every main-chain header links to its parent, hashes to its key and
// meets its target and the retarget rule; every stored body hashes to its header's Merkle root
// and passes the body rules; and every ledger table equals the replay of the main chain's row
// operations, with no changed, missing or extra row. Reads only; never writes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/chain_params.h"
#include "consensus/hash.h"
#include "store/mysql_uri.h"
#include "util/status.h"

namespace rowchain::store {

struct AuditProblem {
  // block problems: missing-block, bad-header, bad-prevblk, missing-body, bad-body, bad-undo,
  // the consensus reason codes; table problems: changed-row, missing-row, extra-row,
  // schema-drift; chain problems: genesis-mismatch, truncated-chain, unexpected-tip.
  std::string reason;
  std::optional<uint64_t> height;
  std::optional<consensus::Hash256> hash;
  std::string table;
  std::string key;  // "id=5"
  std::string detail;
};

struct AuditReport {
  std::string chain_name;
  uint64_t tip_height = 0;
  consensus::Hash256 tip_hash{};
  uint64_t blocks_checked = 0;
  uint64_t operations_replayed = 0;
  uint64_t table_rows_checked = 0;
  bool tables_compared = false;  // false when the chain itself is broken
  size_t partitions = 1;         // scratch partitions the replay was split into (AuditLimits)
  std::vector<AuditProblem> problems;  // the first bad block, then table damage (capped)

  bool clean() const { return problems.empty(); }
};

// Called as work progresses: phase "blocks" or "tables", done of total.
using AuditProgress = std::function<void(std::string_view phase, uint64_t done, uint64_t total)>;

// What the auditor is told to expect of the chain's top, from outside the database (another
// node's `tip`, or a digest kept elsewhere): a database cut back to an earlier block, or whose
// top was mined again, is otherwise self-consistent.
struct ExpectedTip {
  std::optional<uint64_t> height;        // the main chain reaches at least this height
  std::optional<consensus::Hash256> hash;  // and holds this block
};

// The audit's memory: the expected rows are replayed one partition of keys at a time, with
// enough partitions (at most kMaxAuditPartitions, store/audit_spill.h) that each fits this
// budget. Scratch files go to $TMPDIR (else /tmp) and are gone when the audit ends.
struct AuditLimits {
  uint64_t memory_budget_bytes = uint64_t{512} << 20;
};

// Non-OK status only when the audit cannot run (server unreachable, not a rowchain database).
// Everything is read in one consistent snapshot, so a live node's commits meanwhile are not
// mistaken for damage.
StatusOr<AuditReport> AuditDatabase(const MysqlUri& uri, const consensus::ChainParams& params,
                                    const AuditProgress& progress = {}, const ExpectedTip& expected = {},
                                    const AuditLimits& limits = {});

// The top of the main chain as the database stores it, for a digest (`rowchain digest`).
struct StoredTip {
  std::string chain_name;
  consensus::Hash256 genesis{};
  uint64_t height = 0;
  consensus::Hash256 hash{};
  int64_t block_time = 0;
};
StatusOr<StoredTip> ReadStoredTip(const MysqlUri& uri);

// The chain name a node recorded in the database (rowchain_meta), to pick a preset.
StatusOr<std::string> ReadChainName(const MysqlUri& uri);

}  // namespace rowchain::store
