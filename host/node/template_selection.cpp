#include "node/template_selection.h"

#include <fmt/format.h>

namespace rowchain::node {

using consensus::RowOpKind;

TemplateSelection SelectBatches(std::span<const CandidateBatch> candidates, const consensus::LedgerSchema& schema,
                                const std::unordered_set<std::string>& existing_keys,
                                const std::unordered_set<std::string>& keys_in_flight) {
  TemplateSelection selection;
  std::unordered_set<std::string> touched = keys_in_flight;  // and the keys of the batches chosen so far
  for (size_t i = 0; i < candidates.size(); ++i) {
    const CandidateBatch& batch = candidates[i];
    std::vector<std::string> keys;
    std::unordered_set<std::string> own_keys;
    std::string reason;
    bool conflicts_with_template = false;
    for (const consensus::RowOperation& row : batch.rows) {
      const consensus::TableSchema& table = *schema.FindTable(row.table);
      std::string key = consensus::RowKeyOf(row, table);
      if (!own_keys.insert(key).second) {
        reason = fmt::format("row {}: key {} occurs twice in the batch", row.row_index,
                             consensus::DescribeKey(table, consensus::PrimaryKeyValues(row, table)));
        break;
      }
      if (touched.contains(key)) {
        conflicts_with_template = true;
        continue;
      }
      const bool exists = existing_keys.contains(key);
      if (row.op == RowOpKind::kInsert && exists) {
        reason = fmt::format("row {}: {} {} already exists", row.row_index, row.table,
                             consensus::DescribeKey(table, consensus::PrimaryKeyValues(row, table)));
        break;
      }
      if (row.op != RowOpKind::kInsert && !exists) {
        reason = fmt::format("row {}: {} of missing {} {}", row.row_index, consensus::RowOpKindName(row.op), row.table,
                             consensus::DescribeKey(table, consensus::PrimaryKeyValues(row, table)));
        break;
      }
      keys.push_back(std::move(key));
    }
    if (!reason.empty()) {
      selection.rejected.emplace_back(i, std::move(reason));
    } else if (conflicts_with_template) {
      selection.deferred.push_back(i);
    } else {
      selection.chosen.push_back(i);
      touched.insert(keys.begin(), keys.end());
      selection.chosen_keys.insert(std::make_move_iterator(keys.begin()), std::make_move_iterator(keys.end()));
    }
  }
  return selection;
}

}  // namespace rowchain::node
