#include "consensus/block_checks.h"

#include <algorithm>
#include <functional>
#include <future>
#include <string_view>
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

// A row's primary-key values: a DELETE carries only its key, other ops the whole row.
const Value& KeyValue(const RowOperation& row, const TableSchema& table, size_t k) {
  return row.op == RowOpKind::kDelete ? row.values[k] : row.values[table.primary_key[k]];
}

uint64_t Mix(uint64_t h, uint64_t v) {  // splitmix64's finalizer over h ^ v
  uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Equal keys hash equally; unequal ones may too (SameKey decides).
uint64_t KeyHash(const RowOperation& row, const TableSchema& table) {
  uint64_t h = std::hash<std::string_view>{}(table.name);
  for (size_t k = 0; k < table.primary_key.size(); ++k) {
    const Value& v = KeyValue(row, table, k);
    h = Mix(h, static_cast<uint64_t>(v.kind()));
    h = Mix(h, v.kind() == Value::Kind::kInt ? static_cast<uint64_t>(v.as_int())
                                             : std::hash<std::string_view>{}(v.as_string()));
  }
  return h;
}

// The same table and key: what RowKeyOf's strings being equal means.
bool SameKey(const RowOperation& a, const TableSchema& a_table, const RowOperation& b, const TableSchema& b_table) {
  if (&a_table != &b_table) return false;
  for (size_t k = 0; k < a_table.primary_key.size(); ++k) {
    if (!(KeyValue(a, a_table, k) == KeyValue(b, b_table, k))) return false;
  }
  return true;
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

ParentContext MakeParentContext(const Hash256& parent_hash, uint64_t parent_height, const ChainParams& params,
                                const std::function<const BlockHeader&(uint64_t height)>& ancestor) {
  ParentContext context;
  const BlockHeader& parent = ancestor(parent_height);
  context.hash = parent_hash;
  context.height = parent_height;
  context.bits = parent.bits;
  context.time = parent.time;
  for (uint64_t h = parent_height + 1; h > 0 && context.recent_times.size() < params.median_time_window; --h) {
    context.recent_times.push_back(ancestor(h - 1).time);
  }
  if (auto anchor = RetargetAnchorHeight(params, parent_height + 1)) context.retarget_anchor_time = ancestor(*anchor).time;
  return context;
}

Verdict CheckHeaderInContext(const BlockHeader& header, const ParentContext& parent, const ChainParams& params,
                             int64_t now) {
  if (Verdict v = CheckBlockHeader(header, params); !v.ok()) return v;
  return ContextualCheckBlockHeader(header, parent, params, now);
}

Verdict CheckBlockInContext(const Block& block, const ParentContext& parent, const ChainParams& params, int64_t now,
                            DecodedBody* decoded) {
  if (Verdict v = CheckHeaderInContext(block.header, parent, params, now); !v.ok()) return v;
  return CheckBlockBody(block, params, parent.height + 1, decoded);
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
  // Repeated keys are found by sorting the keys' 64-bit hashes (no string built or allocated
  // per row: 1,000 rows' keys in ~20 µs instead of ~100 µs as sorted RowKey strings); rows whose
  // hashes collide are compared value by value, so the answer is exact. Only a block that has
  // a repeat looks again, in leaf order, to name the first leaf that repeats a key.
  std::vector<const TableSchema*> tables(body->rows.size());
  std::vector<std::pair<uint64_t, uint32_t>> hashes(body->rows.size());  // key hash, row
  for (size_t i = 0; i < body->rows.size(); ++i) {
    const RowOperation& row = body->rows[i];
    if (auto why = CheckRowAgainstSchema(row, params.schema)) {
      return Verdict::Invalid("bad-row", fmt::format("leaf {}: {}", i + 1, *why));
    }
    tables[i] = i > 0 && row.table == body->rows[i - 1].table ? tables[i - 1] : params.schema.FindTable(row.table);
    hashes[i] = {KeyHash(row, *tables[i]), static_cast<uint32_t>(i)};
  }
  std::sort(hashes.begin(), hashes.end());
  for (size_t i = 1; i < hashes.size(); ++i) {
    for (size_t j = i; j > 0 && hashes[j - 1].first == hashes[i].first; --j) {
      const uint32_t a = hashes[j - 1].second, b = hashes[i].second;
      if (SameKey(body->rows[a], *tables[a], body->rows[b], *tables[b])) return NameRepeatedKey(body->rows, params.schema);
    }
  }
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
