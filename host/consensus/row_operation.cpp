#include "consensus/row_operation.h"

#include <algorithm>

#include <fmt/format.h>

#include "consensus/block_info_leaf.h"
#include "consensus/byte_io.h"

namespace rowchain::consensus {
namespace {

// One value's canonical bytes, into a leaf (ByteWriter) or a row key (KeyWriter).
template <class Writer>
void EncodeValue(const Value& value, Writer* out) {
  out->U8(static_cast<uint8_t>(value.kind()));
  switch (value.kind()) {
    case Value::Kind::kNull:
      break;
    case Value::Kind::kInt:
      out->U64(static_cast<uint64_t>(value.as_int()));
      break;
    case Value::Kind::kText:
    case Value::Kind::kBytes:
      out->U32(static_cast<uint32_t>(value.as_string().size()));
      out->Raw(value.as_string());
      break;
  }
}

// ByteWriter's little-endian writes straight into a string: keys are built once per row on
// every block's path, so they skip the intermediate buffer.
class KeyWriter {
 public:
  KeyWriter(std::string_view table, size_t key_columns) {
    m_key.reserve(table.size() + 1 + 9 * key_columns);
    m_key.append(table);
    m_key.push_back('\0');
  }
  void U8(uint8_t v) { m_key.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { PutLe(v, 4); }
  void U64(uint64_t v) { PutLe(v, 8); }
  void Raw(std::string_view bytes) { m_key.append(bytes); }
  std::string Take() { return std::move(m_key); }

 private:
  void PutLe(uint64_t v, int size) {
    for (int i = 0; i < size; ++i) m_key.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string m_key;
};

std::optional<Value> DecodeValue(ByteReader* in) {
  auto tag = in->U8();
  if (!tag) return std::nullopt;
  switch (static_cast<Value::Kind>(*tag)) {
    case Value::Kind::kNull:
      return Value::Null();
    case Value::Kind::kInt: {
      auto v = in->U64();
      if (!v) return std::nullopt;
      return Value::Int(static_cast<int64_t>(*v));
    }
    case Value::Kind::kText:
    case Value::Kind::kBytes: {
      auto size = in->U32();
      if (!size) return std::nullopt;
      auto s = in->String(*size);
      if (!s) return std::nullopt;
      return *tag == static_cast<uint8_t>(Value::Kind::kText) ? Value::Text(std::move(*s)) : Value::Bytes(std::move(*s));
    }
  }
  return std::nullopt;
}

Status Malformed(std::string_view what) {
  return InvalidArgumentError(fmt::format("row-operation leaf: {}", what));
}

}  // namespace

std::optional<std::pair<BatchId, uint32_t>> PeekBatchOfLeaf(std::span<const uint8_t> bytes) {
  constexpr size_t kBatchOffset = 2, kIndexOffset = kBatchOffset + 16;
  if (bytes.size() < kIndexOffset + 4 || bytes[0] != kLeafKindRowOperation || bytes[1] != kRowOperationVersion) {
    return std::nullopt;
  }
  BatchId id{};
  std::copy_n(bytes.begin() + kBatchOffset, id.size(), id.begin());
  uint32_t index = 0;
  for (int i = 3; i >= 0; --i) index = index << 8 | bytes[kIndexOffset + static_cast<size_t>(i)];
  return std::make_pair(id, index);
}

std::string_view RowOpKindName(RowOpKind op) {
  switch (op) {
    case RowOpKind::kInsert: return "INSERT";
    case RowOpKind::kUpdate: return "UPDATE";
    case RowOpKind::kDelete: return "DELETE";
  }
  return "?";
}

std::vector<uint8_t> EncodeRowOperationLeaf(const RowOperation& row) {
  ByteWriter out;
  out.U8(kLeafKindRowOperation);
  out.U8(kRowOperationVersion);
  out.Raw(row.batch_id);
  out.U32(row.row_index);
  out.U8(static_cast<uint8_t>(row.op));
  out.U8(static_cast<uint8_t>(row.table.size()));
  out.Raw(row.table);
  out.U16(static_cast<uint16_t>(row.values.size()));
  for (const Value& value : row.values) EncodeValue(value, &out);
  return out.Take();
}

StatusOr<RowOperation> DecodeRowOperationLeaf(std::span<const uint8_t> bytes) {
  ByteReader in(bytes);
  auto kind = in.U8();
  if (!kind || *kind != kLeafKindRowOperation) return Malformed("kind is not 0x01");
  auto version = in.U8();
  if (!version || *version != kRowOperationVersion) return Malformed("unknown version");
  RowOperation row;
  if (!in.Fixed(&row.batch_id)) return Malformed("truncated batch id");
  auto row_index = in.U32();
  auto op = in.U8();
  if (!row_index || !op) return Malformed("truncated");
  if (*op < 1 || *op > 3) return Malformed(fmt::format("unknown op {}", *op));
  row.row_index = *row_index;
  row.op = static_cast<RowOpKind>(*op);
  auto table_size = in.U8();
  if (!table_size) return Malformed("truncated");
  auto table = in.String(*table_size);
  auto count = in.U16();
  if (!table || !count) return Malformed("truncated");
  row.table = std::move(*table);
  row.values.reserve(*count);
  for (uint16_t i = 0; i < *count; ++i) {
    auto value = DecodeValue(&in);
    if (!value) return Malformed(fmt::format("value {} is truncated or has an unknown tag", i));
    row.values.push_back(std::move(*value));
  }
  if (in.Remaining() != 0) return Malformed(fmt::format("{} trailing bytes", in.Remaining()));
  return row;
}

std::optional<std::string> CheckRowAgainstSchema(const RowOperation& row, const LedgerSchema& schema) {
  const TableSchema* table = schema.FindTable(row.table);
  if (table == nullptr) return fmt::format("unknown table '{}'", row.table);
  bool full_row = row.op != RowOpKind::kDelete;
  size_t expected = full_row ? table->columns.size() : table->primary_key.size();
  if (row.values.size() != expected) {
    return fmt::format("{} on '{}' carries {} values, expected {} ({})", RowOpKindName(row.op), row.table,
                       row.values.size(), expected, full_row ? "every column" : "the primary key");
  }
  for (size_t i = 0; i < row.values.size(); ++i) {
    const Column& column = table->columns[full_row ? i : table->primary_key[i]];
    if (auto why = CheckValueForColumn(row.values[i], column)) {
      return fmt::format("table '{}', column '{}': {}", row.table, column.name, *why);
    }
  }
  return std::nullopt;
}

std::vector<Value> PrimaryKeyValues(const RowOperation& row, const TableSchema& table) {
  if (row.op == RowOpKind::kDelete) return row.values;
  std::vector<Value> key;
  key.reserve(table.primary_key.size());
  for (uint16_t index : table.primary_key) key.push_back(row.values[index]);
  return key;
}

std::string RowKey(std::string_view table, std::span<const Value> key_values) {
  KeyWriter key(table, key_values.size());
  for (const Value& value : key_values) EncodeValue(value, &key);
  return key.Take();
}

std::string RowKeyOf(const RowOperation& row, const TableSchema& table) {
  if (row.op == RowOpKind::kDelete) return RowKey(row.table, row.values);
  KeyWriter key(row.table, table.primary_key.size());
  for (uint16_t index : table.primary_key) EncodeValue(row.values[index], &key);
  return key.Take();
}

std::string DescribeKey(const TableSchema& table, std::span<const Value> key_values) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < key_values.size() && i < table.primary_key.size(); ++i) {
    parts.push_back(fmt::format("{}={}", table.columns[table.primary_key[i]].name, key_values[i].ToDisplay()));
  }
  if (parts.size() == 1) return parts[0];
  return fmt::format("({})", fmt::join(parts, ", "));
}

}  // namespace rowchain::consensus
