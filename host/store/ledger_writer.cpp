#include "store/ledger_writer.h"

#include <algorithm>

#include <fmt/format.h>

#include "store/ledger_sql.h"

namespace rowchain::store {
namespace {

using consensus::RowOperation;
using consensus::RowOpKind;
using consensus::TableSchema;

constexpr size_t kMaxKeysPerQuery = 500;
constexpr size_t kMaxPlaceholders = 60000;  // the protocol allows 65,535
// A multi-row INSERT stays well under the server's default max_allowed_packet (16 MiB): one
// statement per run of INSERTs is the cheapest, a packet the server refuses is the worst.
constexpr size_t kMaxInsertBytes = 4 << 20;
// Rows per INSERT: past a few thousand the statement's buffers (both sides) grow with no gain.
constexpr size_t kMaxRowsPerInsert = 2000;

size_t ValueBytes(const Value& v) {
  return v.kind() == Value::Kind::kText || v.kind() == Value::Kind::kBytes ? v.as_string().size() + 9 : 9;
}

}  // namespace

StatusOr<std::unordered_set<std::string>> LedgerWriter::ExistingKeys(std::span<const RowOperation> rows) {
  std::vector<const RowOperation*> pointers;
  pointers.reserve(rows.size());
  for (const RowOperation& row : rows) pointers.push_back(&row);
  return ExistingKeys(pointers);
}

StatusOr<std::unordered_set<std::string>> LedgerWriter::ExistingKeys(std::span<const RowOperation* const> rows) {
  std::map<std::string, std::vector<std::vector<Value>>> keys_by_table;
  for (const RowOperation* row : rows) {
    keys_by_table[row->table].push_back(consensus::PrimaryKeyValues(*row, *m_params.schema.FindTable(row->table)));
  }
  std::unordered_set<std::string> existing;
  for (auto& [table_name, keys] : keys_by_table) {
    const TableSchema& table = *m_params.schema.FindTable(table_name);
    ROWCHAIN_RETURN_IF_ERROR(ForEachKeyChunk(table, keys, false, [&](std::span<const Value> found) {
      existing.insert(consensus::RowKey(table.name, found));
      return OkStatus();
    }));
  }
  return existing;
}

Status LedgerWriter::AddAllKeys(KeyFilter& filter, std::stop_token stop) {
  for (const TableSchema& table : m_params.schema.tables) {
    std::vector<std::string> key_columns;
    for (uint16_t k : table.primary_key) key_columns.push_back(QuoteIdentifier(table.columns[k].name));
    ROWCHAIN_RETURN_IF_ERROR(m_db.QueryEach(
        fmt::format("SELECT {} FROM {}", fmt::join(key_columns, ", "), QuoteIdentifier(table.name)), {},
        [&](std::span<const Value> key) {
          if (stop.stop_requested()) return CancelledError("stopped");
          filter.Add(consensus::RowKey(table.name, key));
          return OkStatus();
        }));
  }
  return OkStatus();
}

Status LedgerWriter::ForEachKeyChunk(const TableSchema& table, const std::vector<std::vector<Value>>& keys,
                                     bool full_rows, const RowCallback& on_row) {
  const size_t per_query = std::max<size_t>(1, std::min(kMaxKeysPerQuery, kMaxPlaceholders / table.primary_key.size()));
  for (size_t start = 0; start < keys.size(); start += per_query) {
    size_t n = std::min(per_query, keys.size() - start);
    std::vector<Value> params;
    for (size_t i = start; i < start + n; ++i) params.insert(params.end(), keys[i].begin(), keys[i].end());
    std::string sql = full_rows ? SelectRowsByKeysSql(table, n) : SelectKeysByKeysSql(table, n);
    ROWCHAIN_RETURN_IF_ERROR(m_db.QueryEach(sql, params, on_row));
  }
  return OkStatus();
}

StatusOr<LedgerSnapshot> LedgerWriter::ReadState(const consensus::DecodedBody& body) {
  LedgerSnapshot snapshot;
  // UPDATE/DELETE keys by table; their whole rows are the undo pre-images.
  std::map<std::string, std::vector<std::vector<Value>>> wanted;
  for (const RowOperation& row : body.rows) {
    const TableSchema& table = *m_params.schema.FindTable(row.table);
    if (row.op == RowOpKind::kInsert) continue;
    wanted[row.table].push_back(consensus::PrimaryKeyValues(row, table));
  }
  for (auto& [table_name, keys] : wanted) {
    const TableSchema& table = *m_params.schema.FindTable(table_name);
    ROWCHAIN_RETURN_IF_ERROR(ForEachKeyChunk(table, keys, true, [&](std::span<const Value> found) {
      std::vector<Value> key;
      for (uint16_t k : table.primary_key) key.push_back(found[k]);
      std::string row_key = consensus::RowKey(table.name, key);
      snapshot.view.existing_keys.insert(row_key);
      snapshot.pre_images.emplace(row_key, Row(found.begin(), found.end()));
      return OkStatus();
    }));
  }
  return snapshot;
}

Status LedgerWriter::InsertRun(const TableSchema& table, std::span<const RowOperation> rows, StatementList* deferred) {
  const size_t max_rows = std::max<size_t>(1, std::min(kMaxRowsPerInsert, kMaxPlaceholders / table.columns.size()));
  for (size_t start = 0; start < rows.size();) {
    size_t n = 0, bytes = 0;
    std::vector<Value> params;
    params.reserve(std::min(max_rows, rows.size() - start) * table.columns.size());
    while (start + n < rows.size() && n < max_rows && (n == 0 || bytes < kMaxInsertBytes)) {
      for (const Value& v : rows[start + n].values) {
        bytes += ValueBytes(v);
        params.push_back(v);
      }
      ++n;
    }
    if (deferred != nullptr) {
      deferred->AddRows(InsertRowsSql(table, n), InsertRowsSql(table, 1), n, std::move(params));
      start += n;
      continue;
    }
    auto inserted = m_db.Update(InsertRowsSql(table, n), params);
    if (!inserted.ok() && inserted.status().code() == StatusCode::kAlreadyExists) {
      return ExistingKeyError(inserted.status());
    }
    if (!inserted.ok()) return inserted.status();
    if (*inserted != n) return InternalError(fmt::format("INSERT into {} wrote {} of {} rows", table.name, *inserted, n));
    start += n;
  }
  return OkStatus();
}

Status LedgerWriter::UpdateRow(const TableSchema& table, const std::vector<Value>& values) {
  std::vector<Value> params;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (std::find(table.primary_key.begin(), table.primary_key.end(), i) == table.primary_key.end()) {
      params.push_back(values[i]);
    }
  }
  for (uint16_t k : table.primary_key) params.push_back(values[k]);
  auto matched = m_db.Update(UpdateRowSql(table), params);
  if (!matched.ok()) return matched.status();
  if (*matched != 1) return InternalError(fmt::format("UPDATE of {} matched {} rows, expected 1", table.name, *matched));
  return OkStatus();
}

