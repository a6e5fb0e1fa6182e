// The change feed's messages (docs/kafka.md): one per row operation of a connected block, and
// the inverse one per operation of a disconnected block, in a Debezium-style JSON envelope
// (before, after, op c/u/d, ts_ms, source) keyed by the row's primary key. Built from chain
// data only (ts_ms is the block's time), so every node emits the same events for a block.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/hash.h"
#include "consensus/ledger_schema.h"
#include "consensus/row_operation.h"

namespace rowchain::store {

struct ChangeSource {
  std::string chain;
  uint64_t height = 0;
  consensus::Hash256 block_hash{};
  uint32_t block_time = 0;
};

struct ChangeEvent {
  std::string topic;    // <prefix>.<table>
  std::string key;      // {"id": 5}
  std::string payload;  // the envelope
};

// `op` is 'c', 'u' or 'd'; `before`/`after` are whole rows in column order, or null.
// `reverted`: the inverse of an operation whose block was disconnected.
ChangeEvent MakeChangeEvent(std::string_view topic_prefix, const consensus::TableSchema& table,
                            const ChangeSource& source, uint64_t leaf_index, const consensus::RowOperation& row, char op,
                            const std::vector<consensus::Value>* before, const std::vector<consensus::Value>* after,
                            bool reverted);

}  // namespace rowchain::store
