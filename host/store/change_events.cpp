#include "store/change_events.h"

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "util/hex.h"

namespace rowchain::store {

namespace {

using consensus::Value;

nlohmann::json Json(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return nullptr;
    case Value::Kind::kInt: return v.as_int();
    case Value::Kind::kText: return v.as_string();
    case Value::Kind::kBytes: return Base64Encode(v.as_string());  // as Debezium sends binary columns
  }
  return nullptr;
}

nlohmann::json RowJson(const consensus::TableSchema& table, const std::vector<Value>* row) {
  if (row == nullptr) return nullptr;
  nlohmann::json out = nlohmann::json::object();
  for (size_t c = 0; c < table.columns.size() && c < row->size(); ++c) out[table.columns[c].name] = Json((*row)[c]);
  return out;
}

}  // namespace

ChangeEvent MakeChangeEvent(const ChangeSource& source, const RowChange& change) {
  const consensus::TableSchema& table = *change.table;
  ChangeEvent event;
  event.topic = source.topic_prefix + "." + table.name;
  const std::vector<Value>& keyed = change.after != nullptr ? *change.after : *change.before;
  nlohmann::json key = nlohmann::json::object();
  for (uint16_t k : table.primary_key) key[table.columns[k].name] = Json(keyed[k]);
  event.key = key.dump();
  nlohmann::json envelope = {
      {"before", RowJson(table, change.before)},
      {"after", RowJson(table, change.after)},
      {"op", std::string(1, change.op)},
      {"ts_ms", static_cast<int64_t>(source.block_time) * 1000},
      {"source",
       {{"connector", "rowchain"},
        {"chain", source.chain},
        {"table", table.name},
        {"block_height", source.height},
        {"block_hash", consensus::ToDisplayHex(source.block_hash)},
        {"leaf_index", change.leaf_index},
        {"batch_id", HexEncode(change.row->batch_id)},
        {"row_index", change.row->row_index},
        {"reverted", change.reverted}}}};
  event.payload = envelope.dump();
  return event;
}

StatusOr<std::vector<ChangeEvent>> EventsForConnect(const ChangeSource& source, const consensus::LedgerSchema& schema,
                                                    std::span<const consensus::RowOperation> rows,
                                                    const std::map<std::string, std::vector<Value>>& pre_images) {
  std::vector<ChangeEvent> events;
  events.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const consensus::RowOperation& row = rows[i];
    RowChange change{.table = schema.FindTable(row.table), .row = &row, .leaf_index = i + 1};
    if (row.op != consensus::RowOpKind::kInsert) {
      auto pre = pre_images.find(consensus::RowKeyOf(row, *change.table));
      if (pre == pre_images.end()) return InternalError("no pre-image for a change event");
      change.before = &pre->second;
    }
    change.op = row.op == consensus::RowOpKind::kInsert ? 'c' : row.op == consensus::RowOpKind::kUpdate ? 'u' : 'd';
    if (row.op != consensus::RowOpKind::kDelete) change.after = &row.values;
    events.push_back(MakeChangeEvent(source, change));
  }
  return events;
}

std::vector<ChangeEvent> EventsForDisconnect(const ChangeSource& source, const consensus::LedgerSchema& schema,
                                             std::span<const consensus::RowOperation> rows,
                                             std::span<const consensus::RowOperation> undo) {
  std::map<std::string, const consensus::RowOperation*> undo_by_key;
  for (const auto& op : undo) undo_by_key[consensus::RowKeyOf(op, *schema.FindTable(op.table))] = &op;
  std::vector<ChangeEvent> events;
  for (size_t i = rows.size(); i-- > 0;) {
    const consensus::RowOperation& row = rows[i];
    RowChange change{.table = schema.FindTable(row.table), .row = &row, .leaf_index = i + 1, .reverted = true};
    auto old = undo_by_key.find(consensus::RowKeyOf(row, *change.table));
    const std::vector<Value>* old_row = old == undo_by_key.end() ? nullptr : &old->second->values;
    switch (row.op) {
      case consensus::RowOpKind::kInsert:  // the row goes again
        change.op = 'd';
        change.before = &row.values;
        break;
      case consensus::RowOpKind::kUpdate:  // the row gets its old values back
        change.op = 'u';
        change.before = &row.values;
        change.after = old_row;
        break;
      case consensus::RowOpKind::kDelete:  // the row comes back
        if (old_row == nullptr) continue;
        change.op = 'c';
        change.after = old_row;
        break;
    }
    events.push_back(MakeChangeEvent(source, change));
  }
  return events;
}

}  // namespace rowchain::store
