// rowchain chain: show a chain's parameters and genesis hash, or print a preset as TOML to
// start a chain file from.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "chain/chain_config.h"
#include "chain/chain_fields.h"
#include "cli/commands.h"
#include "consensus/block.h"

namespace rowchain::cli {
namespace {

struct ChainFlags {
  std::string chain = "regtest";
  bool json = false;
  bool toml = false;
};

// Every parameter of the table, by its chain-file key.
template <typename Params>
nlohmann::json FieldsJson(std::span<const chain::Field<Params>> fields, const Params& params) {
  nlohmann::json out = nlohmann::json::object();
  for (const chain::Field<Params>& field : fields) {
    std::visit([&](auto member) { out[std::string(field.key)] = params.*member; }, field.member);
  }
  return out;
}

int Run(const ChainFlags& flags) {
  if (flags.toml) {
    std::string text = chain::PresetToml(flags.chain);
    if (text.empty()) return ReportError(kExitUsage, "--toml prints a preset: regtest or dev");
    std::printf("%.*s", static_cast<int>(text.size()), text.data());
    return kExitOk;
  }
  auto params = chain::LoadChain(flags.chain);
  if (!params.ok()) return ReportError(kExitUsage, params.status().message());
  std::string genesis = consensus::ToDisplayHex(consensus::MakeGenesisBlock(*params).Hash());
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : params->schema.tables) {
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& c : t.columns) {
      columns.push_back({{"name", c.name}, {"type", consensus::ColumnTypeName(c)}, {"nullable", c.nullable}});
    }
    nlohmann::json key = nlohmann::json::array();
    for (uint16_t k : t.primary_key) key.push_back(t.columns[k].name);
    tables.push_back({{"name", t.name}, {"columns", columns}, {"primary_key", key}});
  }
  if (flags.json) {
    nlohmann::json out = FieldsJson(chain::ChainFields(), *params);
    out["genesis_hash"] = genesis;
    out["genesis"] = FieldsJson(chain::GenesisFields(), params->genesis);
    out["genesis_bits"] = params->genesis.bits;  // kept for scripts written against the first format
    out["tables"] = tables;
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("chain %s\ngenesis %s\nspacing %u s, retarget every %u blocks\n", params->name.c_str(), genesis.c_str(),
              params->target_spacing_s, params->retarget_interval);
  for (const auto& t : tables) std::printf("table %s\n", t.dump().c_str());
  return kExitOk;
}

}  // namespace

void AddChainCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ChainFlags>();
  CLI::App* cmd = app.add_subcommand("chain", "Show a chain's rules and genesis hash");
  cmd->add_option("--chain", flags->chain, "regtest, dev or a chain file");
  cmd->add_flag("--json", flags->json, "machine-readable output");
  cmd->add_flag("--toml", flags->toml, "print the preset as a chain file");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace rowchain::cli
