#include "node/template_selection.h"

#include <string_view>

#include <fmt/format.h>

namespace rowchain::node {

using consensus::RowOpKind;

TemplateSelection SelectBatches(std::span<const PreparedBatch* const> candidates, const consensus::LedgerSchema& schema,
                                const std::unordered_set<std::string>& existing_keys,
                                const std::unordered_set<std::string>& keys_in_flight) {
  TemplateSelection selection;
  std::unordered_set<std::string_view> own_keys;  // views into the batch's keys: no copies
  for (size_t i = 0; i < candidates.size(); ++i) {
    const PreparedBatch& batch = *candidates[i];
    own_keys.clear();
    std::string reason;
    bool conflicts_with_template = false;
    for (size_t r = 0; r < batch.rows.size(); ++r) {
      const consensus::RowOperation& row = batch.rows[r];
      const std::string& key = batch.keys[r];
      auto describe = [&] {
        const consensus::TableSchema& table = *schema.FindTable(row.table);
        return fmt::format("{} {}", row.table, consensus::DescribeKey(table, consensus::PrimaryKeyValues(row, table)));
      };
      if (!own_keys.insert(key).second) {
        reason = fmt::format("row {}: key {} occurs twice in the batch", row.row_index, describe());
        break;
      }
      if (selection.chosen_keys.contains(key) || keys_in_flight.contains(key)) {
        conflicts_with_template = true;
        continue;
      }
      const bool exists = existing_keys.contains(key);
      if (row.op == RowOpKind::kInsert && exists) {
        reason = fmt::format("row {}: {} already exists", row.row_index, describe());
        break;
      }
      if (row.op != RowOpKind::kInsert && !exists) {
        reason = fmt::format("row {}: {} of missing {}", row.row_index, consensus::RowOpKindName(row.op), describe());
        break;
      }
    }
    if (!reason.empty()) {
      selection.rejected.emplace_back(i, std::move(reason));
    } else if (conflicts_with_template) {
      selection.deferred.push_back(i);
    } else {
      selection.chosen.push_back(i);
      selection.chosen_keys.insert(batch.keys.begin(), batch.keys.end());
    }
  }
  return selection;
}

}  // namespace rowchain::node
