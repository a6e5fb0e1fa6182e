// `rowchain submit` rows files, JSON or CSV (the first byte chooses), for the users table:
// typed rows or one error naming row and column; never a throw or a crash.
#include "cli/row_files.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  static const v1::TableInfo users = [] {
    v1::TableInfo table;
    table.set_name("users");
    for (auto [name, type, key] : {std::tuple{"id", "BIGINT", true}, std::tuple{"name", "VARCHAR(255)", false},
                                   std::tuple{"age", "INT", false}, std::tuple{"photo", "BLOB", false}}) {
      v1::ColumnInfo* column = table.add_columns();
      column->set_name(name);
      column->set_type(type);
      column->set_primary_key(key);
      column->set_nullable(!key);
    }
    return table;
  }();
  if (size == 0) return 0;
  const std::string text = fuzz::Text(data + 1, size - 1);
  if (data[0] & 1) {
    (void)cli::ReadCsvRows(text, users, v1::OP_INSERT);
  } else {
    (void)cli::ReadJsonRows(text, users, v1::OP_INSERT);
  }
  return 0;
}
