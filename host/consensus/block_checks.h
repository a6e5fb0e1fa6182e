// Block validation as pure functions returning a reason code (Bitcoin Core's CheckBlock,
// ContextualCheckBlockHeader, ConnectBlock split). The store gathers the context and state;
// nothing here reads a clock, a database or a global. Reason codes (docs/chain-rules.md):
//   high-hash, bad-diffbits, bad-prevblk, time-too-old, time-too-new     (header)
//   bad-leaf, bad-height, bad-merkle, bad-blk-rows, bad-blk-length,
//   bad-row, bad-batch                                                   (body)
//   bad-row (key exists / missing), bad-batch (already sealed)           (against state)
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <unordered_set>
#include <vector>

#include "consensus/block.h"
#include "consensus/chain_params.h"
#include "consensus/verdict.h"

namespace rowchain::consensus {

// What a header's validity depends on besides itself: its parent and the parent's ancestry.
struct ParentContext {
  Hash256 hash{};
  uint64_t height = 0;
  uint32_t bits = 0;
  uint32_t time = 0;
  // The parent's time and its ancestors', newest first, up to the chain's median-time window.
  std::vector<uint32_t> recent_times;
  // Time of the block at RetargetAnchorHeight(height + 1); read only at retarget heights.
  uint32_t retarget_anchor_time = 0;
};

// The context of a block on the parent at `parent_height`: `ancestor(h)` is the header of the
// parent's ancestor at height h (the parent itself at parent_height). The one way to build a
// ParentContext, for the store's block index and the auditor's replay alike.
ParentContext MakeParentContext(const Hash256& parent_hash, uint64_t parent_height, const ChainParams& params,
                                const std::function<const BlockHeader&(uint64_t height)>& ancestor);

// Proof of work against the header's own bits: "bad-diffbits" (unusable or above the chain's
// limit), "high-hash".
Verdict CheckBlockHeader(const BlockHeader& header, const ChainParams& params);

// Against the parent: "bad-prevblk" (prev_hash is not the parent), "bad-diffbits" (bits differ
// from the retarget rule), "time-too-old" (at or before median time past), "time-too-new" (more
// than max_future_drift_s after `now`, seconds since the Unix epoch).
Verdict ContextualCheckBlockHeader(const BlockHeader& header, const ParentContext& parent, const ChainParams& params,
                                   int64_t now);

// The header alone, then against its parent.
Verdict CheckHeaderInContext(const BlockHeader& header, const ParentContext& parent, const ChainParams& params,
                             int64_t now);

// Everything a block can be judged on without the ledger's state, in one order for every path
// that accepts or audits a block: the header, the header against its parent, the body.
// `decoded` (may be null) receives the body when the block is valid.
Verdict CheckBlockInContext(const Block& block, const ParentContext& parent, const ChainParams& params, int64_t now,
                            DecodedBody* decoded);

// The body alone, for a block at `height`: sizes, Merkle root, leaf 0, and every row against
// the schema; a key at most once per block; each batch one contiguous run of rows 0..n-1 of
// one table. From kParallelMerkleMinLeaves leaves on, the Merkle root is hashed on a second
// thread while the rows are decoded; the verdict is the same either way.
inline constexpr size_t kParallelMerkleMinLeaves = 512;
Verdict CheckBlockBody(const Block& block, const ChainParams& params, uint64_t height);
// The same; when the body is valid, `decoded` receives it decoded (so a caller that goes on to
// apply the rows does not decode them twice).
Verdict CheckBlockBody(const Block& block, const ChainParams& params, uint64_t height, DecodedBody* decoded);

// CheckBlockBody in its three parts, for a caller that hashes the leaves while doing something
// else (the chain store computes the root while the server inserts the block's rows). The
// verdicts rank as CheckBlockBody ranks them: sizes first, then the Merkle root, then the rows.
// Sizes: "bad-leaf" (no leaves), "bad-blk-rows", "bad-blk-length".
Verdict CheckBlockBodySize(const Block& block, const ChainParams& params);
// "bad-merkle" when the leaves do not hash to the header's root.
Verdict CheckBlockMerkleRoot(const Block& block);
// Everything else (leaf decoding, leaf 0's height, rows against the schema, keys, batch runs);
// `decoded` receives the body when it is valid. Precondition: CheckBlockBodySize passed.
Verdict CheckBlockBodyRows(const Block& block, const ChainParams& params, uint64_t height, DecodedBody* decoded);

// What the ledger holds before the block: which of the block's keys exist (as RowKey strings)
// and which of its batches are already sealed on the chain it extends.
struct LedgerStateView {
  std::unordered_set<std::string> existing_keys;
  std::set<BatchId> sealed_batches;
};

// Rows against the state: INSERT of an existing key, UPDATE or DELETE of a missing one
// ("bad-row"); a batch sealed before ("bad-batch"). Precondition: CheckBlockBody passed.
Verdict CheckBlockAgainstState(const DecodedBody& body, const ChainParams& params, const LedgerStateView& state);
// The batch part of CheckBlockAgainstState alone: "bad-batch" for the first batch in `sealed`.
Verdict CheckBatchesUnsealed(const DecodedBody& body, const std::set<BatchId>& sealed);

}  // namespace rowchain::consensus
