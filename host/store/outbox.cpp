#include "store/outbox.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store/node_tables.h"

namespace rowchain::store {

namespace {

// Rows per INSERT: one statement for a typical block, far below the placeholder limit.
constexpr size_t kEventsPerStatement = 200;
constexpr const char* kWatermarkKey = "outbox_sent_to";

}  // namespace

Status Outbox::Append(const std::vector<ChangeEvent>& events) {
  for (size_t start = 0; start < events.size(); start += kEventsPerStatement) {
    const size_t n = std::min(kEventsPerStatement, events.size() - start);
    std::vector<Value> params;
    params.reserve(3 * n);
    for (size_t i = start; i < start + n; ++i) {
      params.push_back(Value::Text(events[i].topic));
      params.push_back(Value::Bytes(events[i].key));
      params.push_back(Value::Bytes(events[i].payload));
    }
    std::string sql = fmt::format("INSERT INTO rowchain_outbox (topic, msg_key, payload) VALUES {}",
                                  fmt::join(std::vector<std::string>(n, "(?, ?, ?)"), ", "));
    ROWCHAIN_RETURN_IF_ERROR(m_db.Update(sql, params).status());
  }
  return OkStatus();
}

StatusOr<std::vector<OutboxEntry>> Outbox::ReadAfter(uint64_t after_id, size_t limit) {
  std::vector<OutboxEntry> entries;
  std::array<Value, 2> params = {Value::Int(static_cast<int64_t>(after_id)), Value::Int(static_cast<int64_t>(limit))};
  ROWCHAIN_RETURN_IF_ERROR(m_db.QueryEach(
      "SELECT id, topic, msg_key, payload FROM rowchain_outbox WHERE id > ? ORDER BY id LIMIT ?", params,
      [&](std::span<const Value> r) {
        entries.push_back({static_cast<uint64_t>(r[0].as_int()), {r[1].as_string(), r[2].as_string(), r[3].as_string()}});
        return OkStatus();
      }));
  return entries;
}

StatusOr<uint64_t> Outbox::ReadWatermark() {
  auto mark = ReadMeta(m_db, kWatermarkKey);
  if (!mark.ok()) return mark.status();
  if (!*mark) return uint64_t{0};
  uint64_t id = 0;
  if (auto [end, error] = std::from_chars((*mark)->data(), (*mark)->data() + (*mark)->size(), id);
      error != std::errc() || end != (*mark)->data() + (*mark)->size()) {
    return DataLossError(fmt::format("the outbox watermark '{}' is not a number", **mark));
  }
  return id;
}

Status Outbox::WriteWatermark(uint64_t acknowledged_id) {
  return WriteMeta(m_db, kWatermarkKey, std::to_string(acknowledged_id));
}

StatusOr<uint64_t> Outbox::PurgeUpTo(uint64_t up_to_id, uint64_t limit) {
  std::array<Value, 1> params = {Value::Int(static_cast<int64_t>(up_to_id))};
  return m_db.Update(fmt::format("DELETE FROM rowchain_outbox WHERE id <= ? LIMIT {}", limit), params);
}

StatusOr<uint64_t> Outbox::CountAfter(uint64_t after_id) {
  std::array<Value, 1> params = {Value::Int(static_cast<int64_t>(after_id))};
  auto rows = m_db.Query("SELECT COUNT(*) FROM rowchain_outbox WHERE id > ?", params);
  if (!rows.ok()) return rows.status();
  return static_cast<uint64_t>((*rows)[0][0].as_int());
}

}  // namespace rowchain::store
