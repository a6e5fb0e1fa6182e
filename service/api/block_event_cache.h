// Block events as watchers receive them, converted once per block and shown to every stream
// (a thousand watchers used to convert every block a thousand times, inside the store's
// mutex). Holds the last few blocks; thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

#include "consensus/ledger_schema.h"
#include "node/events.h"
#include "rowchain/v1/ledger.pb.h"

namespace rowchain::api {

class BlockEventCache {
 public:
  explicit BlockEventCache(const consensus::LedgerSchema& schema) : m_schema(schema) {}

  // The event for `view`, and its size on the wire.
  std::pair<std::shared_ptr<const v1::BlockEvent>, size_t> Get(const node::BlockView& view, bool connected,
                                                               bool without_rows);

 private:
  // Blocks of recent events: enough for a reorg's disconnects and connects in a row.
  static constexpr size_t kEntries = 16;
  struct Entry {
    consensus::Hash256 hash{};
    bool connected = false;
    bool without_rows = false;
    std::shared_ptr<const v1::BlockEvent> event;
    size_t bytes = 0;
  };
  const consensus::LedgerSchema& m_schema;
  std::mutex m_mutex;
  std::deque<Entry> m_entries;
};

}  // namespace rowchain::api
