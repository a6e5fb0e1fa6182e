// rowchain chain: show a chain's parameters and genesis hash, or print a preset as TOML to
// start a chain file from.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "chain/chain_config.h"
#include "commands.h"
#include "consensus/block.h"

namespace rowchain::cli {
namespace {

struct ChainFlags {
  std::string chain = "regtest";
  bool json = false;
  bool toml = false;
};

int Run(const ChainFlags& flags) {
  if (flags.toml) {
    std::string_view text = chain::PresetToml(flags.chain);
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
    nlohmann::json out = {{"name", params->name},
                          {"genesis_hash", genesis},
                          {"pow_limit_bits", params->pow_limit_bits},
                          {"genesis_bits", params->genesis.bits},
                          {"target_spacing_s", params->target_spacing_s},
                          {"retarget_interval", params->retarget_interval},
                          {"max_block_rows", params->max_block_rows},
                          {"max_block_bytes", params->max_block_bytes},
                          {"tables", tables}};
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
