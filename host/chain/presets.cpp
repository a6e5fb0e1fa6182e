// The built-in chains, written in the chain-file format so that `rowchain chain show --toml`
// gives a user a working starting point for their own.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "chain/chain_config.h"

namespace rowchain::chain {
namespace {

// Tests: every hash meets the target (about 2 hashes per block), the difficulty never moves.
constexpr std::string_view kRegtest = R"toml(# rowchain regtest: trivial proof of work for tests.
name = "regtest"
pow_limit_bits = 0x207fffff
target_spacing_s = 1
retarget_interval = 0
max_future_drift_s = 7200
median_time_window = 11
max_block_rows = 10000
max_block_bytes = 4000000
mine_empty_blocks = false

[genesis]
time = 1763596800
bits = 0x207fffff
nonce = 0
miner_id = "genesis"

[[tables]]
name = "users"
primary_key = ["id"]
columns = [
  { name = "id", type = "BIGINT" },
  { name = "name", type = "VARCHAR(255)" },
  { name = "age", type = "INT" },
]
)toml";

// Development: 2^26 expected hashes per block at first (about 2 s for one CPU core with
// AVX-512), then retargeted every 20 blocks towards one block per 2 s.
constexpr std::string_view kDev = R"toml(# rowchain dev: a CPU finds a block every ~2 s.
name = "dev"
pow_limit_bits = 0x207fffff
target_spacing_s = 2
retarget_interval = 20
retarget_clamp = 4
max_future_drift_s = 7200
median_time_window = 11
max_block_rows = 10000
max_block_bytes = 4000000
mine_empty_blocks = false

[genesis]
time = 1763596800
bits = 0x1d400000
nonce = 0
miner_id = "genesis"

[[tables]]
name = "users"
primary_key = ["id"]
columns = [
  { name = "id", type = "BIGINT" },
  { name = "name", type = "VARCHAR(255)" },
  { name = "age", type = "INT" },
]
)toml";

struct Preset {
  std::string_view name;
  std::string_view toml;
};
constexpr std::array<Preset, 2> kPresets{{{"regtest", kRegtest}, {"dev", kDev}}};

}  // namespace

std::vector<std::string> PresetNames() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets) names.emplace_back(p.name);
  return names;
}

std::string_view PresetToml(std::string_view name) {
  for (const Preset& p : kPresets) {
    if (p.name == name) return p.toml;
  }
  return {};
}

}  // namespace rowchain::chain
