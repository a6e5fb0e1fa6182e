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

ChangeEvent MakeChangeEvent(std::string_view topic_prefix, const consensus::TableSchema& table,
                            const ChangeSource& source, uint64_t leaf_index, const consensus::RowOperation& row, char op,
                            const std::vector<Value>* before, const std::vector<Value>* after, bool reverted) {
  ChangeEvent event;
  event.topic = std::string(topic_prefix) + "." + table.name;
  const std::vector<Value>& keyed = after != nullptr ? *after : *before;
  nlohmann::json key = nlohmann::json::object();
  for (uint16_t k : table.primary_key) key[table.columns[k].name] = Json(keyed[k]);
  event.key = key.dump();
  nlohmann::json envelope = {
      {"before", RowJson(table, before)},
      {"after", RowJson(table, after)},
      {"op", std::string(1, op)},
      {"ts_ms", static_cast<int64_t>(source.block_time) * 1000},
      {"source",
       {{"connector", "rowchain"},
        {"chain", source.chain},
        {"table", table.name},
        {"block_height", source.height},
        {"block_hash", consensus::ToDisplayHex(source.block_hash)},
        {"leaf_index", leaf_index},
        {"batch_id", HexEncode(row.batch_id)},
        {"row_index", row.row_index},
        {"reverted", reverted}}}};
  event.payload = envelope.dump();
  return event;
}

}  // namespace rowchain::store
