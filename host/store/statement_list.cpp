#include "store/statement_list.h"

#include <algorithm>
#include <iterator>
#include <span>

namespace rowchain::store {

void StatementList::Add(std::string sql, std::vector<Value> params) { AddRows(std::move(sql), {}, 0, std::move(params)); }

void StatementList::AddRows(std::string sql, std::string row_sql, size_t rows, std::vector<Value> params) {
  m_row_sql.push_back(std::move(row_sql));
  m_rows.push_back(rows);
  m_sql.push_back(std::move(sql));
  m_param_counts.push_back(params.size());
  m_params.insert(m_params.end(), std::make_move_iterator(params.begin()), std::make_move_iterator(params.end()));
}

namespace {

// A prepared statement takes at most 65,535 placeholders (a u16 in the protocol).
constexpr size_t kMaxPlaceholders = 65'000;
// Its parameters travel in one packet, below max_allowed_packet (16 MiB by default).
constexpr size_t kMaxParamBytes = 8u << 20;

size_t ParamBytes(const Value& v) {
  return v.kind() == Value::Kind::kText || v.kind() == Value::Kind::kBytes ? v.as_string().size() + 4 : 9;
}

}  // namespace

std::string StatementList::CompoundSql(size_t first, size_t last, bool commit) const {
  std::string compound = "BEGIN NOT ATOMIC ";
  for (size_t i = first; i < last; ++i) compound += m_sql[i] + "; ";
  return compound + (commit ? "COMMIT; END" : "END");
}

std::vector<std::pair<size_t, size_t>> StatementList::Chunks() const {
  std::vector<std::pair<size_t, size_t>> chunks;
  size_t first = 0, params = 0, bytes = 0, offset = 0;
  for (size_t i = 0; i < m_sql.size(); ++i) {
    size_t statement_bytes = 0;
    for (size_t p = offset; p < offset + m_param_counts[i]; ++p) statement_bytes += ParamBytes(m_params[p]);
    offset += m_param_counts[i];
    if (i > first && (params + m_param_counts[i] > kMaxPlaceholders || bytes + statement_bytes > kMaxParamBytes)) {
      chunks.emplace_back(first, i);
      first = i, params = 0, bytes = 0;
    }
    params += m_param_counts[i];
    bytes += statement_bytes;
  }
  if (first < m_sql.size()) chunks.emplace_back(first, m_sql.size());
  return chunks;
}

std::span<const Value> StatementList::ParamsOf(size_t first, size_t last) const {
  size_t begin = 0, count = 0;
  for (size_t i = 0; i < last; ++i) (i < first ? begin : count) += m_param_counts[i];
  return std::span<const Value>(m_params).subspan(begin, count);
}

Status StatementList::Run(MysqlConnection& db, bool commit) {
  if (db.SupportsCompoundStatements() && m_sql.size() + (commit ? 1 : 0) > 1) {
    const auto chunks = Chunks();
    for (size_t c = 0; c + 1 < chunks.size(); ++c) {
      const auto [first, last] = chunks[c];
      ROWCHAIN_RETURN_IF_ERROR(db.Update(CompoundSql(first, last, false), ParamsOf(first, last)).status());
    }
    const auto [first, last] = chunks.back();
    if (commit) return db.UpdateCommitting(CompoundSql(first, last, /*commit=*/true), ParamsOf(first, last));
    return db.Update(CompoundSql(first, last, /*commit=*/false), ParamsOf(first, last)).status();
  }
  std::span<const Value> params(m_params);
  for (size_t i = 0; i < m_sql.size(); ++i) {
    ROWCHAIN_RETURN_IF_ERROR(db.Update(m_sql[i], params.subspan(0, m_param_counts[i])).status());
    params = params.subspan(m_param_counts[i]);
  }
  return commit ? db.Commit() : OkStatus();
}

Status StatementList::Start(MysqlConnection& db) {
  if (m_sql.empty()) return InternalError("no statement to start");
  if (m_sql.size() == 1 && m_rows[0] > 0 && db.SupportsArrayBinding() && ArrayBindable(m_params, m_rows[0])) {
    return db.StartUpdate(m_row_sql[0], std::move(m_params), m_rows[0]);
  }
  if (db.SupportsCompoundStatements() && m_sql.size() > 1) {
    const auto chunks = Chunks();
    if (chunks.size() == 1) return db.StartUpdate(CompoundSql(0, m_sql.size(), /*commit=*/false), std::move(m_params));
    for (size_t c = 0; c + 1 < chunks.size(); ++c) {  // all but the last run now, in the same transaction
      const auto [first, last] = chunks[c];
      ROWCHAIN_RETURN_IF_ERROR(db.Update(CompoundSql(first, last, false), ParamsOf(first, last)).status());
    }
    const auto [first, last] = chunks.back();
    std::span<const Value> params = ParamsOf(first, last);
    return db.StartUpdate(CompoundSql(first, last, /*commit=*/false), std::vector<Value>(params.begin(), params.end()));
  }
  std::span<const Value> params(m_params);
  for (size_t i = 0; i + 1 < m_sql.size(); ++i) {
    ROWCHAIN_RETURN_IF_ERROR(db.Update(m_sql[i], params.subspan(0, m_param_counts[i])).status());
    params = params.subspan(m_param_counts[i]);
  }
  return db.StartUpdate(m_sql.back(), std::vector<Value>(params.begin(), params.end()));
}

}  // namespace rowchain::store
