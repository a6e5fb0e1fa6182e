// The change feed's messages (docs/kafka.md): one per row operation of a connected block, and
// the inverse one per operation of a disconnected block, in a Debezium-style JSON envelope
// (before, after, op c/u/d, ts_ms, source) keyed by the row's primary key. Built from chain
// data only (ts_ms is the block's time), so every node emits the same events for a block.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/hash.h"
#include "consensus/ledger_schema.h"
#include "consensus/row_operation.h"
#include "util/status.h"

namespace rowchain::store {

struct ChangeSource {
  std::string topic_prefix;  // topics are <prefix>.<table>
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

// One row's change. `before`/`after` are whole rows in column order, or null.
struct RowChange {
  const consensus::TableSchema* table = nullptr;
  const consensus::RowOperation* row = nullptr;  // the block's operation (its batch and index)
  uint64_t leaf_index = 0;
  char op = 'c';  // 'c', 'u' or 'd'
  const std::vector<consensus::Value>* before = nullptr;
  const std::vector<consensus::Value>* after = nullptr;
  bool reverted = false;  // the inverse of an operation whose block was disconnected
};

ChangeEvent MakeChangeEvent(const ChangeSource& source, const RowChange& change);

// The events of a connected block, in leaf order. `pre_images`: the rows its UPDATEs and
// DELETEs found, by consensus::RowKey. INTERNAL when one is missing.
StatusOr<std::vector<ChangeEvent>> EventsForConnect(
    const ChangeSource& source, const consensus::LedgerSchema& schema, std::span<const consensus::RowOperation> rows,
    const std::map<std::string, std::vector<consensus::Value>>& pre_images);

// The inverse of every operation of a disconnected block, newest first: a copy that applies
// the feed in order returns to the parent's state. `undo`: the block's undo image.
std::vector<ChangeEvent> EventsForDisconnect(const ChangeSource& source, const consensus::LedgerSchema& schema,
                                             std::span<const consensus::RowOperation> rows,
                                             std::span<const consensus::RowOperation> undo);

}  // namespace rowchain::store
