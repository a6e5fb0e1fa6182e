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

std::string StatementList::CompoundSql(bool commit) const {
  std::string compound = "BEGIN NOT ATOMIC ";
  for (const std::string& sql : m_sql) compound += sql + "; ";
  return compound + (commit ? "COMMIT; END" : "END");
}

Status StatementList::Run(MysqlConnection& db, bool commit) {
  if (db.SupportsCompoundStatements() && m_sql.size() + (commit ? 1 : 0) > 1) {
    if (commit) return db.UpdateCommitting(CompoundSql(/*commit=*/true), m_params);
    return db.Update(CompoundSql(/*commit=*/false), m_params).status();
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
    return db.StartUpdate(CompoundSql(/*commit=*/false), std::move(m_params));
  }
  std::span<const Value> params(m_params);
  for (size_t i = 0; i + 1 < m_sql.size(); ++i) {
    ROWCHAIN_RETURN_IF_ERROR(db.Update(m_sql[i], params.subspan(0, m_param_counts[i])).status());
    params = params.subspan(m_param_counts[i]);
  }
  return db.StartUpdate(m_sql.back(), std::vector<Value>(params.begin(), params.end()));
}

}  // namespace rowchain::store