Status LedgerWriter::DeleteRow(const TableSchema& table, const std::vector<Value>& key) {
  auto deleted = m_db.Update(DeleteRowSql(table), key);
  if (!deleted.ok()) return deleted.status();
  if (*deleted != 1) return InternalError(fmt::format("DELETE from {} removed {} rows, expected 1", table.name, *deleted));
  return OkStatus();
}

Status ExistingKeyError(const Status& server_error) {
  return {StatusCode::kAlreadyExists, fmt::format("INSERT of an existing key ({})", server_error.message())};
}

StatusOr<std::vector<RowOperation>> LedgerWriter::Apply(const consensus::DecodedBody& body,
                                                        const LedgerSnapshot& snapshot, StatementList& inserts) {
  std::vector<RowOperation> undo;
  undo.reserve(body.rows.size());
  const auto& rows = body.rows;
  for (size_t i = 0; i < rows.size();) {
    const RowOperation& row = rows[i];
    const TableSchema& table = *m_params.schema.FindTable(row.table);
    if (row.op == RowOpKind::kInsert) {
      size_t end = i;
      while (end < rows.size() && rows[end].op == RowOpKind::kInsert && rows[end].table == row.table) ++end;
      ROWCHAIN_RETURN_IF_ERROR(InsertRun(table, std::span(rows).subspan(i, end - i), &inserts));
      i = end;
      continue;
    }
    std::vector<Value> key = consensus::PrimaryKeyValues(row, table);
    auto pre = snapshot.pre_images.find(consensus::RowKey(table.name, key));
    if (pre == snapshot.pre_images.end()) return InternalError("no pre-image for an UPDATE or DELETE");
    if (row.op == RowOpKind::kUpdate) {
      ROWCHAIN_RETURN_IF_ERROR(UpdateRow(table, row.values));
      undo.push_back({.op = RowOpKind::kUpdate, .table = row.table, .values = pre->second});
    } else {
      ROWCHAIN_RETURN_IF_ERROR(DeleteRow(table, key));
      undo.push_back({.op = RowOpKind::kInsert, .table = row.table, .values = pre->second});
    }
    ++i;
  }
  return undo;
}

Status LedgerWriter::Revert(const consensus::DecodedBody& body, std::span<const RowOperation> undo) {
  for (const RowOperation& row : body.rows) {
    if (row.op != RowOpKind::kInsert) continue;
    const TableSchema& table = *m_params.schema.FindTable(row.table);
    ROWCHAIN_RETURN_IF_ERROR(DeleteRow(table, consensus::PrimaryKeyValues(row, table)));
  }
  for (const RowOperation& op : undo) {
    const TableSchema* table = m_params.schema.FindTable(op.table);
    if (table == nullptr) return InternalError(fmt::format("undo names unknown table {}", op.table));
    switch (op.op) {
      case RowOpKind::kInsert:
        ROWCHAIN_RETURN_IF_ERROR(InsertRun(*table, std::span(&op, 1), nullptr));
        break;
      case RowOpKind::kUpdate:
        ROWCHAIN_RETURN_IF_ERROR(UpdateRow(*table, op.values));
        break;
      case RowOpKind::kDelete:
        ROWCHAIN_RETURN_IF_ERROR(DeleteRow(*table, op.values));
        break;
    }
  }
  return OkStatus();
}

}  // namespace rowchain::store
