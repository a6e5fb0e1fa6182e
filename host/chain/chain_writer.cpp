// Chain parameters written as a chain file (chain_config.h's WriteChainToml).
#include <string>
#include <variant>

#include <fmt/format.h>

#include "chain/chain_config.h"
#include "chain/chain_fields.h"

namespace rowchain::chain {
namespace {

// A TOML basic string: quotes, backslashes and control characters escaped, so any value reads
// back as itself. (A miner id with a newline once made a file that read back as another chain.)
std::string TomlString(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\u{:04x}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

template <typename Params>
void WriteFields(std::string& out, std::span<const Field<Params>> fields, const Params& params) {
  for (const Field<Params>& field : fields) {
    std::visit(
        [&](auto member) {
          const auto& value = params.*member;
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, bool>) {
            out += fmt::format("{} = {}\n", field.key, value ? "true" : "false");
          } else if constexpr (std::is_same_v<T, std::string>) {
            out += fmt::format("{} = {}\n", field.key, TomlString(value));
          } else if (field.hex) {
            out += fmt::format("{} = {:#010x}\n", field.key, value);
          } else {
            out += fmt::format("{} = {}\n", field.key, value);
          }
        },
        field.member);
  }
}

}  // namespace

std::string WriteChainToml(const consensus::ChainParams& params, std::string_view comment) {
  std::string out = "# ";
  for (char c : comment) out += (c == '\n' || c == '\r') ? ' ' : c;  // one comment line
  out += "\n";
  WriteFields(out, ChainFields(), params);
  out += "\n[genesis]\n";
  WriteFields(out, GenesisFields(), params.genesis);
  for (const consensus::TableSchema& table : params.schema.tables) {
    out += fmt::format("\n[[tables]]\nname = \"{}\"\nprimary_key = [", table.name);
    for (size_t k = 0; k < table.primary_key.size(); ++k) {
      out += fmt::format("{}\"{}\"", k > 0 ? ", " : "", table.columns[table.primary_key[k]].name);
    }
    out += "]\ncolumns = [\n";
    for (const consensus::Column& column : table.columns) {
      out += fmt::format("  {{ name = \"{}\", type = \"{}\"{} }},\n", column.name, consensus::ColumnTypeName(column),
                         column.nullable ? ", nullable = true" : "");
    }
    out += "]\n";
  }
  return out;
}

}  // namespace rowchain::chain
