#include "consensus/block_checks.h"

#include <algorithm>
#include <future>
#include <system_error>
#include <unordered_set>

#include <fmt/format.h>

#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "consensus/retarget.h"
#include "util/hex.h"

namespace rowchain::consensus {
namespace {

std::string BatchHex(const BatchId& id) { return HexEncode(id); }

Verdict BadMerkle() { return Verdict::Invalid("bad-merkle", "the leaves do not hash to the header's Merkle root"); }

// Each batch is one contiguous run of rows 0..n-1 on one table, appearing once in the block.
Verdict CheckBatchRuns(const std::vector<RowOperation>& rows) {
  std::set<BatchId> finished;
  for (size_t i = 0; i < rows.size(); ++i) {
    const RowOperation& row = rows[i];
    bool continues = i > 0 && rows[i - 1].batch_id == row.batch_id;
    if (!continues) {
      if (!finished.insert(row.batch_id).second) {
        return Verdict::Invalid("bad-batch", fmt::format("batch {} appears in two runs", BatchHex(row.batch_id)));
      }
      if (row.row_index != 0) {
        return Verdict::Invalid("bad-batch", fmt::format("batch {} starts at row {}, not 0", BatchHex(row.batch_id),
                                                         row.row_index));
      }
      continue;
    }
    const RowOperation& prev = rows[i - 1];
    if (row.row_index != prev.row_index + 1) {
      return Verdict::Invalid("bad-batch", fmt::format("batch {}: row {} follows row {}", BatchHex(row.batch_id),
                                                       row.row_index, prev.row_index));
    }
    if (row.table != prev.table) {
      return Verdict::Invalid("bad-batch", fmt::format("batch {} spans tables '{}' and '{}'", BatchHex(row.batch_id),
                                                       prev.table, row.table));
    }
  }
  return Verdict::Valid();
}

// The first row (in leaf order) whose table and key an earlier row of the block wrote.
Verdict NameRepeatedKey(const std::vector<RowOperation>& rows, const LedgerSchema& schema) {
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < rows.size(); ++i) {
    const TableSchema& table = *schema.FindTable(rows[i].table);
    if (!seen.insert(RowKeyOf(rows[i], table)).second) {
      return Verdict::Invalid("bad-row", fmt::format("leaf {}: table '{}', key {} is written twice in the block", i + 1,
                                                     rows[i].table, DescribeKey(table, PrimaryKeyValues(rows[i], table))));
    }
  }
  return Verdict::Invalid("bad-row", "a key is written twice in the block");
}

}  // namespace

Verdict CheckBlockHeader(const BlockHeader& header, const ChainParams& params) {
  return CheckProofOfWork(header.Hash(), header.bits, params.PowLimit());
}

Verdict ContextualCheckBlockHeader(const BlockHeader& header, const ParentContext& parent, const ChainParams& params,
                                   int64_t now) {
  if (header.prev_hash != parent.hash) {
    return Verdict::Invalid("bad-prevblk", fmt::format("prev {} is not the parent {}", ToDisplayHex(header.prev_hash),
                                                       ToDisplayHex(parent.hash)));
  }
  uint32_t required = NextWorkRequired(params, parent.height + 1, parent.bits, parent.time,
                                       parent.retarget_anchor_time);
  if (header.bits != required) {
    return Verdict::Invalid("bad-diffbits", fmt::format("bits {:08x}, the rule requires {:08x} at height {}",
                                                        header.bits, required, parent.height + 1));
  }
  uint32_t mtp = MedianTimePast(parent.recent_times);
  if (header.time <= mtp) {
    return Verdict::Invalid("time-too-old", fmt::format("time {} is not after the median time past {}", header.time,
                                                        mtp));
  }
  if (int64_t{header.time} > now + int64_t{params.max_future_drift_s}) {
    return Verdict::Invalid("time-too-new", fmt::format("time {} is more than {} s ahead of now ({})", header.time,
                                                        params.max_future_drift_s, now));
  }
  return Verdict::Valid();
}

Verdict CheckBlockBodyRows(const Block& block, const ChainParams& params, uint64_t height, DecodedBody* decoded) {
  auto body = DecodeBody(block.leaves);
  if (!body.ok()) return Verdict::Invalid("bad-leaf", body.status().message());
  if (body->info.height != height) {
    return Verdict::Invalid("bad-height", fmt::format("leaf 0 says height {}, the block is at {}", body->info.height,
                                                      height));
  }
  // Duplicate keys are found by sorting, which allocates no node per key as a hash set does
  // (1,000 rows: ~375 µs to ~290–346 µs for the whole check); only a block that has one looks
  // again, in leaf order, to name the first leaf that repeats a key.
  std::vector<std::string> keys;
  keys.reserve(body->rows.size());
  for (size_t i = 0; i < body->rows.size(); ++i) {
    const RowOperation& row = body->rows[i];
    if (auto why = CheckRowAgainstSchema(row, params.schema)) {
      return Verdict::Invalid("bad-row", fmt::format("leaf {}: {}", i + 1, *why));
    }
    keys.push_back(RowKeyOf(row, *params.schema.FindTable(row.table)));
  }
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return NameRepeatedKey(body->rows, params.schema);
  Verdict runs = CheckBatchRuns(body->rows);
  if (runs.ok()) *decoded = std::move(*body);
  return runs;
}

