#include "chain/chain_config.h"
#include "chain/chain_fields.h"
#include "chain/toml_reader.h"

#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <variant>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace rowchain::chain {
namespace {

using consensus::ChainParams;

StatusOr<consensus::Column> ReadColumn(const toml::node& node, std::string_view source, std::string prefix) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    return InvalidArgumentError(fmt::format("{}:{}: {} must be {{ name = ..., type = ... }}", source,
                                            node.source().begin.line, prefix));
  }
  TableReader reader(*table, source, prefix + ".");
  ROWCHAIN_RETURN_IF_ERROR(reader.RejectUnknown({"name", "type", "nullable"}));
  std::string name, type;
  ROWCHAIN_RETURN_IF_ERROR(reader.String("name", &name, /*required=*/true));
  ROWCHAIN_RETURN_IF_ERROR(reader.String("type", &type, /*required=*/true));
  auto column = consensus::ParseColumnType(type);
  if (!column.ok()) return reader.Error(*table->get("type"), "type", column.status().message());
  column->name = std::move(name);
  ROWCHAIN_RETURN_IF_ERROR(reader.Bool("nullable", &column->nullable));
  return column;
}

StatusOr<consensus::TableSchema> ReadTable(const toml::table& table, std::string_view source, std::string prefix) {
  TableReader reader(table, source, prefix + ".");
  ROWCHAIN_RETURN_IF_ERROR(reader.RejectUnknown({"name", "columns", "primary_key"}));
  consensus::TableSchema schema;
  ROWCHAIN_RETURN_IF_ERROR(reader.String("name", &schema.name, /*required=*/true));
  const toml::array* columns = table["columns"].as_array();
  if (columns == nullptr) return reader.Missing("columns (an array of { name, type })");
  for (size_t i = 0; i < columns->size(); ++i) {
    auto column = ReadColumn(*columns->get(i), source, fmt::format("{}.columns[{}]", prefix, i));
    if (!column.ok()) return column.status();
    schema.columns.push_back(std::move(*column));
  }
  const toml::array* key = table["primary_key"].as_array();
  if (key == nullptr) return reader.Missing("primary_key (an array of column names)");
  for (const toml::node& element : *key) {
    auto name = element.value<std::string>();
    auto index = name ? schema.FindColumn(*name) : std::nullopt;
    if (!index) return reader.Error(element, "primary_key", "names a column the table does not declare");
    schema.primary_key.push_back(static_cast<uint16_t>(*index));
  }
  return schema;
}

template <typename Params>
Status ReadFields(const TableReader& reader, std::span<const Field<Params>> fields, Params* params) {
  for (const Field<Params>& field : fields) {
    ROWCHAIN_RETURN_IF_ERROR(std::visit(
        [&](auto member) -> Status {
          auto& value = params->*member;
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, uint32_t>) return reader.U32(field.key, &value, field.required);
          if constexpr (std::is_same_v<T, bool>) return reader.Bool(field.key, &value);
          if constexpr (std::is_same_v<T, std::string>) return reader.String(field.key, &value, field.required);
        },
        field.member));
  }
  return OkStatus();
}

template <typename Params>
std::set<std::string_view> KeysOf(std::span<const Field<Params>> fields) {
  std::set<std::string_view> keys;
  for (const Field<Params>& field : fields) keys.insert(field.key);
  return keys;
}

StatusOr<ChainParams> ReadChain(const toml::table& root, std::string_view source) {
  ChainParams params;
  TableReader reader(root, source, "");
  std::set<std::string_view> known = KeysOf(ChainFields());
  known.insert({"genesis", "tables"});
  ROWCHAIN_RETURN_IF_ERROR(reader.RejectUnknown(known));
  ROWCHAIN_RETURN_IF_ERROR(ReadFields(reader, ChainFields(), &params));

  const toml::table* genesis = root["genesis"].as_table();
  if (genesis == nullptr) return reader.Missing("[genesis]");
  TableReader g(*genesis, source, "genesis.");
  ROWCHAIN_RETURN_IF_ERROR(g.RejectUnknown(KeysOf(GenesisFields())));
  ROWCHAIN_RETURN_IF_ERROR(ReadFields(g, GenesisFields(), &params.genesis));

  const toml::array* tables = root["tables"].as_array();
  if (tables == nullptr) return reader.Missing("[[tables]]");
  for (size_t i = 0; i < tables->size(); ++i) {
    const toml::table* table = tables->get(i)->as_table();
    if (table == nullptr) return reader.Error(*tables->get(i), "tables", "each entry must be a table");
    auto schema = ReadTable(*table, source, fmt::format("tables[{}]", i));
    if (!schema.ok()) return schema.status();
    params.schema.tables.push_back(std::move(*schema));
  }
  if (Status s = consensus::ValidateChainParams(params); !s.ok()) {
    return InvalidArgumentError(fmt::format("{}: {}", source, s.message()));
  }
  return params;
}

}  // namespace

StatusOr<ChainParams> ParseChainToml(std::string_view toml_text, std::string_view source) {
  try {
    toml::table root = toml::parse(toml_text, source);
    return ReadChain(root, source);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError(fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
  }
}

StatusOr<ChainParams> LoadChain(std::string_view preset_or_path) {
  if (auto preset = Preset(preset_or_path)) return *preset;
  std::string path(preset_or_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError(fmt::format("chain '{}' is neither a preset ({}) nor a readable file", path,
                                     fmt::join(PresetNames(), ", ")));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseChainToml(text.str(), path);
}

}  // namespace rowchain::chain
