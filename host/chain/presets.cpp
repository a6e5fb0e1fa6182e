// The built-in chains, written once: both are the same chain of one `users` table and differ
// only in their difficulty. `rowchain chain --chain dev --toml` prints one as a chain file to
// start one's own from.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "chain/chain_config.h"

namespace rowchain::chain {
namespace {

using consensus::ChainParams;

ChainParams UsersChain(std::string name) {
  ChainParams params;
  params.name = std::move(name);
  params.genesis.time = 1763596800;
  using consensus::ColumnType;
  consensus::TableSchema users;
  users.name = "users";
  users.columns = {{"id", ColumnType::kBigInt}, {"name", ColumnType::kVarchar, 255}, {"age", ColumnType::kInt}};
  users.primary_key = {0};
  params.schema.tables.push_back(std::move(users));
  return params;
}

// Tests: every hash meets the target (about 2 hashes per block), the difficulty never moves.
ChainParams Regtest() {
  ChainParams params = UsersChain("regtest");
  params.target_spacing_s = 1;
  params.genesis.bits = 0x207fffff;
  return params;
}

// Development: 2^26 expected hashes per block at first (about 2 s for one CPU core with
// AVX-512), then retargeted every 20 blocks towards one block per 2 s. A block may be dated at
// most one retarget window (40 s) ahead, so no miner can stretch a window to cut the work.
ChainParams Dev() {
  ChainParams params = UsersChain("dev");
  params.target_spacing_s = 2;
  params.retarget_interval = 20;
  params.max_future_drift_s = 40;
  params.genesis.bits = 0x1d400000;
  return params;
}

struct PresetEntry {
  std::string_view name;
  std::string_view comment;
  ChainParams (*make)();
};
constexpr std::array<PresetEntry, 2> kPresets{{
    {"regtest", "rowchain regtest: trivial proof of work for tests.", Regtest},
    {"dev", "rowchain dev: a CPU finds a block every ~2 s.", Dev},
}};

const PresetEntry* Find(std::string_view name) {
  for (const PresetEntry& p : kPresets) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> PresetNames() {
  std::vector<std::string> names;
  for (const PresetEntry& p : kPresets) names.emplace_back(p.name);
  return names;
}

std::optional<ChainParams> Preset(std::string_view name) {
  const PresetEntry* preset = Find(name);
  if (preset == nullptr) return std::nullopt;
  return preset->make();
}

std::string PresetToml(std::string_view name) {
  const PresetEntry* preset = Find(name);
  return preset == nullptr ? std::string() : WriteChainToml(preset->make(), preset->comment);
}

}  // namespace rowchain::chain