Verdict CheckBlockBodySize(const Block& block, const ChainParams& params) {
  if (block.leaves.empty()) return Verdict::Invalid("bad-leaf", "the body has no leaves");
  if (block.leaves.size() - 1 > params.max_block_rows) {
    return Verdict::Invalid("bad-blk-rows", fmt::format("{} rows exceed the limit of {}", block.leaves.size() - 1,
                                                        params.max_block_rows));
  }
  if (uint64_t size = BodySize(block.leaves); size > params.max_block_bytes) {
    return Verdict::Invalid("bad-blk-length", fmt::format("{} body bytes exceed the limit of {}", size,
                                                          params.max_block_bytes));
  }
  return Verdict::Valid();
}

Verdict CheckBlockMerkleRoot(const Block& block) {
  if (BodyMerkleRoot(block.leaves) != block.header.merkle_root) return BadMerkle();
  return Verdict::Valid();
}

Verdict CheckBlockBody(const Block& block, const ChainParams& params, uint64_t height) {
  DecodedBody unused;
  return CheckBlockBody(block, params, height, &unused);
}

Verdict CheckBlockBody(const Block& block, const ChainParams& params, uint64_t height, DecodedBody* decoded) {
  if (Verdict size = CheckBlockBodySize(block, params); !size.ok()) return size;
  // Hashing the leaves and decoding them are independent and together most of a large block's
  // validation, so a large body's Merkle root is computed on a second thread meanwhile. The
  // root is still judged first: a body that does not match its header is `bad-merkle`, whatever
  // else is wrong with it.
  // The helper allocates nothing (its hashes live in `leaf_hashes`): glibc gives a thread that
  // mallocs an arena of its own, which a long-running node would keep.
  std::future<Hash256> parallel_root;
  std::vector<Hash256> leaf_hashes;
  if (block.leaves.size() >= kParallelMerkleMinLeaves) {
    leaf_hashes.resize(block.leaves.size());
    try {
      parallel_root = std::async(std::launch::async, [&block, &leaf_hashes] {
        MerkleLeafHashes(block.leaves, leaf_hashes);
        return MerkleRootInPlace(leaf_hashes);
      });
    } catch (const std::system_error&) {
      // No thread to be had (a process at its limit): hash on this one below.
    }
  }
  DecodedBody body;
  Verdict rows = CheckBlockBodyRows(block, params, height, &body);
  const Hash256 root = parallel_root.valid() ? parallel_root.get() : BodyMerkleRoot(block.leaves);
  if (root != block.header.merkle_root) return BadMerkle();
  if (rows.ok()) *decoded = std::move(body);
  return rows;
}

Verdict CheckBatchesUnsealed(const DecodedBody& body, const std::set<BatchId>& sealed) {
  for (const RowOperation& row : body.rows) {
    if (row.row_index == 0 && sealed.contains(row.batch_id)) {
      return Verdict::Invalid("bad-batch", fmt::format("batch {} is already sealed in an earlier block",
                                                       BatchHex(row.batch_id)));
    }
  }
  return Verdict::Valid();
}

Verdict CheckBlockAgainstState(const DecodedBody& body, const ChainParams& params, const LedgerStateView& state) {
  if (Verdict v = CheckBatchesUnsealed(body, state.sealed_batches); !v.ok()) return v;
  for (size_t i = 0; i < body.rows.size(); ++i) {
    const RowOperation& row = body.rows[i];
    const TableSchema& table = *params.schema.FindTable(row.table);
    // A block of INSERTs into keys nobody has yet (the common case) looks nothing up.
    const bool exists = !state.existing_keys.empty() && state.existing_keys.contains(RowKeyOf(row, table));
    if (row.op == RowOpKind::kInsert && exists) {
      return Verdict::Invalid("bad-row", fmt::format("leaf {}: INSERT into '{}' of existing key {}", i + 1, row.table,
                                                     DescribeKey(table, PrimaryKeyValues(row, table))));
    }
    if (row.op != RowOpKind::kInsert && !exists) {
      return Verdict::Invalid("bad-row", fmt::format("leaf {}: {} on '{}' of missing key {}", i + 1,
                                                     RowOpKindName(row.op), row.table,
                                                     DescribeKey(table, PrimaryKeyValues(row, table))));
    }
  }
  return Verdict::Valid();
}

}  // namespace rowchain::consensus
