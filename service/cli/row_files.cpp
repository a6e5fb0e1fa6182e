#include "cli/row_files.h"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/hex.h"

namespace rowchain::cli {

namespace {

enum class Kind { kInteger, kText, kBinary, kUnknown };

Kind KindOf(const v1::TableInfo& table, const std::string& column) {
  for (const v1::ColumnInfo& c : table.columns()) {
    if (c.name() != column) continue;
    const std::string& t = c.type();
    if (t == "BIGINT" || t == "INT" || t == "SMALLINT" || t == "BOOLEAN") return Kind::kInteger;
    if (t.starts_with("VARBINARY") || t == "BLOB") return Kind::kBinary;
    return Kind::kText;
  }
  return Kind::kUnknown;
}

Status BadValue(size_t row, const std::string& column, std::string_view what) {
  return InvalidArgumentError(fmt::format("row {}, column '{}': {}", row, column, what));
}

std::string ColumnList(const v1::TableInfo& table) {
  std::vector<std::string> names;
  for (const v1::ColumnInfo& c : table.columns()) names.push_back(c.name());
  return fmt::format("{}", fmt::join(names, ", "));
}

Status UnknownColumn(std::string_view where, const v1::TableInfo& table, const std::string& column) {
  return InvalidArgumentError(fmt::format("{}: table {} has no column '{}' (its columns: {})", where, table.name(),
                                          column, ColumnList(table)));
}

// Line and column (1-based) of the byte at `offset`, for messages about a file.
std::pair<size_t, size_t> LineAndColumn(const std::string& text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < std::min(offset, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

StatusOr<std::string> FromHex(size_t row, const std::string& column, std::string_view text) {
  if (text.starts_with("0x")) text.remove_prefix(2);
  auto bytes = HexDecode(text);
  if (!bytes.ok()) return BadValue(row, column, "binary columns take hex");
  return std::string(bytes->begin(), bytes->end());
}

struct CsvRecords {
  std::vector<std::vector<std::string>> records;
  std::vector<size_t> lines;  // the line each record starts on (1-based)
};

// Splits CSV text (RFC 4180: quotes, doubled quotes, CRLF) into records of fields.
StatusOr<CsvRecords> ParseCsv(const std::string& text) {
  CsvRecords out;
  std::vector<std::vector<std::string>>& records = out.records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_was_quoted = false;
  size_t line = 1, record_line = 1;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && field.empty() && !field_was_quoted) {
      quoted = field_was_quoted = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      if (!(record.size() == 1 && record[0].empty())) {
        records.push_back(std::move(record));
        out.lines.push_back(record_line);
      }
      record.clear();
      record_line = ++line;
    } else {
      field += c;
    }
  }
  if (quoted) {
    return InvalidArgumentError(fmt::format("CSV line {}: a quoted field that never closes", record_line));
  }
  if (!field.empty() || !record.empty()) {
    end_field();
    records.push_back(std::move(record));
    out.lines.push_back(record_line);
  }
  return out;
}

}  // namespace

StatusOr<std::vector<v1::Row>> ReadJsonRows(const std::string& text, const v1::TableInfo& table, v1::Op op) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, column] = LineAndColumn(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string why = e.what();
    if (auto at = why.find("syntax error"); at != std::string::npos) why = why.substr(at);
    return InvalidArgumentError(fmt::format("the rows file is not valid JSON: line {}, column {}: {}", line, column, why));
  } catch (const nlohmann::json::exception& e) {  // a number too large for any JSON number type
    std::string why = e.what();
    if (auto at = why.find("] "); at != std::string::npos) why = why.substr(at + 2);
    return InvalidArgumentError("the rows file is not valid JSON: " + why);
  }
  if (!doc.is_array()) return InvalidArgumentError("the rows file must hold a JSON array of objects");
  std::vector<v1::Row> rows;
  rows.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    const nlohmann::json& object = doc[i];
    if (!object.is_object()) return InvalidArgumentError(fmt::format("row {}: expected an object", i));
    v1::Row row;
    row.set_op(op);
    for (const auto& [column, value] : object.items()) {
      if (KindOf(table, column) == Kind::kUnknown) return UnknownColumn(fmt::format("row {}", i), table, column);
      v1::Value& out = (*row.mutable_columns())[column];
      if (value.is_null()) {
        out.set_null_value(true);
      } else if (value.is_boolean()) {
        out.set_int_value(value.get<bool>() ? 1 : 0);
      } else if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        // It would wrap to a negative number.
        return InvalidArgumentError(fmt::format("row {}: {}: {} is out of range of a 64-bit signed integer", i, column,
                                                value.dump()));
      } else if (value.is_number_integer()) {
        out.set_int_value(value.get<int64_t>());
      } else if (value.is_string()) {
        const std::string& s = value.get_ref<const std::string&>();
        if (KindOf(table, column) == Kind::kBinary) {
          auto bytes = FromHex(i, column, s);
          if (!bytes.ok()) return bytes.status();
          out.set_bytes_value(*bytes);
        } else {
          out.set_text_value(s);
        }
      } else {
        return BadValue(i, column, "expected an integer, a string or null");
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

StatusOr<std::vector<v1::Row>> ReadCsvRows(const std::string& text, const v1::TableInfo& table, v1::Op op) {
  auto parsed = ParseCsv(text);
  if (!parsed.ok()) return parsed.status();
  const auto& records = parsed->records;
  if (records.empty()) return InvalidArgumentError("the CSV file has no header line");
  const std::vector<std::string>& header = records[0];
  for (size_t c = 0; c < header.size(); ++c) {
    if (KindOf(table, header[c]) == Kind::kUnknown) {
      return UnknownColumn(fmt::format("CSV line {}, column {}", parsed->lines[0], c + 1), table, header[c]);
    }
  }
  std::vector<v1::Row> rows;
  rows.reserve(records.size() - 1);
  for (size_t r = 1; r < records.size(); ++r) {
    const size_t index = r - 1;
    const std::vector<std::string>& fields = records[r];
    if (fields.size() != header.size()) {
      return InvalidArgumentError(fmt::format("CSV line {} (row {}): {} fields where the header has {}",
                                              parsed->lines[r], index, fields.size(), header.size()));
    }
    v1::Row row;
    row.set_op(op);
    for (size_t c = 0; c < header.size(); ++c) {
      const std::string& column = header[c];
      const std::string& field = fields[c];
      v1::Value& out = (*row.mutable_columns())[column];
      if (field == "\\N") {
        out.set_null_value(true);
        continue;
      }
      switch (KindOf(table, column)) {
        case Kind::kInteger: {
          int64_t v = 0;
          auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
          if (field.empty() || ec != std::errc() || ptr != field.data() + field.size()) {
            return InvalidArgumentError(fmt::format("CSV line {}, column {} (row {}, column '{}'): '{}' is not an integer",
                                                    parsed->lines[r], c + 1, index, column, field));
          }
          out.set_int_value(v);
          break;
        }
        case Kind::kBinary: {
          auto bytes = FromHex(index, column, field);
          if (!bytes.ok()) return bytes.status();
          out.set_bytes_value(*bytes);
          break;
        }
        case Kind::kText:
        case Kind::kUnknown: out.set_text_value(field); break;  // (unknown columns were refused above)
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace rowchain::cli
