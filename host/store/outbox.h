// The change feed's outbox (docs/kafka.md): the table rowchain_outbox that every change event
// passes through. The store appends a block's events in the transaction that connects or
// disconnects it; the publisher reads them in order after a position, records how far the
// broker acknowledged them (the watermark, in rowchain_meta) and purges what lies below it.
// All the outbox's SQL is here. Functions on a caller's connection; thread safety as its.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/change_events.h"
#include "store/mysql_connection.h"

namespace rowchain::store {

struct OutboxEntry {
  uint64_t id = 0;  // increasing in the order the events were appended
  ChangeEvent event;
};

class Outbox {
 public:
  explicit Outbox(MysqlConnection& db) : m_db(db) {}

  // Within the caller's transaction.
  Status Append(const std::vector<ChangeEvent>& events);
  // The next `limit` events after `after_id`, oldest first.
  StatusOr<std::vector<OutboxEntry>> ReadAfter(uint64_t after_id, size_t limit);
  // Every event up to this id was acknowledged (0 when none was recorded).
  StatusOr<uint64_t> ReadWatermark();
  Status WriteWatermark(uint64_t acknowledged_id);
  // Deletes at most `limit` events with ids up to `up_to_id`; how many it deleted.
  StatusOr<uint64_t> PurgeUpTo(uint64_t up_to_id, uint64_t limit);
  // Events above `after_id` (not yet acknowledged when it is the watermark).
  StatusOr<uint64_t> CountAfter(uint64_t after_id);

 private:
  MysqlConnection& m_db;
};

}  // namespace rowchain::store
